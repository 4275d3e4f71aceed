import { NotFound } from '../shared/NotFound';
import { AccountPage } from './AccountPage';
import { AuditPage } from './AuditPage';
import { DomainPage } from './DomainPage';
import { DomainsPage } from './DomainsPage';
import { ReadinessPage } from './ReadinessPage';
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
  if (section === 'readiness' && rest.length <= 1) {
    const domain = rest[0] === undefined ? undefined : decode(rest[0]);
    if (rest.length === 1 && !domain) return notFound;
    return <ReadinessPage domain={domain} />;
  }
  if (rest.length > 0) return notFound;

  switch (section) {
    case 'domains':
      return <DomainsPage session={session} />;
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
