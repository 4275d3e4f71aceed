import { addDays } from '../../lambdas/core/clock';
import { domainToItem, type Domain } from '../../lambdas/core/entities/domain';
import { logEntryToItem } from '../../lambdas/core/entities/log-entry';
import { messageId, type SnapshotMessage } from '../../lambdas/core/entities/message';
import { portalUserToItem, type PortalUser, type UserType } from '../../lambdas/core/entities/portal-user';
import { deliveryStates } from '../../lambdas/core/mailbox/delivery-state';
import { storedStatusToItem } from '../../lambdas/core/mail-flow/status';
import { countUser, emptyCounts, matchesFilter, readyShare } from '../../lambdas/core/readiness/counts';
import { outageStatus } from '../../lambdas/core/readiness/outage-status';
import {
  domainReadiness,
  readinessAcrossDomains,
  readinessUsers,
} from '../../lambdas/core/readiness/readiness';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

const clock = new ManualClock('2025-06-01T12:00:00.000Z');
const now = clock.now();
const daysAgo = (n: number) => addDays(now, -n).toISOString();

const person = (address: string, extra: Partial<PortalUser> = {}, type: UserType = 'user'): PortalUser => ({
  address,
  type,
  mustChangePassword: false,
  tokenVersion: 0,
  createdAt: daysAgo(200),
  ...extra,
});

const domain = (name: string, enabled = true, mailFlow?: Domain['mailFlow']): Domain => ({
  name,
  xtramail: enabled ? { enabled, enabledAt: daysAgo(100) } : { enabled },
  addressDiscovery: true,
  createdAt: daysAgo(300),
  ...(mailFlow ? { mailFlow } : {}),
});

describe('counting', () => {
  test('each figure, its list filter as the complement, and ready = password or backup address', () => {
    const users = [
      person('a@x.test', { passwordHash: 'h', lastSignInAt: daysAgo(1), mfaEnrolledAt: daysAgo(5) }),
      person('b@x.test', { backupAddress: 'b@home.example', lastSignInAt: daysAgo(91) }),
      person('c@x.test', { lastSignInAt: daysAgo(90) }),
      person('d@x.test', { passwordHash: 'h', mustChangePassword: true }, 'discovered'),
      person('list@x.test', { passwordHash: 'h', lastSignInAt: daysAgo(1) }, 'mailing_list'),
    ];
    const counts = emptyCounts();
    for (const user of users) countUser(counts, user, now);
    expect(counts).toEqual({
      users: 4,
      withPassword: 2,
      withBackupAddress: 1,
      withMfa: 1,
      signedInLast90Days: 2,
      neverSignedIn: 1,
      ready: 3,
    });
    expect(readyShare(counts)).toBe(0.75);
    const eligible = users.slice(0, 4);
    const who = (filter: Parameters<typeof matchesFilter>[1]) =>
      eligible.filter((u) => matchesFilter(u, filter, now)).map((u) => u.address[0]);
    expect(who('no-password')).toEqual(['b', 'c']);
    expect(who('no-backup')).toEqual(['a', 'c', 'd']);
    expect(who('no-mfa')).toEqual(['b', 'c', 'd']);
    expect(who('never-signed-in')).toEqual(['d']);
    expect(who('inactive-90d')).toEqual(['b', 'd']);
  });

  test('a domain with nobody to prepare counts as fully ready', () => {
    expect(readyShare(emptyCounts())).toBe(1);
  });
});

