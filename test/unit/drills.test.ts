import { consumeLink } from '../../lambdas/core/auth/sign-in-links';
import { getDrill, listDrills, recordDrillCompletion, startDrill } from '../../lambdas/core/drills/drills';
import type { Domain } from '../../lambdas/core/entities/domain';
import { portalUserToItem, type UserType } from '../../lambdas/core/entities/portal-user';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

const DOMAIN: Domain = {
  name: 'acme.test',
  xtramail: { enabled: true, enabledAt: '2025-01-01T00:00:00.000Z' },
  addressDiscovery: true,
  createdAt: '2025-01-01T00:00:00.000Z',
};

let table: MemoryTable;
let clock: ManualClock;
let mails: Array<{ to: string[]; raw: string }>;
let deps: Parameters<typeof startDrill>[0];

const putUser = (local: string, type: UserType = 'user', backupAddress?: string) =>
  table.put(
    portalUserToItem({
      address: `${local}@acme.test`,
      type,
      mustChangePassword: false,
      tokenVersion: 0,
      createdAt: '2025-01-01T00:00:00.000Z',
      ...(backupAddress ? { backupAddress } : {}),
    }),
  );

/** The token in the newest mail to `backup` (quoted-printable may wrap the line). */
const tokenTo = (backup: string) => {
  const raw = mails
    .filter((m) => m.to.includes(backup))
    .at(-1)!
    .raw.replace(/=\r?\n/g, '');
  return /\/portal\/link#([A-Za-z0-9_-]{43})/.exec(raw)![1];
};

beforeEach(async () => {
  table = new MemoryTable();
  clock = new ManualClock('2025-03-01T09:00:00.000Z');
  mails = [];
  deps = {
    table,
    clock,
    portalUrl: () => 'https://mail.example.net',
    sender: {
      sendRaw: async (raw, envelope) => {
        mails.push({ to: envelope.to, raw: raw.toString('utf8') });
        return { messageId: 'm' };
      },
    },
  };
  await putUser('ann', 'user', 'ann@home.example');
  await putUser('bob', 'user');
  await putUser('list', 'mailing_list', 'list@home.example');
});

test('a drill mails eligible users with a backup address and records everyone selected', async () => {
  const { drill, results } = await startDrill(deps, DOMAIN, { all: true, filter: {} }, 'admin@partner.test');
  expect(drill).toMatchObject({ participants: 3, sent: 1, completed: 0, startedBy: 'admin@partner.test' });
  expect(results.find((r) => r.address === 'ann@acme.test')).toEqual({
    address: 'ann@acme.test',
    status: 'sent',
    sent: true,
  });
  expect(results.find((r) => r.address === 'bob@acme.test')?.reason).toMatch(/No backup address/);
  expect(results.find((r) => r.address === 'list@acme.test')?.reason).toMatch(/User or Discovered User/);
  expect(mails.map((m) => m.to)).toEqual([['ann@home.example']]);

  const link = await consumeLink(deps, tokenTo('ann@home.example'));
  expect(link).toEqual({ purpose: 'drill', address: 'ann@acme.test', drillId: drill.drillId });
});

test('completion is recorded once: a later use keeps the first time', async () => {
  const { drill } = await startDrill(deps, DOMAIN, { addresses: ['ann@acme.test'] }, 'admin@partner.test');
  clock.advanceSeconds(600);
  await recordDrillCompletion(deps, drill.drillId, 'ann@acme.test');
  clock.advanceSeconds(600);
  await recordDrillCompletion(deps, drill.drillId, 'ann@acme.test');
  // Someone outside the drill: nothing is recorded.
  await recordDrillCompletion(deps, drill.drillId, 'bob@acme.test');
  const shown = await getDrill(deps, 'acme.test', drill.drillId);
  expect(shown.participants).toEqual([
    { address: 'ann@acme.test', status: 'sent', sent: true, completedAt: '2025-03-01T09:10:00.000Z' },
  ]);
  expect(shown.drill.completed).toBe(1);
});

test('drills list newest first with their completion counts', async () => {
  const first = await startDrill(deps, DOMAIN, { addresses: ['ann@acme.test'] }, 'a@p.test');
  clock.advanceSeconds(3600);
  const second = await startDrill(
    deps,
    DOMAIN,
    { addresses: ['ann@acme.test', 'bob@acme.test'] },
    'a@p.test',
  );
  await recordDrillCompletion(deps, second.drill.drillId, 'ann@acme.test');
  const listed = await listDrills(deps, 'acme.test', {});
  expect(listed.items.map((d) => [d.drillId, d.participants, d.completed])).toEqual([
    [second.drill.drillId, 2, 1],
    [first.drill.drillId, 1, 0],
  ]);
  await expect(getDrill(deps, 'other.test', first.drill.drillId)).rejects.toMatchObject({ status: 404 });
});
