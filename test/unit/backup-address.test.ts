import { simpleParser } from 'mailparser';
import {
  isBackupNoticesJob,
  type BackupNoticesJob,
  type DeliveryQueue,
  type QueuedJob,
} from '../../lambdas/adapters/delivery-queue';
import type { MailSender } from '../../lambdas/adapters/mail-sender';
import { processBackupNotices } from '../../lambdas/core/users/backup-notice-job';
import { domainToItem } from '../../lambdas/core/entities/domain';
import { portalUserToItem, type PortalUser, type UserType } from '../../lambdas/core/entities/portal-user';
import {
  importBackupAddresses,
  MAX_IMPORT_ROWS,
  parseBackupCsv,
} from '../../lambdas/core/users/backup-address-import';
import {
  checkBackupAddress,
  managedDomains,
  maskAddress,
  setBackupAddress,
} from '../../lambdas/core/users/backup-address';
import { getUser } from '../../lambdas/core/users/users';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

class RecordingSender implements MailSender {
  sent: Array<{ from: string; to: string[]; subject: string; text: string }> = [];
  failFor = new Set<string>();
  async sendRaw(raw: Buffer, envelope: { from: string; to: string[] }) {
    if (envelope.to.some((to) => this.failFor.has(to))) throw new Error('SES refused');
    const parsed = await simpleParser(raw);
    this.sent.push({ ...envelope, subject: parsed.subject ?? '', text: parsed.text ?? '' });
    return { messageId: `m${this.sent.length}` };
  }
}

let table: MemoryTable;
let sender: RecordingSender;
const clock = new ManualClock();
const deps = () => ({ table, clock, sender });

async function user(address: string, type: UserType = 'user', extra: Partial<PortalUser> = {}) {
  await table.put(
    portalUserToItem({
      address,
      type,
      mustChangePassword: false,
      tokenVersion: 0,
      createdAt: clock.now().toISOString(),
      ...extra,
    }),
  );
}

beforeEach(async () => {
  table = new MemoryTable();
  sender = new RecordingSender();
  for (const name of ['acme.test', 'sister.test'])
    await table.put(
      domainToItem({ name, xtramail: { enabled: true }, addressDiscovery: true, createdAt: '2025-01-01' }),
    );
  await user('ann@acme.test');
  await user('list@acme.test', 'mailing_list');
  await user('bob@acme.test', 'discovered', { backupAddress: 'bob.old@home.example' });
});

describe('checkBackupAddress', () => {
  const ann = { address: 'ann@acme.test', type: 'user' as const };
  const check = (candidate: string, who: { address: string; type: UserType } = ann) =>
    checkBackupAddress(managedDomains({ table }), who, candidate);

  test('accepts a personal mailbox elsewhere, normalized', async () => {
    expect(await check('  Ann.Smith@Gmail.Example ')).toEqual({
      ok: true,
      address: 'ann.smith@gmail.example',
    });
  });

  test.each(['not an address', 'ann@', '@gmail.example', 'ann@@x.example', 'a b@x.example', ''])(
    'refuses %p as invalid',
    async (candidate) => {
      expect(await check(candidate)).toMatchObject({ ok: false, reason: 'invalid' });
    },
  );

  test("refuses the user's own domain, in any case", async () => {
    const result = await check('ann.private@ACME.test');
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    expect(result.ok === false && result.message).toMatch(/outside acme\.test/);
  });

  test('refuses any other domain this deployment manages', async () => {
    expect(await check('ann@sister.test')).toMatchObject({ ok: false, reason: 'invalid' });
  });

  test('refuses accounts that have no portal access', async () => {
    expect(await check('x@home.example', { address: 'list@acme.test', type: 'mailing_list' })).toMatchObject({
      ok: false,
      reason: 'not-eligible',
    });
  });
});

test('maskAddress keeps enough to recognise, never the whole address', () => {
  expect(maskAddress('ann.smith@gmail.com')).toBe('an***@g***.com');
  expect(maskAddress('al@x.example.org')).toBe('a***@x***.org');
  expect(maskAddress('bob.old@home.example')).not.toContain('bob.old');
});

