import type { BadgeTone } from '../shared/Badge';

export const CONSOLE_APP = 'XtraMail Console';

export type AdminRole = 'partner' | 'domain';

/** `GET /api/console/session` → 200, and `POST` of the same path without its `token`. */
export interface ConsoleSession {
  admin: { email: string; role: AdminRole | string; domains?: string[] };
  expiresAt: string;
  /** Every admin must use two-step sign-in and this one has none yet. */
  mfaEnrolmentRequired?: boolean;
}

export const isPartner = (session: ConsoleSession) => session.admin.role === 'partner';

export interface List<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface Domain {
  name: string;
  xtramail: { enabled: boolean; enabledAt?: string; disabledAt?: string };
  addressDiscovery: boolean;
  createdAt: string;
}

export interface DomainDetail {
  domain: Domain;
  overview: {
    usersByType: Partial<Record<string, number>>;
    totalUsers: number;
    usersWithPassword: number;
    messagesLast24h: number;
  };
}

export const USER_TYPES = [
  { value: 'user', label: 'User', plural: 'Users' },
  { value: 'discovered', label: 'Discovered User', plural: 'Discovered Users' },
  { value: 'mailing_list', label: 'Mailing List', plural: 'Mailing Lists' },
  { value: 'alias', label: 'Alias', plural: 'Aliases' },
  { value: 'shared_mailbox', label: 'Shared Mailbox', plural: 'Shared Mailboxes' },
  { value: 'system', label: 'System account', plural: 'System accounts' },
] as const;

export type UserType = (typeof USER_TYPES)[number]['value'];

/** Only these types are billable: they get a snapshot and can sign in to the portal. */
export const isEligibleType = (type: string) => type === 'user' || type === 'discovered';

export const userTypeLabel = (type: string) => USER_TYPES.find((t) => t.value === type)?.label ?? type;

export interface User {
  address: string;
  type: UserType;
  /** XtraMail applies: the domain is enabled and the type is User or Discovered User. */
  xtramail: boolean;
  passwordSet: boolean;
  mustChangePassword: boolean;
  /** A personal mailbox outside the domain is on file for sign-in links. */
  backupAddressSet?: boolean;
  mfaEnrolled?: boolean;
  createdAt: string;
}

export interface UserList extends List<User> {
  /** Users matching the filter, across all pages. */
  total: number;
}

/** Why XtraMail does or doesn't keep a snapshot for this user, in words. */
export function xtramailReason(user: User, domain: Domain | undefined): string {
  if (user.xtramail) return 'A snapshot of new mail is kept for 30 days';
  const never: Partial<Record<string, string>> = {
    mailing_list: 'Mailing lists never get a snapshot',
    alias: 'Aliases never get a snapshot',
    shared_mailbox: 'Shared mailboxes never get a snapshot',
    system: 'System accounts never get a snapshot',
  };
  return (
    never[user.type] ??
    (domain && !domain.xtramail.enabled ? 'XtraMail is off for this domain' : 'Not covered')
  );
}

export interface PasswordResult {
  updated: number;
  generated?: { address: string; password: string }[];
  refused: { address: string; reason: string }[];
}

export type Verdict = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'DISABLED';

export interface LogEntry {
  id: string;
  receivedAt: string;
  envelopeSender: string;
  recipient: string;
  from: string;
  subject: string;
  size: number;
  verdicts: { spam: Verdict; virus: Verdict; spf: Verdict; dkim: Verdict; dmarc: Verdict };
  action: string;
}

