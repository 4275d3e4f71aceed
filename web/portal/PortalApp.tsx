import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { onSessionExpired, onSessionNeedsStep } from '../shared/api';
import { NotFound } from '../shared/NotFound';
import { CardLayout, Page, SkipLink } from '../shared/page';
import { navigate } from '../shared/router';
import { useSession } from '../shared/session';
import { ForcedMfaEnrolment } from '../shared/ForcedMfaEnrolment';
import { SignInForm } from '../shared/SignInForm';
import { LoadError, Loading } from '../shared/states';
import { Compose } from './Compose';
import { Mailbox, MailLayout } from './Mailbox';
import { APP, isFolder, windowFieldsOf, type MailWindowFields, type PortalSession } from './model';
import { onPasswordRequired, portalApi } from './nav';
import { ForcedPasswordChange, passwordResetOpen, Profile } from './Profile';
import { LinkPage } from './LinkPage';
import { SignInLinkRequest } from './SignInLinkRequest';
import { PortalShell } from './PortalShell';
import { MailStore } from './store';
import './portal.css';

export function PortalApp({ path }: { path: string[] }) {
  const { state, signIn, completeMfa, signOut, retry, expired } =
    useSession<PortalSession>('/api/portal/session');
  // Any portal call that finds the session gone goes back to sign in.
  useEffect(() => onSessionExpired(expired), [expired]);
  // A policy switched on meanwhile (two-step sign-in required): re-read the session to show the step.
  useEffect(() => onSessionNeedsStep(retry), [retry]);

  const signOutToStart = useCallback(async () => {
    await signOut();
    navigate('/portal', { replace: true });
  }, [signOut]);

  const session = state.status === 'signedIn' ? state.session : undefined;
  const address = session?.user.address;

  // Signing in answers without the mail window and notice: fetch them once.
  const [extras, setExtras] = useState<MailWindowFields & Pick<PortalSession, 'notice'>>({});
  useEffect(() => {
    setExtras({});
    if (!session || session.mustChangePassword || session.windowStart) return;
    const controller = new AbortController();
    portalApi
      .get<PortalSession>('/api/portal/session', controller.signal)
      .then((full) => setExtras({ ...windowFieldsOf(full), notice: full.notice }))
      .catch(() => undefined);
    return () => controller.abort();
  }, [session]);

  // A route answering 403 password_change_required means the password is still temporary.
  const [passwordRequired, setPasswordRequired] = useState(false);
  useEffect(() => onPasswordRequired(() => setPasswordRequired(true)), []);
  useEffect(() => setPasswordRequired(false), [address]);

  // One store per signed-in person, so lists never leak from one account to the next.
  const store = useMemo(() => new MailStore(), [address]);

  const [area, ...rest] = path;
  useEffect(() => {
    if (session && !session.mustChangePassword && area === undefined)
      navigate(`/portal/inbox${location.search}`, { replace: true });
  }, [session, area]);

  // A mailed link (sign-in, invitation, fire drill) signs in whatever the current session.
  if (area === 'link') {
    const continueToPortal = () => {
      navigate('/portal/inbox', { replace: true });
      retry();
    };
    return <LinkPage onSignedIn={continueToPortal} />;
  }
  if (state.status === 'loading') return <Loading label="Checking your session…" />;
  if (state.status === 'error') return <LoadError brand={APP} error={state.error} onRetry={retry} />;
  if (state.status === 'signedOut' || !session) {
    return (
      <>
        <SkipLink />
        <CardLayout brand={APP}>
          <Page
            title="Sign in to your mail"
            app={APP}
            lead="Use your usual email address and the portal password your administrator gave you."
          >
            <SignInForm
              onSignIn={signIn}
              onCode={completeMfa}
              notice={state.status === 'signedOut' ? state.notice : undefined}
              unauthorizedMessage="Email or password is incorrect, or this account has no portal access."
              footer={
                <p class="form-footer">
                  Forgotten your portal password? Email yourself a sign-in link below, then choose a new one
                  in your profile.
                </p>
              }
            />
            <SignInLinkRequest />
          </Page>
        </CardLayout>
      </>
    );
  }

  if (session.mustChangePassword || passwordRequired) {
    return (
      <ForcedPasswordChange
        address={session.user.address}
        withoutCurrent={passwordResetOpen(session)}
        onChanged={() => {
          setPasswordRequired(false);
          retry();
        }}
        onSignOut={signOutToStart}
      />
    );
  }

  // After the password (if temporary), a required two-step sign-in is set up before anything else.
  if (session.mfaEnrolmentRequired) {
    return (
      <ForcedMfaEnrolment
        app={APP}
        who={session.user.address}
        path="/api/portal/profile/mfa"
        product="XtraMail portal"
        onDone={retry}
        onSignOut={signOutToStart}
      />
    );
  }

  const windowSource = session.windowStart ? session : extras;
  const full: PortalSession = {
    ...session,
    ...windowFieldsOf(windowSource),
    notice: session.notice ?? extras.notice,
  };

  let body;
  if (area === undefined || (isFolder(area) && rest.length <= 1)) {
    body = (
      <Mailbox
        session={full}
        store={store}
        folder={isFolder(area) ? area : 'inbox'}
        messageId={rest[0] ? decodeURIComponent(rest[0]) : undefined}
      />
    );
  } else if (area === 'compose' && rest.length === 0) {
    body = <Compose session={full} store={store} />;
  } else if (area === 'profile' && rest.length === 0) {
    body = <Profile session={full} store={store} />;
  } else {
    body = (
      <MailLayout store={store} class="mail-page">
        <main id="main" class="portal-page" tabIndex={-1}>
          <NotFound
            path={location.pathname}
            app={APP}
            home={{ href: '/portal/inbox', label: 'Go to your Inbox' }}
          />
        </main>
      </MailLayout>
    );
  }

  return (
    <PortalShell session={full} onSignOut={signOutToStart} area={area ?? 'inbox'}>
      {body}
    </PortalShell>
  );
}
