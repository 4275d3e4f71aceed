import type { Table } from '../../adapters/table';
import type { AdminProfile } from '../auth/admin-sessions';
import type { Clock } from '../clock';
import { canManageDomain } from '../console/authz';
import { listDomains } from '../domains/domains';
import { normalizeDomain, type Domain } from '../entities/domain';
import { isEligible, portalUserFromItem, type PortalUser } from '../entities/portal-user';
import { badRequest } from '../errors';
import { mailFlowOverview } from '../mail-flow/manage';
import { DEFAULT_MAIL_FLOW } from '../mail-flow/settings';
import { maskAddress } from '../users/backup-address';
import {
  addCounts,
  countUser,
  emptyCounts,
  matchesFilter,
  readyShare,
  type ReadinessCounts,
  type ReadinessFilter,
} from './counts';

export interface ReadinessDeps {
  table: Table;
  clock: Clock;
}

export interface DomainReadiness {
  domain: string;
  counts: ReadinessCounts;
  checklist: {
    xtramail: { enabled: boolean; enabledAt?: string };
    mailFlow: {
      destination: { host: string; port: number } | null;
      inbound: 'deliver' | 'paused';
      status: 'good' | 'bad';
      attempts: number;
      held: number;
    };
    /** Share of users with a password or a backup address, 0..1. */
    readyShare: number;
  };
}

/** Every user of a domain, one partition Query page at a time (never a Scan). */
async function forEachUser(deps: ReadinessDeps, domain: string, visit: (user: PortalUser) => void) {
  let cursor: string | undefined;
  do {
    const page = await deps.table.query(`DOMAIN#${normalizeDomain(domain)}`, { beginsWith: 'USER#', cursor });
    page.items.map(portalUserFromItem).forEach(visit);
    cursor = page.nextCursor;
  } while (cursor);
}

/** Users with XtraMail only: a domain with it off has nobody to prepare yet. */
export async function readinessCounts(deps: ReadinessDeps, domain: Domain): Promise<ReadinessCounts> {
  const counts = emptyCounts();
  if (!domain.xtramail.enabled) return counts;
  const now = deps.clock.now();
  await forEachUser(deps, domain.name, (user) => countUser(counts, user, now));
  return counts;
}

/** One domain's counts and its checklist: XtraMail on, Mail Flow set up and Good, users ready. */
export async function domainReadiness(deps: ReadinessDeps, domain: Domain): Promise<DomainReadiness> {
  const [counts, flow] = await Promise.all([
    readinessCounts(deps, domain),
    mailFlowOverview(deps, domain.name),
  ]);
  const settings = flow.settings ?? DEFAULT_MAIL_FLOW;
  return {
    domain: domain.name,
    counts,
    checklist: {
      xtramail: {
        enabled: domain.xtramail.enabled,
        ...(domain.xtramail.enabledAt ? { enabledAt: domain.xtramail.enabledAt } : {}),
      },
      mailFlow: {
        destination: settings.destination
          ? { host: settings.destination.host, port: settings.destination.port }
          : null,
        inbound: settings.inbound,
        status: flow.status.state === 'bad' ? 'bad' : 'good',
        attempts: flow.status.attempts,
        held: flow.held.count,
      },
      readyShare: readyShare(counts),
    },
  };
}

async function domainsOf(deps: ReadinessDeps, admin: AdminProfile): Promise<Domain[]> {
  if (admin.role !== 'partner') return (await listDomains(deps, { only: admin.domains })).items;
  const domains: Domain[] = [];
  let cursor: string | undefined;
  do {
    const page = await listDomains(deps, { cursor, limit: 200 });
    domains.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return domains;
}

/** Each domain the admin manages, and the totals over them. */
export async function readinessAcrossDomains(deps: ReadinessDeps, admin: AdminProfile) {
  const domains = (await domainsOf(deps, admin)).filter((d) => canManageDomain(admin, d.name));
  const results: DomainReadiness[] = [];
  // A few domains at a time: each reads its whole user partition.
  for (let i = 0; i < domains.length; i += 4)
    results.push(...(await Promise.all(domains.slice(i, i + 4).map((d) => domainReadiness(deps, d)))));
  const totals = results.reduce((sum, r) => addCounts(sum, r.counts), emptyCounts());
  return { domains: results, totals: { ...totals, readyShare: readyShare(totals) } };
}

/** A user as the readiness lists show them; the backup address itself stays masked. */
export interface ReadinessUser {
  address: string;
  type: PortalUser['type'];
  passwordSet: boolean;
  mustChangePassword: boolean;
  backupAddress: string | null;
  mfa: boolean;
  lastSignInAt: string | null;
}

const readinessUser = (user: PortalUser): ReadinessUser => ({
  address: user.address,
  type: user.type,
  passwordSet: Boolean(user.passwordHash),
  mustChangePassword: user.mustChangePassword,
  backupAddress: user.backupAddress ? maskAddress(user.backupAddress) : null,
  mfa: Boolean(user.mfaEnrolledAt),
  lastSignInAt: user.lastSignInAt ?? null,
});

const encodeCursor = (address: string) => Buffer.from(address, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const address = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!address.includes('@')) throw badRequest('The cursor is not one this list handed out.');
  return address;
}

/**
 * A page of the users behind one dashboard figure (no backup address, never signed in, …), in
 * address order, with how many match in all. The filters are on absent attributes, which a
 * DynamoDB filter expression of this table's adapter cannot say, so the partition is read once
 * per request as the counts are; the cursor is the last address handed out.
 */
export async function readinessUsers(
  deps: ReadinessDeps,
  domain: Domain,
  filter: ReadinessFilter,
  page: { limit?: number; cursor?: string },
): Promise<{ items: ReadinessUser[]; nextCursor?: string; total: number }> {
  const limit = Math.min(page.limit ?? 50, 200);
  const after = page.cursor ? decodeCursor(page.cursor) : undefined;
  if (!domain.xtramail.enabled) return { items: [], total: 0 };
  const now = deps.clock.now();
  const matching: PortalUser[] = [];
  await forEachUser(deps, domain.name, (user) => {
    if (isEligible(user.type) && matchesFilter(user, filter, now)) matching.push(user);
  });
  matching.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const start = after ? matching.findIndex((u) => u.address > after) : 0;
  const rest = start < 0 ? [] : matching.slice(start);
  const items = rest.slice(0, limit);
  return {
    items: items.map(readinessUser),
    ...(rest.length > limit ? { nextCursor: encodeCursor(items[items.length - 1].address) } : {}),
    total: matching.length,
  };
}
