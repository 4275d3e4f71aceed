import {
  ATTEMPT_WINDOW,
  MAX_REPLY_LENGTH,
  SHOWN_REPLIES,
  attemptFromItem,
  attemptKey,
  attemptQuery,
  attemptToItem,
  mailFlowStatus,
  statusChange,
  storedStatusFromItem,
  storedStatusKey,
  storedStatusToItem,
  type DeliveryAttempt,
} from '../../lambdas/core/mail-flow/status';
import type { DeliveryOutcome } from '../../lambdas/core/mail-flow/retry';

const start = Date.parse('2025-03-01T00:00:00.000Z');

/** Attempts one minute apart, oldest first, with the given outcomes. */
const attempts = (outcomes: DeliveryOutcome[], from = start): DeliveryAttempt[] =>
  outcomes.map((outcome, i) => ({
    domain: 'example.com',
    at: new Date(from + i * 60_000),
    id: `m${i}`,
    outcome,
    ...(outcome === 'delivered' ? {} : { code: outcome === 'failed' ? 550 : 451 }),
    response: outcome === 'delivered' ? `250 ok ${i}` : `${outcome === 'failed' ? 550 : 451} no ${i}`,
  }));

const mix = (good: number, bad: number): DeliveryOutcome[] => [
  ...Array<DeliveryOutcome>(bad).fill('deferred'),
  ...Array<DeliveryOutcome>(good).fill('delivered'),
];

describe('mailFlowStatus', () => {
  // "At least 90% of the last 25": 22.5 successes needed, so 23 (2 failures) is Good and
  // 22 (3 failures, 88%) is already Bad.
  test('25 attempts with 2 failures is Good at the default 0.9', () => {
    const report = mailFlowStatus(attempts(mix(23, 2)));
    expect(report).toMatchObject({ status: 'Good', attempts: 25, succeeded: 23 });
    expect(report.successRate).toBeCloseTo(0.92, 10);
  });

  test('25 attempts with 3 or 4 failures is Bad at the default 0.9', () => {
    expect(mailFlowStatus(attempts(mix(22, 3)))).toMatchObject({ status: 'Bad', succeeded: 22 });
    expect(mailFlowStatus(attempts(mix(21, 4))).status).toBe('Bad');
  });

  test('3 failures of 25 (88%) is Good once the threshold is 0.88', () => {
    expect(mailFlowStatus(attempts(mix(22, 3)), 0.88).status).toBe('Good');
    expect(mailFlowStatus(attempts(mix(21, 4)), 0.88).status).toBe('Bad');
  });

  test('exactly at the threshold is Good (9 of 10 at 0.9)', () => {
    expect(mailFlowStatus(attempts(mix(9, 1)), 0.9).status).toBe('Good');
    expect(mailFlowStatus(attempts(mix(8, 2)), 0.9).status).toBe('Bad');
  });

  test('the threshold is configurable', () => {
    const list = attempts(mix(21, 4));
    expect(mailFlowStatus(list, 0.8).status).toBe('Good');
    expect(mailFlowStatus(list, 0.85).status).toBe('Bad');
    expect(mailFlowStatus(attempts(mix(24, 1)), 1).status).toBe('Bad');
    expect(mailFlowStatus(attempts(mix(0, 25)), 0).status).toBe('Good');
  });

  test('only the latest 25 attempts count, in whatever order they are given', () => {
    // 10 old failures, then 25 successes: the failures have left the window.
    const list = attempts([
      ...Array<DeliveryOutcome>(10).fill('failed'),
      ...Array<DeliveryOutcome>(25).fill('delivered'),
    ]);
    expect(ATTEMPT_WINDOW).toBe(25);
    const shuffled = [...list].sort((a, b) => (a.id.length - b.id.length) * 7 + (a.id < b.id ? 1 : -1));
    expect(mailFlowStatus(shuffled)).toMatchObject({ status: 'Good', attempts: 25, succeeded: 25 });
    // And the other way round: recent failures count, older successes have left.
    const recentBad = attempts([
      ...Array<DeliveryOutcome>(25).fill('delivered'),
      ...Array<DeliveryOutcome>(10).fill('failed'),
    ]);
    expect(mailFlowStatus(recentBad)).toMatchObject({ status: 'Bad', attempts: 25, succeeded: 15 });
  });

  test('with fewer than 25 attempts it judges what there is; none is Good', () => {
    expect(mailFlowStatus([])).toMatchObject({ status: 'Good', attempts: 0, succeeded: 0, successRate: 1 });
    expect(mailFlowStatus(attempts(['delivered', 'delivered', 'deferred'])).status).toBe('Bad');
    expect(mailFlowStatus(attempts(['delivered'])).status).toBe('Good');
    expect(mailFlowStatus(attempts(['failed'])).status).toBe('Bad');
  });

  test('keeps the latest SMTP replies, newest first, truncated for display', () => {
    const list = attempts(mix(10, 2));
    list[list.length - 1].response = `250 ${'x'.repeat(2000)}`;
    const { lastReplies } = mailFlowStatus(list);
    expect(lastReplies).toHaveLength(SHOWN_REPLIES);
    expect(lastReplies[0].at).toBe(list[list.length - 1].at.toISOString());
    expect(lastReplies[0].response.length).toBe(MAX_REPLY_LENGTH);
    expect(lastReplies[1]).toEqual({
      at: list[10].at.toISOString(),
      outcome: 'delivered',
      response: '250 ok 10',
    });
    const failures = mailFlowStatus(attempts(['failed'])).lastReplies;
    expect(failures).toEqual([
      { at: new Date(start).toISOString(), outcome: 'failed', code: 550, response: '550 no 0' },
    ]);
  });
});