describe('setBackupAddress', () => {
  test('a first address is stored and only the new address is told', async () => {
    const result = await setBackupAddress(deps(), 'ann@acme.test', 'ann@home.example');
    expect(result.changed).toBe(true);
    expect((await getUser({ table, clock }, 'ann@acme.test'))?.backupAddress).toBe('ann@home.example');
    expect(sender.sent.map((m) => m.to)).toEqual([['ann@home.example']]);
    expect(sender.sent[0].from).toBe('xtramail-no-reply@acme.test');
  });

  test('a change tells both addresses, each seeing the other only masked', async () => {
    await setBackupAddress(deps(), 'bob@acme.test', 'bob.new@else.example');
    const toOld = sender.sent.find((m) => m.to[0] === 'bob.old@home.example')!;
    const toNew = sender.sent.find((m) => m.to[0] === 'bob.new@else.example')!;
    expect(toOld.text).toContain(maskAddress('bob.new@else.example'));
    expect(toOld.text).not.toContain('bob.new@else.example');
    expect(toNew.text).toContain(maskAddress('bob.old@home.example'));
    expect(toNew.text).not.toContain('bob.old@home.example');
  });

  test('null removes it and tells the old address', async () => {
    await setBackupAddress(deps(), 'bob@acme.test', null);
    expect((await getUser({ table, clock }, 'bob@acme.test'))?.backupAddress).toBeUndefined();
    expect(sender.sent.map((m) => m.to[0])).toEqual(['bob.old@home.example']);
    expect(sender.sent[0].subject).toMatch(/removed/);
  });

  test('the same address again changes nothing and sends nothing', async () => {
    const result = await setBackupAddress(deps(), 'bob@acme.test', 'BOB.OLD@home.example');
    expect(result.changed).toBe(false);
    expect(sender.sent).toHaveLength(0);
  });

  test('refusals are errors with a status, and store nothing', async () => {
    await expect(setBackupAddress(deps(), 'ann@acme.test', 'ann@sister.test')).rejects.toMatchObject({
      status: 400,
    });
    await expect(setBackupAddress(deps(), 'list@acme.test', 'l@home.example')).rejects.toMatchObject({
      status: 409,
    });
    await expect(
      setBackupAddress(deps(), 'ann@acme.test', 'a@home.example', { domain: 'sister.test' }),
    ).rejects.toMatchObject({ status: 404 });
    expect((await getUser({ table, clock }, 'ann@acme.test'))?.backupAddress).toBeUndefined();
  });
});

describe('parseBackupCsv', () => {
  test('a header in either order, a BOM, CRLF, quotes, blank lines and spaces', () => {
    const csv =
      '\ufeffBackup Address , Address\r\n\r\n "ann@home.example" , ann\r\n\n"b,c@x.example",bob@acme.test\r\n';
    expect(parseBackupCsv(csv)).toEqual([
      { line: 3, address: 'ann', backupAddress: 'ann@home.example' },
      { line: 5, address: 'bob@acme.test', backupAddress: 'b,c@x.example' },
    ]);
  });

  test('without a header the columns are address,backupAddress', () => {
    expect(parseBackupCsv('ann,ann@home.example\nbob')).toEqual([
      { line: 1, address: 'ann', backupAddress: 'ann@home.example' },
      { line: 2, address: 'bob', backupAddress: '' },
    ]);
  });

  test('refuses broken CSV, an empty file, a header without the column, and oversize files', () => {
    expect(() => parseBackupCsv('ann,"unterminated\n')).toThrow(/valid CSV/);
    expect(() => parseBackupCsv('\n\n')).toThrow(/no rows/);
    expect(() => parseBackupCsv('address,phone\nann,123')).toThrow(/backupAddress/);
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `u${i},u${i}@home.example`).join('\n');
    expect(() => parseBackupCsv(rows)).toThrow(expect.objectContaining({ status: 413 }));
    expect(() => parseBackupCsv('x'.repeat(100_001))).toThrow(expect.objectContaining({ status: 413 }));
  });
});

