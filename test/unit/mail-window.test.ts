import { mailWindow } from '../../lambdas/core/mailbox/list-messages';
import { windowFields } from '../../lambdas/handlers/routes/portal-routes';

const DAY = 86_400_000;
const now = new Date('2026-12-05T12:00:00.000Z');
const clock = { now: () => now };
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY).toISOString();

describe('mailWindow: what a portal user’s snapshot covers', () => {
  test('the last 30 days when XtraMail has been on longer, or its start is unknown', () => {
    for (const since of [undefined, daysAgo(45), daysAgo(30), 'not a date']) {
      expect(mailWindow(clock, since)).toEqual({ start: new Date(daysAgo(30)), startsWhenEnabled: false });
    }
  });

  test('from the moment XtraMail was turned on, when that was less than 30 days ago', () => {
    expect(mailWindow(clock, daysAgo(3))).toEqual({ start: new Date(daysAgo(3)), startsWhenEnabled: true });
    expect(mailWindow(clock, daysAgo(29.9))).toEqual({
      start: new Date(daysAgo(29.9)),
      startsWhenEnabled: true,
    });
  });

  test('as the API answers it: the flag only when the window starts at enablement', () => {
    expect(windowFields(mailWindow(clock, daysAgo(3)))).toEqual({
      windowStart: daysAgo(3),
      windowStartsWhenEnabled: true,
    });
    expect(windowFields(mailWindow(clock))).toEqual({ windowStart: daysAgo(30) });
  });
});
