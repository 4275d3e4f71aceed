import { NotFound } from '../shared/NotFound';
import { Page } from '../shared/page';
import { EmptyState } from '../shared/states';
import { Time } from '../shared/time';
import { CONSOLE_APP as APP, type ConsoleSession, roleLabel } from './model';

interface SectionPageProps {
  section: string;
  rest: string[];
  session: ConsoleSession;
}

export function SectionPage({ section, rest, session }: SectionPageProps) {
  const notFound = (
    <NotFound
      path={location.pathname}
      app={APP}
      home={{ href: '/console/domains', label: 'Go to Domains' }}
    />
  );
  if (rest.length > 0) return notFound;

  switch (section) {
    case 'domains':
      return (
        <Page title="Domains" app={APP}>
          <EmptyState>
            <p>
              No domains yet. Add the domains this deployment manages; XtraMail copies new mail from the
              moment it is enabled.
            </p>
          </EmptyState>
        </Page>
      );
    case 'readiness':
      return (
        <Page title="Readiness" app={APP}>
          <EmptyState>
            <p>
              Readiness: for each domain, a checklist of what must be in place before an outage (mail reaching
              XtraMail, the primary server to deliver to, and users who can sign in to the portal).
            </p>
          </EmptyState>
        </Page>
      );
    case 'audit':
      return (
        <Page title="Audit" app={APP}>
          <EmptyState>
            <p>Audit log: every admin action, kept 90 days.</p>
          </EmptyState>
        </Page>
      );
    case 'tokens':
      return (
        <Page title="Tokens" app={APP}>
          <EmptyState>
            <p>
              API tokens: for scripts and automation, sent as <code>Authorization: Bearer …</code>. Each token
              is shown once when created and stored only as a hash.
            </p>
          </EmptyState>
        </Page>
      );
    case 'account':
      return (
        <Page title="Account" app={APP}>
          <dl class="details">
            <div>
              <dt>Email</dt>
              <dd>{session.admin.email}</dd>
            </div>
            <div>
              <dt>Role</dt>
              <dd>{roleLabel(session.admin.role)}</dd>
            </div>
            <div>
              <dt>Session ends</dt>
              <dd>
                <Time value={session.expiresAt} />
              </dd>
            </div>
          </dl>
          <EmptyState>
            <p>Account settings: changing your password will be here.</p>
          </EmptyState>
        </Page>
      );
    default:
      return notFound;
  }
}
