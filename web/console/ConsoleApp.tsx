import { useCallback, useEffect } from 'preact/hooks';
import { onSessionExpired, onSessionNeedsStep } from '../shared/api';
import { CardLayout, Page, SkipLink } from '../shared/page';
import { Link, navigate } from '../shared/router';
import { useSession } from '../shared/session';
import { ForcedMfaEnrolment } from '../shared/ForcedMfaEnrolment';
import { SignInForm } from '../shared/SignInForm';
import { LoadError, Loading } from '../shared/states';
import { ConsoleShell } from './ConsoleShell';
import { SectionPage } from './sections';
import { CONSOLE_APP, type ConsoleSession } from './model';
import './console.css';

export function ConsoleApp({ path }: { path: string[] }) {
  const { state, signIn, completeMfa, signOut, retry, expired } =
    useSession<ConsoleSession>('/api/console/session');
  const [section = 'domains', ...rest] = path;

  // Any console call that finds the session gone sends the admin back to sign in.
  useEffect(() => onSessionExpired(expired), [expired]);
  // A policy switched on meanwhile (two-step sign-in required): re-read the session to show the step.
  useEffect(() => onSessionNeedsStep(retry), [retry]);

  // After signing out, the sign-in page lives at `/console`, so signing in again starts afresh.
  const signOutToStart = useCallback(async () => {
    await signOut();
    navigate('/console', { replace: true });
  }, [signOut]);

  // `/console` itself is the Domains page; show its real address once signed in.
  const signedIn = state.status === 'signedIn';
  useEffect(() => {
    if (signedIn && path.length === 0) navigate('/console/domains', { replace: true });
  }, [signedIn, path.length]);

  if (state.status === 'loading') return <Loading label="Checking your session…" />;
  if (state.status === 'error') return <LoadError brand={CONSOLE_APP} error={state.error} onRetry={retry} />;
  if (state.status === 'signedOut') {
    return (
      <>
        <SkipLink />
        <CardLayout brand={CONSOLE_APP}>
          <Page
            title="Sign in to the console"
            app={CONSOLE_APP}
            lead="For partner and domain administrators."
          >
            <SignInForm
              onSignIn={signIn}
              onCode={completeMfa}
              notice={state.notice}
              unauthorizedMessage="Email or password is incorrect."
              footer={
                <p class="form-footer">
                  Looking for your mail? <Link href="/portal">Sign in to the mail portal</Link>.
                </p>
              }
            />
          </Page>
        </CardLayout>
      </>
    );
  }

  // A partner admin requires two-step sign-in for every admin: set it up before anything else.
  if (state.session.mfaEnrolmentRequired) {
    return (
      <ForcedMfaEnrolment
        app={CONSOLE_APP}
        who={state.session.admin.email}
        path="/api/console/account/mfa"
        product="XtraMail Console"
        onDone={retry}
        onSignOut={signOutToStart}
      />
    );
  }

  return (
    <ConsoleShell session={state.session} section={section} onSignOut={signOutToStart}>
      <SectionPage section={section} rest={rest} session={state.session} />
    </ConsoleShell>
  );
}
