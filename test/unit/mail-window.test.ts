import { mailWindow } from '../../lambdas/core/mailbox/list-messages';
import { windowFields } from '../../lambdas/handlers/routes/portal-routes';

const DAY = 86_400_000;
const now = new Date('2026-12-05T12:00:00.000Z');
const clock = { now: () => now };
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
const since = (at?: string) => ({ ...(at ? { since: at } : {}), offPeriods: [] });

describe('mailWindow: what a portal user’s snapshot covers', () => {
  test('the last 30 days when XtraMail has been on longer, or its start is unknown', () => {
    for (const coverage of [
      undefined,
      since(),
      since(daysAgo(45)),
      since(daysAgo(30)),
      since('not a date'),
    ]) {
      expect(mailWindow(clock, coverage)).toEqual({
        start: new Date(daysAgo(30)),
        startsWhenEnabled: false,
        gaps: [],
      });
    }
  });

  test('from the moment XtraMail was turned on, when that was less than 30 days ago', () => {
    expect(mailWindow(clock, since(daysAgo(3)))).toEqual({
      start: new Date(daysAgo(3)),
      startsWhenEnabled: true,
      gaps: [],
    });
    expect(mailWindow(clock, since(daysAgo(29.9)))).toMatchObject({
      start: new Date(daysAgo(29.9)),
      startsWhenEnabled: true,
    });
  });

  test('less the times XtraMail was off, clipped to the window, oldest first, empty or invalid ones dropped', () => {
    const shown = mailWindow(clock, {
      since: daysAgo(40),
      offPeriods: [
        { from: daysAgo(10), to: daysAgo(8) },
        { from: daysAgo(35), to: daysAgo(25) },
        { from: daysAgo(38), to: daysAgo(31) },
        { from: daysAgo(5), to: daysAgo(5) },
        { from: 'not a date', to: daysAgo(1) },
      ],
    });
    expect(shown).toEqual({
      start: new Date(daysAgo(30)),
      startsWhenEnabled: false,
      gaps: [
        { from: new Date(daysAgo(30)), to: new Date(daysAgo(25)) },
        { from: new Date(daysAgo(10)), to: new Date(daysAgo(8)) },
      ],
    });
  });

  test('as the API answers it: the flag only when the window starts at enablement, gaps only when there are any', () => {
    expect(windowFields(mailWindow(clock, since(daysAgo(3))))).toEqual({
      windowStart: daysAgo(3),
      windowStartsWhenEnabled: true,
    });
    expect(windowFields(mailWindow(clock))).toEqual({ windowStart: daysAgo(30) });
    expect(
      windowFields(
        mailWindow(clock, { since: daysAgo(20), offPeriods: [{ from: daysAgo(9), to: daysAgo(2) }] }),
      ),
    ).toEqual({
      windowStart: daysAgo(20),
      windowStartsWhenEnabled: true,
      windowGaps: [{ from: daysAgo(9), to: daysAgo(2) }],
    });
  });
});
