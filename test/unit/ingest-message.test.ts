import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import type { Table } from '../../lambdas/adapters/table';
import { domainToItem, type Domain } from '../../lambdas/core/entities/domain';
import type { Item } from '../../lambdas/core/entities/keys';
import { messageId } from '../../lambdas/core/entities/message';
import { portalUserToItem, type PortalUser, type UserType } from '../../lambdas/core/entities/portal-user';
import { ingestMessage, type IngestDeps } from '../../lambdas/core/ingest/ingest-message';
import { rawMailKey, SES_SETUP_NOTIFICATION_ID, type Receipt } from '../../lambdas/core/ingest/receipt';
import { ManualClock } from './support/manual-clock';
import { MemoryBlobs } from './support/memory-blobs';
import { MemoryTable } from './support/memory-table';

const RECEIVED_AT = new Date('2025-03-10T09:30:00.250Z');
const DAY = '2025-03-10';
const HOUR = 3_600_000;
const before = (ms: number) => new Date(RECEIVED_AT.getTime() - ms).toISOString();

const domain = (name: string, xtramail: Domain['xtramail'], addressDiscovery = true): Item =>
  domainToItem({ name, xtramail, addressDiscovery, createdAt: '2025-01-01T00:00:00.000Z' });

const user = (address: string, type: UserType, extra: Partial<PortalUser> = {}): Item =>
  portalUserToItem({
    address,
    type,
    mustChangePassword: false,
    tokenVersion: 3,
    createdAt: '2025-01-02T00:00:00.000Z',
    ...extra,
  });