export const LOG_ACTIONS: Record<string, { label: string; tone: BadgeTone; explanation: string }> = {
  snapshot: {
    label: 'Snapshot',
    tone: 'success',
    explanation:
      "Copied into the recipient's XtraMail snapshot. It can be read in the portal for 30 days after it arrived.",
  },
  discovered: {
    label: 'Discovered',
    tone: 'success',
    explanation:
      'The address was new to XtraMail, so address discovery added it as a Discovered User, and the message was copied into its snapshot.',
  },
  'not-enabled': {
    label: 'Not enabled',
    tone: 'neutral',
    explanation:
      'Not copied: XtraMail was off for this domain when the message arrived. Copying starts the moment XtraMail is turned on and is never retroactive.',
  },
  'not-eligible': {
    label: 'Not eligible',
    tone: 'neutral',
    explanation:
      'Not copied: the recipient is a mailing list, alias, shared mailbox or system account. Only Users and Discovered Users get a snapshot.',
  },
  'invalid-recipient': {
    label: 'Invalid recipient',
    tone: 'warning',
    explanation:
      "Not copied: the address isn't a known user of this domain and address discovery is off. Add the user on the Users tab, or turn on address discovery.",
  },
  'unmanaged-domain': {
    label: 'Unmanaged domain',
    tone: 'warning',
    explanation: "Not copied: the recipient's domain isn't one of the domains this deployment manages.",
  },
  unparseable: {
    label: 'Unparseable',
    tone: 'warning',
    explanation:
      "Copied, but the message's structure couldn't be read, so the portal shows its original source instead of a formatted view.",
  },
};

export const VERDICT_NAMES = [
  ['spam', 'Spam'],
  ['virus', 'Virus'],
  ['spf', 'SPF'],
  ['dkim', 'DKIM'],
  ['dmarc', 'DMARC'],
] as const;

export const VERDICTS: Record<Verdict, { label: string; tone: BadgeTone }> = {
  PASS: { label: 'Pass', tone: 'success' },
  FAIL: { label: 'Fail', tone: 'danger' },
  GRAY: { label: 'Gray', tone: 'neutral' },
  PROCESSING_FAILED: { label: 'Processing failed', tone: 'warning' },
  DISABLED: { label: 'Disabled', tone: 'neutral' },
};

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt?: string | null;
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  target: string;
  details?: unknown;
}

/** `/api/console/domains/example.com` and deeper. */
export const domainApi = (domain: string, rest = '') =>
  `/api/console/domains/${encodeURIComponent(domain)}${rest}`;
export const domainHref = (domain: string, tab = 'overview') =>
  `/console/domains/${encodeURIComponent(domain)}/${tab}`;

/** The left rail, in order. Icons are 24×24 stroke paths. */
export const SECTIONS = [
  {
    slug: 'domains',
    label: 'Domains',
    icon: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3z',
  },
  { slug: 'readiness', label: 'Readiness', icon: 'M4 12.5l5 5L20 6.5' },
  { slug: 'audit', label: 'Audit', icon: 'M7 3h10v18H7zM10 8h4M10 12h4M10 16h2' },
  {
    slug: 'tokens',
    label: 'Tokens',
    icon: 'M14 10a4 4 0 1 1-1.2-2.8A4 4 0 0 1 14 10zM13 13l7 7M17 17l2-2M15 15l2-2',
  },
  {
    slug: 'account',
    label: 'Account',
    icon: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c1.2-4 4.3-6 8-6s6.8 2 8 6',
  },
] as const;

/** `partner` → "Partner admin"; also accepts `partner_admin`, `domain-admin` and the like. */
export function roleLabel(role: string): string {
  const base = role
    .replace(/[-_\s]*admin$/i, '')
    .replace(/[-_]+/g, ' ')
    .trim();
  if (!base) return 'Admin';
  return `${base.charAt(0).toUpperCase()}${base.slice(1).toLowerCase()} admin`;
}

const sizeFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${sizeFormat.format(bytes / 1024)} KB`;
  return `${sizeFormat.format(bytes / (1024 * 1024))} MB`;
}

const countFormat = new Intl.NumberFormat();
export const formatCount = (n: number) => countFormat.format(n);

/** "1 user", "3 users". */
export const plural = (n: number, one: string, many = `${one}s`) =>
  `${formatCount(n)} ${n === 1 ? one : many}`;
