import type { Table } from '../../adapters/table';
import { epochSeconds, type Clock } from '../clock';
import { AppError } from '../errors';

/**
 * Link requests per 15 minutes: 3 for one account (whether or not it exists, so the limit
 * reveals nothing), 30 from one source address. Each request counts, not only failures: every
 * request can send mail.
 */
export const LINK_REQUESTS_PER_ACCOUNT = 3;
export const LINK_REQUESTS_PER_SOURCE = 30;
export const LINK_REQUEST_WINDOW_SECONDS = 15 * 60;

export class LinkRequestRateLimit {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  /** Counts the request; throws 429 with Retry-After once the account or the source is over. */
  async take(account: string, sourceIp: string): Promise<void> {
    const now = epochSeconds(this.clock.now());
    const windowStart = Math.floor(now / LINK_REQUEST_WINDOW_SECONDS) * LINK_REQUEST_WINDOW_SECONDS;
    const windowEnd = windowStart + LINK_REQUEST_WINDOW_SECONDS;
    const counts = await Promise.all(
      [
        { id: `account#${account}`, limit: LINK_REQUESTS_PER_ACCOUNT },
        { id: `source#${sourceIp}`, limit: LINK_REQUESTS_PER_SOURCE },
      ].map(async (subject) => ({
        ...subject,
        count: await this.table.increment(
          { pk: `LINKRATE#${subject.id}`, sk: `WINDOW#${windowStart}` },
          'requests',
          1,
          { expiresAt: windowEnd + LINK_REQUEST_WINDOW_SECONDS },
        ),
      })),
    );
    if (counts.some((c) => c.count > c.limit)) {
      const retryAfter = windowEnd - now;
      throw new AppError(
        429,
        'too_many_link_requests',
        `Too many sign-in link requests. Try again in ${Math.ceil(retryAfter / 60)} minutes, or ask your administrator.`,
        { 'Retry-After': String(retryAfter) },
      );
    }
  }
}
