import { NotFound } from '../shared/NotFound';
import { Page } from '../shared/page';
import { EmptyState } from '../shared/states';
import { AccountPage } from './AccountPage';
import { AuditPage } from './AuditPage';
import { DomainPage } from './DomainPage';
import { DomainsPage } from './DomainsPage';
import { CONSOLE_APP as APP, type ConsoleSession } from './model';
import { TokensPage } from './TokensPage';

interface SectionPageProps {
  section: string;
  rest: string[];
  session: ConsoleSession;
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function SectionPage({ section, rest, session }: SectionPageProps) {
  const notFound = (
    <NotFound
      path={location.pathname}
      app={APP}
      home={{ href: '/console/domains', label: 'Go to Domains' }}
    />
  );

  if (section === 'domains' && rest.length > 0 && rest.length <= 2) {
    const domain = decode(rest[0]);
    if (!domain) return notFound;
    return <DomainPage key={domain} domain={domain} tab={rest[1]} session={session} />;
  }
  if (rest.length > 0) return notFound;

  switch (section) {
    case 'domains':
      return <DomainsPage session={session} />;
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
      return <AuditPage session={session} />;
    case 'tokens':
      return <TokensPage />;
    case 'account':
      return <AccountPage session={session} />;
    default:
      return notFound;
  }
}
