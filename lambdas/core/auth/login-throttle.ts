import type { Table } from '../../adapters/table';
import type { Clock } from '../clock';
import { epochSeconds } from '../clock';
import { AppError } from '../errors';

/**
 * 5 failures on one account, or 50 from one source address, lock that account or address out
 * for 15 minutes from the failure that reached the limit. Failures are counted in 15-minute
 * windows (one atomic counter each, so concurrent attempts are all counted).
 */
export const ACCOUNT_FAILURE_LIMIT = 5;
export const SOURCE_FAILURE_LIMIT = 50;
export const LOCKOUT_SECONDS = 15 * 60;

interface Subject {
  kind: 'account' | 'source';
  id: string;
  limit: number;
}

const subjects = (account: string, sourceIp: string): Subject[] => [
  { kind: 'account', id: account, limit: ACCOUNT_FAILURE_LIMIT },
  { kind: 'source', id: sourceIp, limit: SOURCE_FAILURE_LIMIT },
];

const windowStart = (now: Date) => Math.floor(epochSeconds(now) / LOCKOUT_SECONDS) * LOCKOUT_SECONDS;
const partition = (scope: string, subject: Subject) => `THROTTLE#${scope}#${subject.kind}#${subject.id}`;
const counterKey = (scope: string, subject: Subject, now: Date) => ({
  pk: partition(scope, subject),
  sk: `WINDOW#${windowStart(now)}`,
});
const lockKey = (scope: string, subject: Subject) => ({ pk: partition(scope, subject), sk: 'LOCK' });

export class LoginThrottle {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    /** Passwords and MFA codes keep separate counts: a right password must not reset the code count. */
    private readonly scope: 'console' | 'portal' | 'console-mfa' | 'portal-mfa',
  ) {}

  /** Throws 429 with Retry-After while the account or the source is locked out. */
  async assertAllowed(account: string, sourceIp: string): Promise<void> {
    const now = epochSeconds(this.clock.now());
    for (const subject of subjects(account, sourceIp)) {
      const lock = await this.table.get(lockKey(this.scope, subject));
      const lockedUntil = Number(lock?.lockedUntil ?? 0);
      if (lockedUntil > now) {
        const retryAfter = lockedUntil - now;
        throw new AppError(
          429,
          'too_many_attempts',
          `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfter / 60)} minutes.`,
          { 'Retry-After': String(retryAfter) },
        );
      }
    }
  }

  async recordFailure(account: string, sourceIp: string): Promise<void> {
    const now = this.clock.now();
    await Promise.all(
      subjects(account, sourceIp).map(async (subject) => {
        const failures = await this.table.increment(counterKey(this.scope, subject, now), 'failures', 1, {
          expiresAt: windowStart(now) + 2 * LOCKOUT_SECONDS,
        });
        if (failures < subject.limit) return;
        const lockedUntil = epochSeconds(now) + LOCKOUT_SECONDS;
        await this.table.put({ ...lockKey(this.scope, subject), lockedUntil, expiresAt: lockedUntil });
        await this.table.delete(counterKey(this.scope, subject, now));
      }),
    );
  }

  /** A successful sign-in clears the account's failure count, not the source's. */
  async recordSuccess(account: string): Promise<void> {
    await this.table.delete(counterKey(this.scope, subjects(account, '')[0], this.clock.now()));
  }
}
