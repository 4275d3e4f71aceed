import { addDays } from '../clock';
import { isEligible, type PortalUser } from '../entities/portal-user';

/** "Signed in recently" means within this many days. */
export const ACTIVE_DAYS = 90;

export interface ReadinessCounts {
  /** Users with XtraMail: Users and Discovered Users of a domain with XtraMail on. */
  users: number;
  withPassword: number;
  withBackupAddress: number;
  withMfa: number;
  signedInLast90Days: number;
  neverSignedIn: number;
  /** Can get in on the day: a password, or a backup address for a sign-in link. */
  ready: number;
}

export const READINESS_FILTERS = [
  'no-backup',
  'no-password',
  'no-mfa',
  'never-signed-in',
  'inactive-90d',
] as const;
export type ReadinessFilter = (typeof READINESS_FILTERS)[number];

export const emptyCounts = (): ReadinessCounts => ({
  users: 0,
  withPassword: 0,
  withBackupAddress: 0,
  withMfa: 0,
  signedInLast90Days: 0,
  neverSignedIn: 0,
  ready: 0,
});

export const activeSince = (now: Date): Date => addDays(now, -ACTIVE_DAYS);

export const signedInSince = (user: PortalUser, since: Date): boolean =>
  user.lastSignInAt !== undefined && Date.parse(user.lastSignInAt) >= since.getTime();

/** A temporary password still lets the user in (they choose their own at first sign-in). */
export const isReady = (user: PortalUser): boolean => Boolean(user.passwordHash || user.backupAddress);

/** Whether a user belongs in one of the dashboard's lists: each is the complement of a count. */
export function matchesFilter(user: PortalUser, filter: ReadinessFilter, now: Date): boolean {
  switch (filter) {
    case 'no-backup':
      return !user.backupAddress;
    case 'no-password':
      return !user.passwordHash;
    case 'no-mfa':
      return !user.mfaEnrolledAt;
    case 'never-signed-in':
      return !user.lastSignInAt;
    case 'inactive-90d':
      return !signedInSince(user, activeSince(now));
  }
}

/** Adds one user to the counts; users without XtraMail (wrong type, domain off) are not counted. */
export function countUser(counts: ReadinessCounts, user: PortalUser, now: Date): void {
  if (!isEligible(user.type)) return;
  counts.users++;
  if (user.passwordHash) counts.withPassword++;
  if (user.backupAddress) counts.withBackupAddress++;
  if (user.mfaEnrolledAt) counts.withMfa++;
  if (signedInSince(user, activeSince(now))) counts.signedInLast90Days++;
  if (!user.lastSignInAt) counts.neverSignedIn++;
  if (isReady(user)) counts.ready++;
}

export function addCounts(total: ReadinessCounts, more: ReadinessCounts): ReadinessCounts {
  const sum = { ...total };
  for (const key of Object.keys(sum) as (keyof ReadinessCounts)[]) sum[key] += more[key];
  return sum;
}

/** The share of users ready, 0..1; a domain without users has nobody left to prepare. */
export const readyShare = (counts: ReadinessCounts): number =>
  counts.users === 0 ? 1 : counts.ready / counts.users;