const PASS = { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' } as const;

let sequence = 0;
const receipt = (recipients: string[], overrides: Partial<Receipt> = {}): Receipt => ({
  sesMessageId: `ses${++sequence}-0100018f2c3e4d5e`,
  receivedAt: RECEIVED_AT,
  envelopeSender: 'bounce@sender.example',
  recipients,
  verdicts: { ...PASS },
  ...overrides,
});

const pdf = randomBytes(150 * 1024);
const logo = randomBytes(2 * 1024);

const compose = (options: Partial<Mail.Options> = {}) =>
  new MailComposer({
    from: 'Alice <alice@sender.example>',
    to: 'bob@acme.test',
    subject: 'Contract',
    date: new Date(RECEIVED_AT.getTime() - 60_000),
    messageId: '<contract@sender.example>',
    text: 'Please   find the contract attached.',
    html: '<p onclick="x()">Please find the <b>contract</b> attached.<img src="cid:logo@sender.example"></p>',
    attachments: [
      { filename: 'contract.pdf', content: pdf, contentType: 'application/pdf' },
      { filename: 'logo.png', content: logo, contentType: 'image/png', cid: 'logo@sender.example' },
    ],
    ...options,
  })
    .compile()
    .build();

let table: MemoryTable;
let blobs: MemoryBlobs;
let clock: ManualClock;
let deps: IngestDeps;
let message: Buffer;

beforeAll(async () => {
  message = await compose();
});

beforeEach(async () => {
  table = new MemoryTable();
  blobs = new MemoryBlobs();
  clock = new ManualClock(new Date(RECEIVED_AT.getTime() + 2_000));
  deps = { table, blobs, clock };
  await table.putAll([
    domain('acme.test', { enabled: true, enabledAt: before(24 * HOUR) }),
    domain('off.test', { enabled: false, enabledAt: before(48 * HOUR), disabledAt: before(24 * HOUR) }),
    domain('late.test', { enabled: true, enabledAt: new Date(RECEIVED_AT.getTime() + HOUR).toISOString() }),
    domain('closed.test', { enabled: true, enabledAt: before(24 * HOUR) }, false),
    user('bob@acme.test', 'user', { passwordHash: 'scrypt$bob-hash', mustChangePassword: true }),
    user('team@acme.test', 'mailing_list'),
    user('olga@off.test', 'user'),
    user('lena@late.test', 'user'),
  ]);
});

const deliver = async (r: Receipt, raw: Buffer = message) => {
  await blobs.put(rawMailKey(r.sesMessageId), raw, 'message/rfc822');
  return r;
};

const copies = (sesMessageId?: string) =>
  table
    .all()
    .filter((item) => item.pk.startsWith('MBX#'))
    .filter((item) => !sesMessageId || item.sesMessageId === sesMessageId);
const logs = (sesMessageId: string) =>
  table.all().filter((item) => item.pk.startsWith('LOG#') && item.sesMessageId === sesMessageId);
const bodies = (sesMessageId: string) => table.all().filter((item) => item.pk === `MSG#${sesMessageId}`);
const actionsOf = (sesMessageId: string) =>
  Object.fromEntries(logs(sesMessageId).map((item) => [item.recipient, item.action]));

describe('ingestMessage: a message to a mix of recipients', () => {
  const recipients = [
    'Bob@Acme.test',
    'team@acme.test',
    'newcomer@acme.test',
    'olga@off.test',
    'lena@late.test',
    'nobody@closed.test',
    'someone@unmanaged.example',
  ];
  let r: Receipt;

  beforeEach(async () => {
    r = await deliver(receipt(recipients));
  });

  test('returns and logs one action per envelope recipient', async () => {
    const result = await ingestMessage(deps, r);
    const expected = {
      'bob@acme.test': 'snapshot',
      'team@acme.test': 'not-eligible',
      'newcomer@acme.test': 'discovered',
      'olga@off.test': 'not-enabled',
      'lena@late.test': 'not-enabled',
      'nobody@closed.test': 'invalid-recipient',
      'someone@unmanaged.example': 'unmanaged-domain',
    };
    expect(Object.fromEntries(result.recipients.map((x) => [x.address, x.action]))).toEqual(expected);
    expect(result.size).toBe(message.length);
    expect(result.unparseable).toBe(false);
    expect(result.skipped).toBeUndefined();

    expect(logs(r.sesMessageId)).toHaveLength(recipients.length);
    expect(actionsOf(r.sesMessageId)).toEqual(expected);
    const bobLog = logs(r.sesMessageId).find((item) => item.recipient === 'bob@acme.test')!;
    expect(bobLog.pk).toBe(`LOG#acme.test#${DAY}`);
    expect(bobLog).toMatchObject({
      subject: 'Contract',
      envelopeSender: 'bounce@sender.example',
      size: message.length,
    });
    expect(String(bobLog.from)).toContain('alice@sender.example');
    expect(logs(r.sesMessageId).map((item) => item.pk)).toContain(`LOG#unmanaged.example#${DAY}`);
  });

  test('one snapshot copy per covered recipient, in its MBX# partition', async () => {
    await ingestMessage(deps, r);
    const items = copies(r.sesMessageId);
    expect(items.map((item) => item.pk).sort()).toEqual(['MBX#bob@acme.test', 'MBX#newcomer@acme.test']);
    const id = messageId('inbox', RECEIVED_AT, r.sesMessageId);
    for (const item of items) {
      expect(item.sk).toBe(`INBOX#${RECEIVED_AT.toISOString()}#${id}`);
      expect(item).toMatchObject({
        type: 'message',
        id,
        subject: 'Contract',
        snippet: 'Please find the contract attached.',
        size: message.length,
        read: false,
        flags: { spam: false, virus: false, unparseable: false },
        expiresAt: Math.floor(RECEIVED_AT.getTime() / 1000) + 30 * 86_400,
      });
      expect(item.attachments).toHaveLength(2);
    }
  });

  test('the body is stored once, sanitized, for all copies', async () => {
    await ingestMessage(deps, r);
    const [body] = bodies(r.sesMessageId);
    expect(bodies(r.sesMessageId)).toHaveLength(1);
    const content = JSON.parse(Buffer.from(body.body as Uint8Array).toString());
    expect(content.text).toContain('Please   find the contract attached.');
    expect(content.html).toContain('<b>contract</b>');
    expect(content.html).not.toContain('onclick');
    expect(content.headers['message-id']).toBe('<contract@sender.example>');
    expect(content.attachments).toHaveLength(2);
  });

  test('attachments are stored once each at att/<sesId>/<n>, byte for byte', async () => {
    const result = await ingestMessage(deps, r);
    expect(blobs.keys('att/')).toEqual([`att/${r.sesMessageId}/0`, `att/${r.sesMessageId}/1`]);
    const listed = copies(r.sesMessageId)[0].attachments as Array<Record<string, unknown>>;
    const sources: Record<string, Buffer> = { 'contract.pdf': pdf, 'logo.png': logo };
    for (const info of listed) {
      const stored = blobs.object(`att/${r.sesMessageId}/${info.index}`)!;
      expect(stored.body.equals(sources[String(info.filename)])).toBe(true);
      expect(stored.contentType).toBe(info.contentType);
      expect(info.size).toBe(sources[String(info.filename)].length);
      expect(info.withheld).toBe(false);
    }
    expect(listed.find((a) => a.filename === 'logo.png')!.contentId).toBe('logo@sender.example');
    expect(result.recipients).toHaveLength(recipients.length);
  });

  test('an unknown address of a discovering domain becomes a Discovered User', async () => {
    await ingestMessage(deps, r);
    const created = await table.get({ pk: 'DOMAIN#acme.test', sk: 'USER#newcomer' });
    expect(created).toMatchObject({
      type: 'user',
      address: 'newcomer@acme.test',
      userType: 'discovered',
      mustChangePassword: false,
      tokenVersion: 0,
      createdAt: clock.now().toISOString(),
    });
    expect(created).not.toHaveProperty('passwordHash');
    // no one is discovered where discovery is off, or in a domain this deployment does not manage
    expect(await table.get({ pk: 'DOMAIN#closed.test', sk: 'USER#nobody' })).toBeUndefined();
    expect(await table.get({ pk: 'DOMAIN#unmanaged.example', sk: 'USER#someone' })).toBeUndefined();
  });

  test('existing accounts are left exactly as they were', async () => {
    const before = await table.getAll([
      { pk: 'DOMAIN#acme.test', sk: 'USER#bob' },
      { pk: 'DOMAIN#acme.test', sk: 'USER#team' },
    ]);
    await ingestMessage(deps, r);
    const bob = await table.get({ pk: 'DOMAIN#acme.test', sk: 'USER#bob' });
    expect(bob).toMatchObject({
      passwordHash: 'scrypt$bob-hash',
      userType: 'user',
      mustChangePassword: true,
    });
    expect(
      await table.getAll([
        { pk: 'DOMAIN#acme.test', sk: 'USER#bob' },
        { pk: 'DOMAIN#acme.test', sk: 'USER#team' },
      ]),
    ).toEqual(before);
  });

  test('reads no credential of a recipient: only the attributes that decide its copy', async () => {
    const read: Item[] = [];
    const watched: Table = Object.assign(Object.create(table) as Table, {
      getAll: async (...args: Parameters<Table['getAll']>) => {
        const found = await table.getAll(...args);
        read.push(...found);
        return found;
      },
    });
    const result = await ingestMessage({ ...deps, table: watched }, r);

    const bob = read.find((item) => item.sk === 'USER#bob');
    expect(bob).toMatchObject({ userType: 'user', address: 'bob@acme.test' });
    expect(bob).not.toHaveProperty('passwordHash');
    expect(bob).not.toHaveProperty('tokenVersion');
    expect(result.recipients).toContainEqual({ address: 'bob@acme.test', action: 'snapshot' });
  });

  test('ingesting the same receipt three times leaves the same items, no duplicates', async () => {
    await ingestMessage(deps, r);
    const first = table.all();
    const firstBlobs = blobs.keys();
    await ingestMessage(deps, r);
    await ingestMessage(deps, r);
    const after = table.all();
    expect(after).toHaveLength(first.length);
    expect(after.map((item) => `${item.pk} ${item.sk}`).sort()).toEqual(
      first.map((item) => `${item.pk} ${item.sk}`).sort(),
    );
    expect(copies(r.sesMessageId)).toHaveLength(2);
    expect(logs(r.sesMessageId)).toHaveLength(recipients.length);
    expect(blobs.keys()).toEqual(firstBlobs);
    // The retry still says which recipient this message discovered.
    expect(actionsOf(r.sesMessageId)['newcomer@acme.test']).toBe('discovered');
  });
});

describe('ingestMessage: an envelope that names a mailbox more than once', () => {
  test('the mailbox is reported, logged and copied once, whatever the case', async () => {
    const r = await deliver(receipt(['Bob@Acme.test', 'bob@acme.test', ' BOB@ACME.TEST', 'team@acme.test']));
    const result = await ingestMessage(deps, r);

    expect(result.recipients).toEqual([
      { address: 'bob@acme.test', action: 'snapshot' },
      { address: 'team@acme.test', action: 'not-eligible' },
    ]);
    expect(copies(r.sesMessageId)).toHaveLength(1);
  });
});

describe('ingestMessage: plus-addressed recipients (bob+tag@)', () => {
  const users = () =>
    table
      .all()
      .filter((item) => item.type === 'user')
      .map((item) => item.address);

  test('the copy goes to the base mailbox, the log keeps the address as sent, no account is created', async () => {
    const r = await deliver(receipt(['Bob+Newsletter@acme.test']));
    const result = await ingestMessage(deps, r);

    expect(result.recipients).toEqual([{ address: 'bob+newsletter@acme.test', action: 'snapshot' }]);
    expect(copies(r.sesMessageId).map((item) => [item.pk, item.recipient])).toEqual([
      ['MBX#bob@acme.test', 'bob+newsletter@acme.test'],
    ]);
    expect(actionsOf(r.sesMessageId)).toEqual({ 'bob+newsletter@acme.test': 'snapshot' });
    expect(users()).not.toContain('bob+newsletter@acme.test');
  });

  test('an unknown base is discovered once, however many tags the envelope names', async () => {
    const r = await deliver(receipt(['newbie+a@acme.test', 'newbie+b@acme.test']));
    const result = await ingestMessage(deps, r);

    expect(result.recipients.map((entry) => entry.action)).toEqual(['discovered', 'discovered']);
    expect(users().filter((address) => String(address).startsWith('newbie'))).toEqual(['newbie@acme.test']);
    expect(copies(r.sesMessageId).map((item) => item.pk)).toEqual(['MBX#newbie@acme.test']);
  });

  test('an account whose own address has a + keeps its copies; a tag of a mailing list gets none', async () => {
    await table.put(user('sales+emea@acme.test', 'user'));
    const r = await deliver(receipt(['sales+emea@acme.test', 'team+all@acme.test']));
    const result = await ingestMessage(deps, r);

    expect(result.recipients).toEqual([
      { address: 'sales+emea@acme.test', action: 'snapshot' },
      { address: 'team+all@acme.test', action: 'not-eligible' },
    ]);
    expect(copies(r.sesMessageId).map((item) => item.pk)).toEqual(['MBX#sales+emea@acme.test']);
  });
});

describe('ingestMessage: an account created while the message was being decided', () => {
  test('the conditional write keeps the admin-created account, and the message follows it', async () => {
    const r = await deliver(receipt(['carla@acme.test', 'list@acme.test']));
    // Both addresses are unknown when looked up; an admin creates them right after.
    let raced = false;
    const racing: Table = Object.assign(Object.create(table) as Table, {
      getAll: async (keys: Parameters<Table['getAll']>[0]) => {
        const found = await table.getAll(keys);
        if (!raced) {
          raced = true;
          await table.put(user('carla@acme.test', 'user', { passwordHash: 'scrypt$carla' }));
          await table.put(user('list@acme.test', 'mailing_list', { passwordHash: 'scrypt$list' }));
        }
        return found;
      },
    });
    const result = await ingestMessage({ ...deps, table: racing }, r);

    expect(raced).toBe(true);
    expect(await table.get({ pk: 'DOMAIN#acme.test', sk: 'USER#carla' })).toMatchObject({
      userType: 'user',
      passwordHash: 'scrypt$carla',
      tokenVersion: 3,
    });
    expect(await table.get({ pk: 'DOMAIN#acme.test', sk: 'USER#list' })).toMatchObject({
      userType: 'mailing_list',
      passwordHash: 'scrypt$list',
    });
    expect(Object.fromEntries(result.recipients.map((x) => [x.address, x.action]))).toEqual({
      'carla@acme.test': 'snapshot',
      'list@acme.test': 'not-eligible',
    });
    expect(copies(r.sesMessageId).map((item) => item.pk)).toEqual(['MBX#carla@acme.test']);
  });
});

describe('ingestMessage: when no one gets a copy', () => {
  test('XtraMail off: logs only; no copy, no body, no attachment objects', async () => {
    const r = await deliver(receipt(['olga@off.test', 'lena@late.test', 'new@off.test']));
    const result = await ingestMessage(deps, r);
    expect(result.recipients.map((x) => x.action)).toEqual(['not-enabled', 'not-enabled', 'not-enabled']);
    expect(actionsOf(r.sesMessageId)).toEqual({
      'olga@off.test': 'not-enabled',
      'lena@late.test': 'not-enabled',
      'new@off.test': 'not-enabled',
    });
    expect(copies()).toEqual([]);
    expect(bodies(r.sesMessageId)).toEqual([]);
    expect(blobs.keys('att/')).toEqual([]);
    expect(blobs.keys('body/')).toEqual([]);
    // discovery does not depend on the product being on
    expect(await table.get({ pk: 'DOMAIN#off.test', sk: 'USER#new' })).toMatchObject({
      userType: 'discovered',
    });
  });

  test('only ineligible, invalid and unmanaged recipients: no attachment objects either', async () => {
    const r = await deliver(receipt(['team@acme.test', 'x@closed.test', 'y@unmanaged.example']));
    await ingestMessage(deps, r);
    expect(Object.values(actionsOf(r.sesMessageId)).sort()).toEqual([
      'invalid-recipient',
      'not-eligible',
      'unmanaged-domain',
    ]);
    expect(copies()).toEqual([]);
    expect(blobs.keys('att/')).toEqual([]);
    expect(bodies(r.sesMessageId)).toEqual([]);
  });
});

describe('ingestMessage: verdicts and odd input', () => {
  test('virus FAIL: the copy is made but attachments are withheld, never stored', async () => {
    const r = await deliver(receipt(['bob@acme.test'], { verdicts: { ...PASS, virus: 'FAIL' } }));
    const result = await ingestMessage(deps, r);
    expect(result.recipients).toEqual([{ address: 'bob@acme.test', action: 'snapshot' }]);
    expect(blobs.keys('att/')).toEqual([]);
    const [copy] = copies(r.sesMessageId);
    expect(copy.flags).toEqual({ spam: false, virus: true, unparseable: false });
    const attachments = copy.attachments as Array<Record<string, unknown>>;
    expect(attachments).toHaveLength(2);
    expect(attachments.every((a) => a.withheld === true)).toBe(true);
    expect(attachments.find((a) => a.filename === 'contract.pdf')!.size).toBe(pdf.length);
  });

  test('spam FAIL is flagged on the copy', async () => {
    const r = await deliver(receipt(['bob@acme.test'], { verdicts: { ...PASS, spam: 'FAIL' } }));
    await ingestMessage(deps, r);
    expect(copies(r.sesMessageId)[0].flags).toEqual({ spam: true, virus: false, unparseable: false });
    expect(blobs.keys('att/')).toHaveLength(2);
  });

  test('the SES setup notification is skipped and nothing is written', async () => {
    const r = receipt(['bob@acme.test', 'new@acme.test'], { sesMessageId: SES_SETUP_NOTIFICATION_ID });
    await blobs.put(rawMailKey(SES_SETUP_NOTIFICATION_ID), 'Amazon SES setup notification', 'text/plain');
    const tableBefore = table.all();
    const result = await ingestMessage(deps, r);
    expect(result.skipped).toBe('setup-notification');
    expect(result.recipients).toEqual([]);
    expect(table.all()).toEqual(tableBefore);
    expect(blobs.keys()).toEqual([rawMailKey(SES_SETUP_NOTIFICATION_ID)]);
  });

  test('a missing raw object throws, writing nothing', async () => {
    const r = receipt(['bob@acme.test']);
    const tableBefore = table.all();
    await expect(ingestMessage(deps, r)).rejects.toThrow(/missing/i);
    expect(table.all()).toEqual(tableBefore);
  });

  test('an unparseable message is still copied, marked unparseable', async () => {
    const raw = Buffer.from(
      `From: a@sender.example\r\nSubject: ${'x'.repeat(3 * 1024 * 1024)}\r\nTo: bob@acme.test\r\n\r\nbody\r\n`,
    );
    const r = await deliver(receipt(['bob@acme.test', 'team@acme.test']), raw);
    const result = await ingestMessage(deps, r);
    expect(result.unparseable).toBe(true);
    expect(result.parseError).toEqual(expect.any(String));
    expect(actionsOf(r.sesMessageId)).toEqual({
      'bob@acme.test': 'unparseable',
      'team@acme.test': 'not-eligible',
    });
    const [copy] = copies(r.sesMessageId);
    expect(copy.pk).toBe('MBX#bob@acme.test');
    expect(copy.flags).toMatchObject({ unparseable: true });
    expect(copy.size).toBe(raw.length);
  }, 10_000);

  test('a body over 64 KiB goes to body/<sesId>.json and the item points there', async () => {
    const longText = 'All work and no play. '.repeat(4000);
    const r = await deliver(receipt(['bob@acme.test']), await compose({ text: longText, attachments: [] }));
    await ingestMessage(deps, r);
    const [body] = bodies(r.sesMessageId);
    expect(body.bodyObject).toBe(`body/${r.sesMessageId}.json`);
    expect(body).not.toHaveProperty('body');
    const stored = blobs.object(`body/${r.sesMessageId}.json`)!;
    expect(stored.contentType).toBe('application/json');
    expect(JSON.parse(stored.body.toString('utf8')).text).toContain(longText.trim());
  });
});

describe('ingestMessage: a write that fails part-way', () => {
  test('rejects, and a retry leaves exactly one copy per recipient', async () => {
    const recipients = ['bob@acme.test', 'newcomer@acme.test', 'team@acme.test', 'x@unmanaged.example'];
    const r = await deliver(receipt(recipients));
    let written = 0;
    const failing: Table = Object.assign(Object.create(table) as Table, {
      putAll: async (items: Item[]) => {
        const half = items.slice(0, Math.ceil(items.length / 2));
        await table.putAll(half);
        written = half.length;
        throw new Error('ProvisionedThroughputExceededException');
      },
    });
    await expect(ingestMessage({ ...deps, table: failing }, r)).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
    expect(written).toBeGreaterThan(0);
    const partial = table
      .all()
      .filter((item) => item.sesMessageId === r.sesMessageId || item.pk.startsWith('MSG#'));
    expect(partial.length).toBe(written);

    const result = await ingestMessage(deps, r);
    expect(result.recipients).toHaveLength(recipients.length);
    const mailboxes = copies(r.sesMessageId).map((item) => item.pk);
    expect(mailboxes.sort()).toEqual(['MBX#bob@acme.test', 'MBX#newcomer@acme.test']);
    expect(logs(r.sesMessageId)).toHaveLength(recipients.length);
    expect(bodies(r.sesMessageId)).toHaveLength(1);
    // the Discovered User from the first attempt was kept, not duplicated
    expect(
      table.all().filter((item) => item.pk === 'DOMAIN#acme.test' && item.sk === 'USER#newcomer'),
    ).toHaveLength(1);
  });
});