describe('statusChange', () => {
  test('alerts only when the status flips', () => {
    expect(statusChange('Good', 'Good')).toEqual({ alert: false });
    expect(statusChange('Bad', 'Bad')).toEqual({ alert: false });
    expect(statusChange('Good', 'Bad')).toEqual({ alert: true, from: 'Good', to: 'Bad' });
    expect(statusChange('Bad', 'Good')).toEqual({ alert: true, from: 'Bad', to: 'Good' });
  });

  test('a domain without a stored status starts Good', () => {
    expect(statusChange(undefined, 'Good')).toEqual({ alert: false });
    expect(statusChange(undefined, 'Bad')).toEqual({ alert: true, from: 'Good', to: 'Bad' });
  });

  test('a run of attempts going down and back up alerts once each way', () => {
    const outcomes: DeliveryOutcome[] = [...mix(25, 0), ...mix(0, 10), ...mix(40, 0)];
    const all = attempts(outcomes);
    let previous: 'Good' | 'Bad' | undefined;
    const alerts: string[] = [];
    for (let i = 1; i <= all.length; i++) {
      const { status } = mailFlowStatus(all.slice(0, i));
      const change = statusChange(previous, status);
      if (change.alert) alerts.push(`${change.from}->${change.to}`);
      previous = status;
    }
    expect(alerts).toEqual(['Good->Bad', 'Bad->Good']);
  });
});

describe('attempt records', () => {
  const attempt: DeliveryAttempt = {
    domain: 'Example.COM',
    at: new Date('2025-03-09T23:59:58.123Z'),
    id: 'abc-1',
    outcome: 'deferred',
    code: 451,
    response: '451 4.3.0 later',
    sesMessageId: 'ses-1',
  };

  test('are keyed FLOW#<domain> / ATTEMPT#<iso>#<id>, so a Query newest-first gives the window', () => {
    expect(attemptKey(attempt)).toEqual({
      pk: 'FLOW#example.com',
      sk: 'ATTEMPT#2025-03-09T23:59:58.123Z#abc-1',
    });
    expect(attemptQuery('EXAMPLE.com')).toEqual({
      pk: 'FLOW#example.com',
      skPrefix: 'ATTEMPT#',
      newestFirst: true,
      limit: 25,
    });
  });

  test('expire 14 days after the attempt and round-trip', () => {
    const item = attemptToItem(attempt);
    expect(item.expiresAt).toBe(Math.floor(attempt.at.getTime() / 1000) + 14 * 86400);
    expect(attemptFromItem(item)).toEqual({ ...attempt, domain: 'example.com' });
  });

  test('leave out absent optional fields', () => {
    const item = attemptToItem({
      domain: 'example.com',
      at: attempt.at,
      id: 'x',
      outcome: 'delivered',
      response: '250',
    });
    expect(Object.values(item)).not.toContain(undefined);
    expect(attemptFromItem(item)).toEqual({
      domain: 'example.com',
      at: attempt.at,
      id: 'x',
      outcome: 'delivered',
      response: '250',
    });
  });
});

describe('the stored status', () => {
  test('lives beside the attempts and round-trips', () => {
    const stored = {
      domain: 'example.com',
      status: 'Bad' as const,
      changedAt: new Date('2025-03-01T00:00:00Z'),
    };
    expect(storedStatusKey('Example.com')).toEqual({ pk: 'FLOW#example.com', sk: 'STATUS' });
    expect(storedStatusFromItem(storedStatusToItem(stored))).toEqual(stored);
  });
});
