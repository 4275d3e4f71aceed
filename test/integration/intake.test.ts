import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { MAIL_BUCKET, TABLE_NAME } from '../../bin/local/stack';
import type { BlobStore } from '../../lambdas/adapters/blob-store';
import type { Table } from '../../lambdas/adapters/table';
import type { Item } from '../../lambdas/core/entities/keys';
import { startTestStack, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';
import { standInClients } from '../support/stand-in-clients';

/** The same adapter with one method replaced: a failing adapter for fault injection. */
const overriding = <T extends object>(target: T, override: Partial<T>): T =>
  Object.assign(Object.create(target) as T, override);

type Runtime = (typeof import('../../lambdas/handlers/runtime'))['runtime'];

let stack: TestStack;
let smtp: ReturnType<typeof smtpClient>;
let s3: S3Client;
let documents: DynamoDBDocumentClient;
let runtime: Runtime;

beforeAll(async () => {
  stack = await startTestStack();
  smtp = smtpClient(stack.smtpPort);
  ({ s3, documents } = standInClients(stack));
  ({ runtime } = await import('../../lambdas/handlers/runtime'));
  const { createDomain, setXtraMail, setAddressDiscovery } =
    await import('../../lambdas/core/domains/domains');
  const { putUser } = await import('../../lambdas/core/users/users');
  for (const domain of ['acme.test', 'off.test', 'closed.test']) await createDomain(runtime, domain);
  await setXtraMail(runtime, 'acme.test', true);
  await setXtraMail(runtime, 'closed.test', true);
  await setAddressDiscovery(runtime, 'closed.test', false);
  await putUser(runtime, 'bob@acme.test', 'user');
  await putUser(runtime, 'team@acme.test', 'mailing_list');
  await putUser(runtime, 'olga@off.test', 'user');
  await new Promise((resolve) => setTimeout(resolve, 5)); // mail strictly after enabledAt
});

afterAll(async () => {
  smtp?.close();
  await stack?.stop();
});

async function query(pk: string): Promise<Item[]> {
  const { Items } = await documents.send(
    new QueryCommand({
      TableName: TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }),
  );
  return (Items ?? []) as Item[];
}
const today = () => new Date().toISOString().slice(0, 10);
const logsFor = async (domain: string, sesMessageId: string) =>
  (await query(`LOG#${domain}#${today()}`)).filter((item) => item.sesMessageId === sesMessageId);
const copiesOf = async (address: string, sesMessageId: string) =>
  (await query(`MBX#${address}`)).filter((item) => item.sesMessageId === sesMessageId);
const object = async (key: string) => {
  const response = await s3.send(new GetObjectCommand({ Bucket: MAIL_BUCKET, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
};

/** As SES does it: the raw message stored under a new id, then the ingest handler invoked with its event. */
async function ingestRaw(raw: Buffer, sender: string, recipients: string[]): Promise<string> {
  const { handler } = await import('../../lambdas/handlers/ingest');
  const { sesEvent } = await import('../../bin/local/smtp-receiver');
  const { rawMailKey } = await import('../../lambdas/core/ingest/receipt');
  const id = randomBytes(20).toString('hex');
  await runtime.blobs.put(rawMailKey(id), raw, 'message/rfc822');
  await handler(sesEvent(id, raw, sender, recipients, new Date()));
  return id;
}

describe('a message to a mix of recipients', () => {
  const pdf = randomBytes(300 * 1024);
  let id: string;

  beforeAll(async () => {
    id = await smtp.send({
      from: 'Alice <alice@sender.test>',
      to: 'bob@acme.test, team@acme.test',
      cc: 'header-only@acme.test',
      subject: 'Contract draft',
      text: 'Please review the attached draft.',
      html: '<p onclick="steal()">Please <b>review</b></p><script>alert(1)</script>',
      attachments: [
        { filename: 'draft.pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'notes.txt', content: 'line one\nline two\n' },
      ],
      envelope: {
        from: 'alice@sender.test',
        to: ['bob@acme.test', 'carol@acme.test', 'team@acme.test', 'olga@off.test', 'nobody@closed.test'],
      },
    });
    await stack.ingestIdle();
  });

  test('a User gets a snapshot copy with the envelope, headers, snippet and attachment list', async () => {
    const [copy] = await copiesOf('bob@acme.test', id);
    expect(copy).toMatchObject({
      folder: 'inbox',
      from: '"Alice" <alice@sender.test>',
      to: ['bob@acme.test', 'team@acme.test'],
      cc: ['header-only@acme.test'],
      subject: 'Contract draft',
      snippet: 'Please review the attached draft.',
      read: false,
      flags: { spam: false, virus: false, unparseable: false },
      attachments: [
        {
          index: 0,
          filename: 'draft.pdf',
          contentType: 'application/pdf',
          size: pdf.length,
          withheld: false,
        },
        { index: 1, filename: 'notes.txt', contentType: 'text/plain', size: 18, withheld: false },
      ],
    });
    expect(String(copy.sk)).toMatch(/^INBOX#\d{4}-\d\d-\d\dT/);
    const days = (Number(copy.expiresAt) * 1000 - Date.parse(String(copy.receivedAt))) / 86_400_000;
    expect(days).toBeCloseTo(30, 3);
    expect((await logsFor('acme.test', id)).find((l) => l.recipient === 'bob@acme.test')?.action).toBe(
      'snapshot',
    );
  });

  test('attachments are stored once, byte for byte, and the body is sanitized', async () => {
    expect((await object(`att/${id}/0`)).equals(pdf)).toBe(true);
    expect((await object(`att/${id}/1`)).toString()).toBe('line one\nline two\n');
    const [body] = await query(`MSG#${id}`);
    const parsed = JSON.parse(Buffer.from(body.body as Uint8Array).toString());
    expect(parsed.text).toContain('Please review the attached draft.');
    expect(parsed.html).toContain('<b>review</b>');
    expect(parsed.html).not.toMatch(/script|onclick/);
  });

  test('an unknown address (here a BCC) becomes a Discovered User and gets its copy', async () => {
    expect(await copiesOf('carol@acme.test', id)).toHaveLength(1);
    const [user] = await query('DOMAIN#acme.test').then((items) =>
      items.filter((i) => i.sk === 'USER#carol'),
    );
    expect(user.userType).toBe('discovered');
    expect((await logsFor('acme.test', id)).find((l) => l.recipient === 'carol@acme.test')?.action).toBe(
      'discovered',
    );
  });

  test('mailing lists, disabled domains, closed domains and header-only addresses get no copy', async () => {
    expect(await copiesOf('team@acme.test', id)).toEqual([]);
    expect(await copiesOf('olga@off.test', id)).toEqual([]);
    expect(await copiesOf('nobody@closed.test', id)).toEqual([]);
    expect(await copiesOf('header-only@acme.test', id)).toEqual([]);
    const actions = async (domain: string) =>
      Object.fromEntries((await logsFor(domain, id)).map((l) => [l.recipient, l.action]));
    expect(await actions('acme.test')).toEqual({
      'bob@acme.test': 'snapshot',
      'carol@acme.test': 'discovered',
      'team@acme.test': 'not-eligible',
    });
    expect(await actions('off.test')).toEqual({ 'olga@off.test': 'not-enabled' });
    expect(await actions('closed.test')).toEqual({ 'nobody@closed.test': 'invalid-recipient' });
  });
});

test('point-forward: mail received before XtraMail was enabled is logged but never copied', async () => {
  const { handler } = await import('../../lambdas/handlers/ingest');
  const { sesEvent } = await import('../../bin/local/smtp-receiver');
  const raw = Buffer.from('From: a@sender.test\r\nTo: bob@acme.test\r\nSubject: Before\r\n\r\nOld news\r\n');
  const sesId = 'before-enabled-0001';
  await runtime.blobs.put(`incoming/${sesId}`, raw, 'message/rfc822');
  const lastWeek = new Date(Date.now() - 7 * 86_400_000);
  await handler(sesEvent(sesId, raw, 'a@sender.test', ['bob@acme.test'], lastWeek));

  expect(await copiesOf('bob@acme.test', sesId)).toEqual([]);
  const day = lastWeek.toISOString().slice(0, 10);
  const [log] = (await query(`LOG#acme.test#${day}`)).filter((l) => l.sesMessageId === sesId);
  expect(log.action).toBe('not-enabled');
});

test('the same SES event delivered three times gives exactly one copy and one log per recipient', async () => {
  const { handler } = await import('../../lambdas/handlers/ingest');
  const { sesEvent } = await import('../../bin/local/smtp-receiver');
  const id = await smtp.send({
    from: 'a@sender.test',
    to: 'bob@acme.test',
    bcc: 'carol@acme.test',
    subject: 'Once',
  });
  await stack.ingestIdle();
  const raw = await object(`incoming/${id}`);
  const [first] = await copiesOf('bob@acme.test', id);
  const event = sesEvent(
    id,
    raw,
    'a@sender.test',
    ['bob@acme.test', 'carol@acme.test'],
    new Date(String(first.receivedAt)),
  );
  await handler(event);
  await handler(event);

  for (const address of ['bob@acme.test', 'carol@acme.test'])
    expect(await copiesOf(address, id)).toHaveLength(1);
  expect(await logsFor('acme.test', id)).toHaveLength(2);
});

test('an envelope naming one mailbox several times (any case) gives it one copy and one log entry', async () => {
  // SES passes the envelope on as the client gave it; SMTP clients do not all remove repeats.
  const raw = Buffer.from('From: a@sender.test\r\nTo: Bob@Acme.test\r\nSubject: Twice\r\n\r\nHello\r\n');
  const envelope = ['Bob@Acme.test', 'bob@acme.test', 'BOB@ACME.TEST', 'team@acme.test', 'team@acme.test'];
  const id = await ingestRaw(raw, 'a@sender.test', envelope);

  expect(await copiesOf('bob@acme.test', id)).toHaveLength(1);
  const logs = await logsFor('acme.test', id);
  expect(logs.map((log) => [log.recipient, log.action]).sort()).toEqual([
    ['bob@acme.test', 'snapshot'],
    ['team@acme.test', 'not-eligible'],
  ]);
});

test('each message publishes CloudWatch metrics (EMF): messages, bytes and recipients by action', async () => {
  // The local stack turns EMF off (no CloudWatch); a fresh handler module with it on, as in Lambda.
  const { sesEvent } = await import('../../bin/local/smtp-receiver');
  const { rawMailKey } = await import('../../lambdas/core/ingest/receipt');
  const metricsDisabled = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  let handler!: (typeof import('../../lambdas/handlers/ingest'))['handler'];
  try {
    await jest.isolateModulesAsync(async () => {
      ({ handler } = await import('../../lambdas/handlers/ingest'));
    });
  } finally {
    if (metricsDisabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = metricsDisabled;
  }
  const raw = Buffer.from('From: a@sender.test\r\nTo: bob@acme.test\r\nSubject: Counted\r\n\r\nHi\r\n');
  const id = randomBytes(20).toString('hex');
  await runtime.blobs.put(rawMailKey(id), raw, 'message/rfc822');
  const event = sesEvent(
    id,
    raw,
    'a@sender.test',
    ['bob@acme.test', 'team@acme.test', 'x@closed.test'],
    new Date(),
  );

  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await handler(event);
  } finally {
    write.mockRestore();
  }

  const emf = lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const recipientsBy = Object.fromEntries(
    emf.filter((doc) => 'Recipients' in doc).map((doc) => [doc.action, doc.Recipients]),
  );
  expect(recipientsBy).toEqual({ snapshot: 1, 'not-eligible': 1, 'invalid-recipient': 1 });
  const message = emf.find((doc) => 'MessagesIngested' in doc);
  expect(message).toMatchObject({ MessagesIngested: 1, MessageBytes: raw.length, service: 'ingest' });
  expect(message).not.toHaveProperty('action');
});

test('plus-addressed mail (bob+tag@) is copied into the base mailbox without creating an account', async () => {
  const raw = Buffer.from(
    'From: news@vendor.test\r\nTo: bob+news@acme.test\r\nSubject: Tagged\r\n\r\nHi\r\n',
  );
  const id = await ingestRaw(raw, 'news@vendor.test', ['bob+news@acme.test']);

  expect(await copiesOf('bob@acme.test', id)).toHaveLength(1);
  expect((await logsFor('acme.test', id)).map((log) => [log.recipient, log.action])).toEqual([
    ['bob+news@acme.test', 'snapshot'],
  ]);
  const users = await query('DOMAIN#acme.test');
  expect(users.some((item) => item.sk === 'USER#bob+news')).toBe(false);
});

test('a message naming thousands of addresses, with a huge subject, is still copied; its body keeps the headers whole', async () => {
  // An announcement with the whole company in To and Cc: more than DynamoDB's 400 KB per item.
  const everyone = Array.from({ length: 6000 }, (_, i) => `employee.number.${i}@acme.test`);
  const subject = 'All hands '.repeat(10_000);
  const raw = Buffer.from(
    `From: ceo@acme.test\r\nTo: ${everyone.join(',\r\n ')}\r\nCc: ${everyone.join(',\r\n ')}\r\n` +
      `Subject: ${subject}\r\n\r\nSee you there.\r\n`,
  );
  const id = await ingestRaw(raw, 'ceo@acme.test', ['bob@acme.test']);

  // The copy lists the first 100 of each and counts the rest; it holds the subject's first 2,000 characters.
  const [copy] = await copiesOf('bob@acme.test', id);
  expect(copy.to).toEqual(everyone.slice(0, 100));
  expect(copy.cc).toEqual(everyone.slice(0, 100));
  expect(copy.unlisted).toBe(2 * 6000 - 200);
  expect(String(copy.subject)).toHaveLength(2000);
  expect(String(copy.subject).startsWith('All hands All hands')).toBe(true);
  expect((await logsFor('acme.test', id)).map((log) => log.action)).toEqual(['snapshot']);
  // The body keeps every header whole.
  const body = JSON.parse((await object(`body/${id}.json`)).toString('utf8'));
  expect(body.headers.to).toContain('employee.number.5999@acme.test');
  expect(body.headers.subject).toBe(subject.trim());
});

test('a message with more attachments than a copy lists still offers every one for download', async () => {
  const { readMessage } = await import('../../lambdas/core/mailbox/read-message');
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const attachments = Array.from({ length: 205 }, (_, i) => ({
    filename: `scan-${i}.txt`,
    content: `page ${i}`,
  }));
  const raw = await new MailComposer({
    from: 'scanner@acme.test',
    to: 'bob@acme.test',
    subject: 'Scans',
    attachments,
  })
    .compile()
    .build();
  const id = await ingestRaw(raw, 'scanner@acme.test', ['bob@acme.test']);

  const [copy] = await copiesOf('bob@acme.test', id);
  expect(copy.attachments).toHaveLength(200);
  const read = await readMessage(runtime, 'bob@acme.test', String(copy.id));
  expect(read.attachments).toHaveLength(205);
  const last = read.attachments.at(-1)!;
  expect(last.filename).toBe('scan-204.txt');
  expect(await (await fetch(last.url!)).text()).toBe('page 204');
}, 60_000);

test('a failure part-way (DynamoDB throttled after the first batch, or S3 failing an attachment) is retried to exactly one copy each', async () => {
  const { ingestMessage } = await import('../../lambdas/core/ingest/ingest-message');
  const { toReceipt } = await import('../../lambdas/handlers/ingest');
  const { sesEvent } = await import('../../bin/local/smtp-receiver');
  const { putUser } = await import('../../lambdas/core/users/users');
  const recipients = Array.from({ length: 30 }, (_, i) => `many${i}@acme.test`);
  for (const address of recipients) await putUser(runtime, address, 'user');
  const raw = Buffer.from(
    'From: a@sender.test\r\nTo: many@acme.test\r\nSubject: Thirty\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n' +
      '--XX\r\nContent-Type: text/plain\r\n\r\nHello all\r\n' +
      '--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      randomBytes(3000).toString('base64') +
      '\r\n--XX--\r\n',
  );
  const sesId = 'retry-after-partial-0001';
  await runtime.blobs.put(`incoming/${sesId}`, raw, 'message/rfc822');
  const receipt = toReceipt(sesEvent(sesId, raw, 'a@sender.test', recipients, new Date()).Records[0]);

  const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
    name: 'ProvisionedThroughputExceededException',
  });
  const firstBatchThenThrottle = overriding<Table>(runtime.table, {
    putAll: async (items: Item[]) => {
      await runtime.table.putAll(items.slice(0, 25));
      throw throttled;
    },
  });
  await expect(
    ingestMessage({ table: firstBatchThenThrottle, blobs: runtime.blobs, clock: runtime.clock }, receipt),
  ).rejects.toThrow('Rate of requests');
  const partial = await Promise.all(recipients.map((address) => copiesOf(address, sesId)));
  expect(partial.flat().length).toBeGreaterThan(0);
  expect(partial.flat().length).toBeLessThan(recipients.length);

  const failingS3 = overriding<BlobStore>(runtime.blobs, {
    putStream: async () => {
      throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
        name: 'InternalError',
      });
    },
  });
  await expect(
    ingestMessage({ table: runtime.table, blobs: failingS3, clock: runtime.clock }, receipt),
  ).rejects.toThrow('internal error');

  const result = await ingestMessage(runtime, receipt);
  expect(result.unparseable).toBe(false);
  for (const address of recipients) expect(await copiesOf(address, sesId)).toHaveLength(1);
  expect(await logsFor('acme.test', sesId)).toHaveLength(30);
  const stored = await s3.send(new ListObjectsV2Command({ Bucket: MAIL_BUCKET, Prefix: `att/${sesId}/` }));
  expect(stored.KeyCount).toBe(1);
});

test('a message the MIME parser gives up on is still copied, marked unparseable, with its raw source kept', async () => {
  const id = await smtp.send({
    envelope: { from: 'odd@sender.test', to: ['bob@acme.test'] },
    raw: `From: odd@sender.test\r\nTo: bob@acme.test\r\nX-Huge: ${'x'.repeat(3 * 1024 * 1024)}\r\n\r\nbody\r\n`,
  });
  await stack.ingestIdle();
  const [copy] = await copiesOf('bob@acme.test', id);
  expect(copy.flags).toMatchObject({ unparseable: true });
  const [log] = await logsFor('acme.test', id);
  expect(log.action).toBe('unparseable');
  expect((await object(`incoming/${id}`)).length).toBeGreaterThan(3 * 1024 * 1024);
});

test('a virus verdict withholds the attachments; a spam verdict flags the copy', async () => {
  const eicar = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
  const virusId = await smtp.send({
    from: 'a@sender.test',
    to: 'bob@acme.test',
    subject: 'Invoice',
    text: 'see attachment',
    attachments: [{ filename: 'invoice.com', content: eicar, contentTransferEncoding: '7bit' }],
  });
  const gtube = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
  const spamId = await smtp.send({ from: 'a@sender.test', to: 'bob@acme.test', subject: 'Win', text: gtube });
  await stack.ingestIdle();

  const [virus] = await copiesOf('bob@acme.test', virusId);
  expect(virus.flags).toMatchObject({ virus: true });
  expect(virus.attachments).toEqual([expect.objectContaining({ filename: 'invoice.com', withheld: true })]);
  const stored = await s3.send(new ListObjectsV2Command({ Bucket: MAIL_BUCKET, Prefix: `att/${virusId}/` }));
  expect(stored.KeyCount ?? 0).toBe(0);

  const [spam] = await copiesOf('bob@acme.test', spamId);
  expect(spam.flags).toMatchObject({ spam: true, virus: false });
});

test('the SES setup notification object is ignored', async () => {
  const { handler } = await import('../../lambdas/handlers/ingest');
  const { sesEvent } = await import('../../bin/local/smtp-receiver');
  const raw = Buffer.from('Subject: Amazon SES Setup Notification\r\n\r\nok');
  await runtime.blobs.put('incoming/AMAZON_SES_SETUP_NOTIFICATION', raw, 'message/rfc822');
  await handler(
    sesEvent('AMAZON_SES_SETUP_NOTIFICATION', raw, 'no-reply@amazonaws.com', ['bob@acme.test'], new Date()),
  );
  expect(await logsFor('acme.test', 'AMAZON_SES_SETUP_NOTIFICATION')).toEqual([]);
});
