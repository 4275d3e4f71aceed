export const CONSOLE_APP = 'XtraMail Console';

/** `GET /api/console/session` → 200, and `POST` of the same path without its `token`. */
export interface ConsoleSession {
  admin: { email: string; role: string };
  expiresAt: string;
}

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
