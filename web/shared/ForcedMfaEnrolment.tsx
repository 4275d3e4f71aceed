import { Alert } from './forms';
import { MfaSettings } from './MfaSettings';
import { CardLayout, Page, SkipLink } from './page';
import { useSignOut } from './session';

interface ForcedMfaEnrolmentProps {
  /** The app's name, e.g. "XtraMail Console". */
  app: string;
  /** Who is signed in (an email or a mail address). */
  who: string;
  path: string;
  product: string;
  /** Called after set-up and the recovery codes were saved: the app can carry on. */
  onDone: () => void;
  onSignOut: () => Promise<void>;
}

/**
 * The only page while an administrator requires two-step sign-in and this account has none.
 * The server answers every other route with 403 `mfa_enrolment_required` meanwhile.
 */
export function ForcedMfaEnrolment({ app, who, path, product, onDone, onSignOut }: ForcedMfaEnrolmentProps) {
  const signOut = useSignOut(onSignOut);
  return (
    <>
      <SkipLink />
      <CardLayout brand={app}>
        <Page
          title="Set up two-step sign-in"
          app={app}
          lead="Your administrator requires a code from an authenticator app each time you sign in. Set it up to continue."
        >
          <p class="muted">
            Signed in as <strong class="address">{who}</strong>.
          </p>
          <MfaSettings path={path} product={product} enrolOnly required onChange={(on) => on && onDone()} />
          {signOut.error && <Alert tone="error">{signOut.error}</Alert>}
          <p class="form-footer">
            Not now?{' '}
            <button type="button" class="link-button" onClick={signOut.run} disabled={signOut.busy}>
              Sign out
            </button>
          </p>
        </Page>
      </CardLayout>
    </>
  );
}