test('importBackupAddresses reports every row and writes only the good ones', async () => {
  const csv = [
    'address,backupAddress',
    'ann,ann@home.example', // 2 updated
    'nobody,n@home.example', // 3 unknown user
    'ann@other.example,x@home.example', // 4 unknown user (not this domain)
    'list,l@home.example', // 5 not eligible
    'bob@acme.test,bob@sister.test', // 6 invalid (managed domain)
    'bob@acme.test,bob.old@home.example', // 7 already named above
    'zed,', // 8 unknown user
  ].join('\n');
  await user('cy@acme.test', 'user', { backupAddress: 'cy@home.example' });
  const result = await importBackupAddresses(deps(), 'acme.test', `${csv}\ncy,CY@home.example\n`);
  expect(result.rows.map((r) => [r.line, r.status])).toEqual([
    [2, 'updated'],
    [3, 'unknown-user'],
    [4, 'unknown-user'],
    [5, 'not-eligible'],
    [6, 'invalid'],
    [7, 'invalid'],
    [8, 'unknown-user'],
    [9, 'unchanged'],
  ]);
  expect(result.counts).toEqual({
    updated: 1,
    unchanged: 1,
    'unknown-user': 3,
    invalid: 2,
    'not-eligible': 1,
  });
  expect((await getUser({ table, clock }, 'ann@acme.test'))?.backupAddress).toBe('ann@home.example');
  expect((await getUser({ table, clock }, 'bob@acme.test'))?.backupAddress).toBe('bob.old@home.example');
  expect(sender.sent.map((m) => m.to[0])).toEqual(['ann@home.example']);
});

test('an import row with an empty backup address is invalid, and a failed email does not undo the change', async () => {
  sender.failFor.add('bob.old@home.example');
  const result = await importBackupAddresses(deps(), 'acme.test', 'ann,\nbob,bob.new@else.example');
  expect(result.rows.map((r) => r.status)).toEqual(['invalid', 'updated']);
  expect((await getUser({ table, clock }, 'bob@acme.test'))?.backupAddress).toBe('bob.new@else.example');
  expect(sender.sent.map((m) => m.to[0])).toEqual(['bob.new@else.example']);
});

describe('large imports', () => {
  class RecordingQueue implements DeliveryQueue {
    jobs: Array<{ job: QueuedJob; delaySeconds?: number }> = [];
    async enqueue(job: QueuedJob, delaySeconds?: number) {
      this.jobs.push({ job, delaySeconds });
    }
  }

  test('more than ten changes: stored at once, their notices queued in spaced jobs of 25', async () => {
    for (let i = 0; i < 30; i++) await user(`u${i}@acme.test`);
    const csv = [
      'address,backupAddress',
      ...Array.from({ length: 30 }, (_, i) => `u${i},u${i}@home.example`),
    ];
    const queue = new RecordingQueue();
    const result = await importBackupAddresses({ ...deps(), queue }, 'acme.test', csv.join('\n'));
    expect(result.counts.updated).toBe(30);
    expect(result.noticesQueued).toBe(30);
    expect(sender.sent).toEqual([]);
    expect((await getUser({ table, clock }, 'u29@acme.test'))?.backupAddress).toBe('u29@home.example');
    expect(
      queue.jobs.map(({ job, delaySeconds }) => [(job as BackupNoticesJob).changes.length, delaySeconds]),
    ).toEqual([
      [25, 0],
      [5, 8],
    ]);
    const [first, second] = queue.jobs.map(({ job }) => job as BackupNoticesJob);
    expect(first.jobId).toBe(second.jobId);
    expect(isBackupNoticesJob(first)).toBe(true);

    await expect(processBackupNotices(deps(), second)).resolves.toEqual({ told: 5, skipped: 0 });
    expect(sender.sent.map((m) => m.to[0]).sort()).toEqual(
      ['u25', 'u26', 'u27', 'u28', 'u29'].map((u) => `${u}@home.example`),
    );
    // Delivered again (SQS is at least once): nobody is told twice.
    await expect(processBackupNotices(deps(), second)).resolves.toEqual({ told: 0, skipped: 5 });
    expect(sender.sent).toHaveLength(5);
  });

  test('ten changes or fewer are still told within the request, even with a queue', async () => {
    const queue = new RecordingQueue();
    const result = await importBackupAddresses({ ...deps(), queue }, 'acme.test', 'ann,ann@home.example');
    expect(result.noticesQueued).toBe(0);
    expect(queue.jobs).toEqual([]);
    expect(sender.sent.map((m) => m.to)).toEqual([['ann@home.example']]);
  });
});
