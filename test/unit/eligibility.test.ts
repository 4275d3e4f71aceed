import { xtramailCoversReceipt, type Domain } from '../../lambdas/core/entities/domain';
import { USER_TYPES, type PortalUser, type UserType } from '../../lambdas/core/entities/portal-user';
import { decideRecipient, type RecipientDecision } from '../../lambdas/core/ingest/eligibility';

const RECEIVED_AT = new Date('2025-03-10T09:30:00.250Z');
const HOUR = 3_600_000;

const domain = (xtramail: Domain['xtramail'], addressDiscovery = true): Domain => ({
  name: 'acme.test',
  xtramail,
  addressDiscovery,
  createdAt: '2025-01-01T00:00:00.000Z',
});

const user = (type: UserType): PortalUser => ({
  address: `someone@acme.test`,
  type,
  mustChangePassword: false,
  tokenVersion: 0,
  createdAt: '2025-01-01T00:00:00.000Z',
});

type Timing = 'before' | 'at' | 'after';
const TIMINGS: Record<Timing, number> = { before: -HOUR, at: 0, after: 1 };

/** The billable account types, written out here rather than taken from the code under test. */
const BILLABLE = new Set<string>(['user', 'discovered']);

interface Row {
  label: string;
  xtramailOn: boolean;
  timing: Timing;
  account: UserType | 'unknown';
  discovery: boolean;
  expected: RecipientDecision;
}

/** The rules, stated independently of the implementation. */
function expectedDecision(row: Omit<Row, 'label' | 'expected'>): RecipientDecision {
  const covered = row.xtramailOn && (row.timing === 'before' || row.timing === 'at');
  if (row.account === 'unknown') {
    if (!row.discovery) return { action: 'invalid-recipient', copy: false, discover: false };
    return covered
      ? { action: 'discovered', copy: true, discover: true }
      : { action: 'not-enabled', copy: false, discover: true };
  }
  if (!covered) return { action: 'not-enabled', copy: false, discover: false };
  if (!BILLABLE.has(row.account)) return { action: 'not-eligible', copy: false, discover: false };
  return { action: 'snapshot', copy: true, discover: false };
}

const rows: Row[] = [];
for (const xtramailOn of [false, true]) {
  for (const timing of Object.keys(TIMINGS) as Timing[]) {
    for (const account of [...USER_TYPES, 'unknown'] as const) {
      for (const discovery of [false, true]) {
        const row = { xtramailOn, timing, account, discovery };
        rows.push({
          ...row,
          label: `XtraMail ${xtramailOn ? 'on' : 'off'}, enabled ${timing} receipt, ${account} address, discovery ${discovery ? 'on' : 'off'}`,
          expected: expectedDecision(row),
        });
      }
    }
  }
}

describe('decideRecipient: the eligibility table', () => {
  test('the generated table covers every combination and every outcome', () => {
    expect(rows).toHaveLength(2 * 3 * (USER_TYPES.length + 1) * 2);
    const count = (action: string) => rows.filter((row) => row.expected.action === action).length;
    // covered = on × (before | at): 2 timings
    expect(count('snapshot')).toBe(2 * 2 * 2); // user, discovered × 2 timings × discovery on/off
    expect(count('discovered')).toBe(2); // unknown, discovery on, covered
    expect(count('invalid-recipient')).toBe(2 * 3); // unknown, discovery off, any product state
    expect(count('not-eligible')).toBe((USER_TYPES.length - 2) * 2 * 2);
    // uncovered = off × 3 timings + on × after: 4; every known type × discovery on/off, plus unknown with discovery
    expect(count('not-enabled')).toBe(USER_TYPES.length * 4 * 2 + 4);
  });

  test.each(rows)('$label', ({ xtramailOn, timing, account, discovery, expected }) => {
    const enabledAt = new Date(RECEIVED_AT.getTime() + TIMINGS[timing]).toISOString();
    const managed = domain({ enabled: xtramailOn, enabledAt }, discovery);
    const decision = decideRecipient(managed, account === 'unknown' ? undefined : user(account), RECEIVED_AT);
    expect(decision).toEqual(expected);
  });

  test.each([...USER_TYPES, undefined])('an unmanaged domain (account %s) is unmanaged-domain', (type) => {
    expect(decideRecipient(undefined, type ? user(type) : undefined, RECEIVED_AT)).toEqual({
      action: 'unmanaged-domain',
      copy: false,
      discover: false,
    });
  });

  test('XtraMail on without an enabledAt covers nothing', () => {
    expect(decideRecipient(domain({ enabled: true }), user('user'), RECEIVED_AT)).toEqual({
      action: 'not-enabled',
      copy: false,
      discover: false,
    });
  });
});

describe('xtramailCoversReceipt (point-forward)', () => {
  const at = (offsetMs: number) => new Date(RECEIVED_AT.getTime() + offsetMs);
  const iso = (offsetMs: number) => at(offsetMs).toISOString();

  test('on since before the receipt, or exactly at it, covers it; 1 ms later does not', () => {
    expect(xtramailCoversReceipt(domain({ enabled: true, enabledAt: iso(-HOUR) }), RECEIVED_AT)).toBe(true);
    expect(xtramailCoversReceipt(domain({ enabled: true, enabledAt: iso(0) }), RECEIVED_AT)).toBe(true);
    expect(xtramailCoversReceipt(domain({ enabled: true, enabledAt: iso(1) }), RECEIVED_AT)).toBe(false);
  });

  test('disabled, even with an old enabledAt, covers nothing', () => {
    const disabled = domain({ enabled: false, enabledAt: iso(-30 * 24 * HOUR), disabledAt: iso(-HOUR) });
    expect(xtramailCoversReceipt(disabled, RECEIVED_AT)).toBe(false);
    expect(xtramailCoversReceipt(disabled, at(-2 * HOUR))).toBe(false);
    expect(xtramailCoversReceipt(disabled, at(HOUR))).toBe(false);
  });

  test('re-enabled later: only mail received from the new enabledAt on is covered', () => {
    const reenabled = domain({ enabled: true, enabledAt: iso(0), disabledAt: iso(-2 * HOUR) });
    expect(xtramailCoversReceipt(reenabled, at(-3 * HOUR))).toBe(false); // during the first period
    expect(xtramailCoversReceipt(reenabled, at(-HOUR))).toBe(false); // while it was off
    expect(xtramailCoversReceipt(reenabled, at(-1))).toBe(false);
    expect(xtramailCoversReceipt(reenabled, RECEIVED_AT)).toBe(true);
    expect(xtramailCoversReceipt(reenabled, at(HOUR))).toBe(true);
  });
});