describe('with a table', () => {
  let table: MemoryTable;
  const deps = () => ({ table, clock });

  beforeEach(async () => {
    table = new MemoryTable();
    await table.putAll([
      domainToItem(domain('on.test')),
      domainToItem(domain('off.test', false)),
      domainToItem(domain('other.test')),
      { pk: 'DOMAINS', sk: 'on.test', type: 'domain-directory' },
      { pk: 'DOMAINS', sk: 'off.test', type: 'domain-directory' },
      { pk: 'DOMAINS', sk: 'other.test', type: 'domain-directory' },
      // Local parts whose sort-key order differs from their address order ("a.b" vs "a").
      ...['a', 'a.b', 'c', 'd', 'e'].map((local) => portalUserToItem(person(`${local}@on.test`))),
      portalUserToItem(person('x@off.test')),
      portalUserToItem(person('y@other.test', { passwordHash: 'h' })),
    ]);
  });

  test('a domain with XtraMail off has no users with XtraMail', async () => {
    const readiness = await domainReadiness(deps(), domain('off.test', false));
    expect(readiness.counts.users).toBe(0);
    expect(readiness.checklist.xtramail.enabled).toBe(false);
    expect(readiness.checklist.mailFlow).toMatchObject({ destination: null, inbound: 'deliver' });
  });

  test('lists page through every match once, in address order, with the total', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await readinessUsers(deps(), domain('on.test'), 'no-password', { limit: 2, cursor });
      expect(page.total).toBe(5);
      seen.push(...page.items.map((u) => u.address));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['a.b@on.test', 'a@on.test', 'c@on.test', 'd@on.test', 'e@on.test']);
  });

  test('lists show the backup address masked', async () => {
    await table.put(portalUserToItem(person('c@on.test', { backupAddress: 'carol@home.example' })));
    const page = await readinessUsers(deps(), domain('on.test'), 'no-password', {});
    expect(page.items.find((u) => u.address === 'c@on.test')?.backupAddress).toBe('ca***@h***.example');
  });

  test('across domains: a domain admin sees only their grants, a partner all, with totals', async () => {
    const scoped = await readinessAcrossDomains(deps(), {
      email: 'da@x.test',
      role: 'domain',
      domains: ['on.test'],
    } as never);
    expect(scoped.domains.map((d) => d.domain)).toEqual(['on.test']);
    expect(scoped.totals.users).toBe(5);
    const all = await readinessAcrossDomains(deps(), {
      email: 'p@x.test',
      role: 'partner',
      domains: [],
    } as never);
    expect(all.domains.map((d) => d.domain).sort()).toEqual(['off.test', 'on.test', 'other.test']);
    expect(all.totals).toMatchObject({ users: 6, withPassword: 1, ready: 1 });
  });

  test('outage status: paused with the notice, Bad from the stored status, otherwise none', async () => {
    expect(await outageStatus(deps(), 'a@on.test')).toEqual({ outage: false });
    await table.put(
      storedStatusToItem({ domain: 'on.test', status: 'Bad', changedAt: new Date(daysAgo(0)) }),
    );
    expect(await outageStatus(deps(), 'a@on.test')).toMatchObject({ outage: true, reason: 'bad' });
    await table.put(
      domainToItem(
        domain('on.test', true, { inbound: 'paused', goodThreshold: 0.9, notice: ' Exchange is down ' }),
      ),
    );
    expect(await outageStatus(deps(), 'a@on.test')).toEqual({
      outage: true,
      reason: 'paused',
      notice: 'Exchange is down',
    });
  });

  test("delivery state comes from the recipient's log entry; Sent items and unlogged mail have none", async () => {
    const receivedAt = new Date(daysAgo(1));
    const message = (id: string, ses: string, folder: 'inbox' | 'sent' = 'inbox') =>
      ({ id, mailbox: 'a@on.test', folder, receivedAt, sesMessageId: ses }) as SnapshotMessage;
    await table.put({
      ...logEntryToItem({
        sesMessageId: 'ses1',
        receivedAt,
        envelopeSender: 's@out.example',
        recipient: 'a@on.test',
        from: 's@out.example',
        subject: 'x',
        size: 1,
        verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
        action: 'snapshot',
      }),
      delivery: 'held',
    });
    const ids = [messageId('inbox', receivedAt, 'ses1'), messageId('inbox', receivedAt, 'ses2')];
    const states = await deliveryStates({ table }, [
      message(ids[0], 'ses1'),
      message(ids[1], 'ses2'),
      message('s1', 'ses1', 'sent'),
    ]);
    expect(Object.fromEntries(states)).toEqual({ [ids[0]]: { state: 'held' } });
  });

  test('a copy that came for a + tag reads the log entry of the address it came for', async () => {
    const receivedAt = new Date(daysAgo(1));
    await table.put({
      ...logEntryToItem({
        sesMessageId: 'ses3',
        receivedAt,
        envelopeSender: 's@out.example',
        recipient: 'a+news@on.test',
        from: 's@out.example',
        subject: 'x',
        size: 1,
        verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
        action: 'snapshot',
      }),
      delivery: 'delivered',
    });
    const id = messageId('inbox', receivedAt, 'ses3');
    const copy = {
      id,
      mailbox: 'a@on.test',
      recipient: 'a+news@on.test',
      folder: 'inbox',
      receivedAt,
      sesMessageId: 'ses3',
    };
    const states = await deliveryStates({ table }, [copy as SnapshotMessage]);
    expect(Object.fromEntries(states)).toEqual({ [id]: { state: 'delivered' } });
  });
});
