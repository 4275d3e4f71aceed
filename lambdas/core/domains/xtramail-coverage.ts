import { addDays } from '../clock';
import { SNAPSHOT_RETENTION_DAYS } from '../entities/message';
import type { OffPeriod, XtraMailProduct } from '../entities/domain';

/** Enough for any real on/off history within 30 days, and it keeps the domain item small. */
export const MAX_OFF_PERIODS = 10;

/**
 * What a domain's snapshots can hold: copies from `since` on, except mail received while
 * XtraMail was off in between. Copies outlive a switch-off by up to 30 days, so turning it back on
 * soon after leaves the earlier copies in people's mailboxes, with a hole where it was off.
 */
export interface XtraMailCoverage {
  since?: string;
  offPeriods: OffPeriod[];
}

export function coverageOf(product: XtraMailProduct): XtraMailCoverage {
  const since = product.copiesSince ?? product.enabledAt;
  return { ...(since ? { since } : {}), offPeriods: product.offPeriods ?? [] };
}

/**
 * The coverage fields of a product turned on again at `now`. The earlier copies count only when
 * some may still be live, that is when XtraMail went off less than 30 days ago; the oldest
 * periods give way when there are too many, and the coverage then starts after them, so it
 * never claims mail that was not copied.
 */
export function coverageOnEnable(
  previous: XtraMailProduct,
  now: Date,
): Pick<XtraMailProduct, 'copiesSince' | 'offPeriods'> {
  const expired = addDays(now, -SNAPSHOT_RETENTION_DAYS).getTime();
  const earlierSince = previous.copiesSince ?? previous.enabledAt;
  const wentOff = previous.disabledAt;
  if (!earlierSince || !wentOff || !(Date.parse(wentOff) > expired)) return {};
  let since = earlierSince;
  let offPeriods = [
    ...(previous.offPeriods ?? []).filter((period) => Date.parse(period.to) > expired),
    { from: wentOff, to: now.toISOString() },
  ];
  while (offPeriods.length > MAX_OFF_PERIODS) {
    since = offPeriods[0].to;
    offPeriods = offPeriods.slice(1);
  }
  return { copiesSince: since, offPeriods };
}
