import type { ComponentChildren } from 'preact';
import { Alert } from './forms';
import { CardLayout, Page, SkipLink } from './page';
import { useSignOut } from './session';

interface RequiredStepPageProps {
  /** The app's name, e.g. "XtraMail Console". */
  app: string;
  title: string;
  lead: string;
  /** Who is signed in (an email or a mail address). */
  who: string;
  /** The question before "Sign out", e.g. "Not you?". */
  signOutPrompt: string;
  onSignOut: () => Promise<void>;
  children: ComponentChildren;
}

/**
 * The only page while a signed-in account must take a step first (choose its own password,
 * set up two-step sign-in): who is signed in, the step, and a way out.
 */
export function RequiredStepPage({
  app,
  title,
  lead,
  who,
  signOutPrompt,
  onSignOut,
  children,
}: RequiredStepPageProps) {
  const signOut = useSignOut(onSignOut);
  return (
    <>
      <SkipLink />
      <CardLayout brand={app}>
        <Page title={title} app={app} lead={lead}>
          <p class="muted">
            Signed in as <strong class="address">{who}</strong>.
          </p>
          {children}
          {signOut.error && <Alert tone="error">{signOut.error}</Alert>}
          <p class="form-footer">
            {signOutPrompt}{' '}
            <button type="button" class="link-button" onClick={signOut.run} disabled={signOut.busy}>
              Sign out
            </button>
          </p>
        </Page>
      </CardLayout>
    </>
  );
}
