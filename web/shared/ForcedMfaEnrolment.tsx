import { MfaSettings } from './MfaSettings';
import { RequiredStepPage } from './RequiredStepPage';

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
  return (
    <RequiredStepPage
      app={app}
      title="Set up two-step sign-in"
      lead="Your administrator requires a code from an authenticator app each time you sign in. Set it up to continue."
      who={who}
      signOutPrompt="Not now?"
      onSignOut={onSignOut}
    >
      <MfaSettings path={path} product={product} enrolOnly required onChange={(on) => on && onDone()} />
    </RequiredStepPage>
  );
}
