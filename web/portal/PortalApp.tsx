import type { ComponentChildren } from 'preact';
import { useCallback } from 'preact/hooks';
import { Alert, Button } from '../shared/forms';
import { NotFound } from '../shared/NotFound';
import { BrandMark, CardLayout, Page, SkipLink } from '../shared/page';
import { Link, navigate } from '../shared/router';
import { useSession, useSignOut } from '../shared/session';
import { SignInForm } from '../shared/SignInForm';
import { EmptyState, LoadError, Loading } from '../shared/states';
import { Time } from '../shared/time';
import type { PortalSession } from './model';
import './portal.css';

const APP = 'XtraMail Mail';

export function PortalApp({ path }: { path: string[] }) {
  const { state, signIn, signOut, retry } = useSession<PortalSession>('/api/portal/session');
  const signOutToStart = useCallback(async () => {
    await signOut();
    navigate('/portal', { replace: true });
  }, [signOut]);

  if (state.status === 'loading') return <Loading label="Checking your session…" />;
  if (state.status === 'error') return <LoadError brand={APP} error={state.error} onRetry={retry} />;
  if (state.status === 'signedOut') {
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
              notice={state.notice}
              unauthorizedMessage="Email or password is incorrect, or this account has no portal access."
              footer={
                <p class="form-footer">
                  Forgotten your portal password? Ask your administrator to set a new one.
                </p>
              }
            />
          </Page>
        </CardLayout>
      </>
    );
  }

  return (
    <PortalShell session={state.session} onSignOut={signOutToStart}>
      {path.length === 0 ? (
        <Mailbox session={state.session} />
      ) : (
        <NotFound path={location.pathname} app={APP} home={{ href: '/portal', label: 'Go to your mail' }} />
      )}
    </PortalShell>
  );
}

function Mailbox({ session }: { session: PortalSession }) {
  return (
    <Page title="Your mail" app={APP}>
      <p>
        Signed in as <strong class="address">{session.user.address}</strong> until{' '}
        <Time value={session.expiresAt} />.
      </p>
      {session.mustChangePassword && (
        <Alert tone="warning" title="Change your password">
          Your administrator set a temporary password for you. You must choose your own password before you
          use the portal; the form to change it will appear here.
        </Alert>
      )}
      <EmptyState>
        <p>
          No mail yet: XtraMail copies new mail from the moment it is enabled for your domain, and keeps the
          last 30 days.
        </p>
      </EmptyState>
    </Page>
  );
}

interface PortalShellProps {
  session: PortalSession;
  onSignOut: () => Promise<void>;
  children: ComponentChildren;
}

function PortalShell({ session, onSignOut, children }: PortalShellProps) {
  const signOut = useSignOut(onSignOut);

  return (
    <>
      <SkipLink />
      <div class="portal">
        <header class="topbar">
          <Link href="/portal" class="brand">
            <BrandMark />
            <span class="brand-text">
              XtraMail <span class="brand-sub">Mail</span>
            </span>
          </Link>
          <div class="topbar-user">
            <span class="user-email" data-testid="portal-address">
              {session.user.address}
            </span>
            <Button variant="quiet" busy={signOut.busy} onClick={signOut.run}>
              Sign out
            </Button>
          </div>
        </header>
        <main id="main" class="portal-main" tabIndex={-1}>
          {signOut.error && (
            <Alert tone="error" title="Couldn't sign out">
              {signOut.error}
            </Alert>
          )}
          {children}
        </main>
      </div>
    </>
  );
}
