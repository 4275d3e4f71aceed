import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MAIL_BUCKET, TABLE_NAME } from '../../bin/local/stack';
import { startTestStack, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';
import { standInClients } from '../support/stand-in-clients';

let stack: TestStack;
let smtp: ReturnType<typeof smtpClient>;
let s3: S3Client;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startTestStack();
  smtp = smtpClient(stack.smtpPort);
  ({ s3, documents } = standInClients(stack));
});

afterAll(async () => {
  smtp?.close();
  await stack?.stop();
});

const logItems = async (domain: string) => {
  const day = new Date().toISOString().slice(0, 10);
  const { Items } = await documents.send(
    new QueryCommand({
      TableName: TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `LOG#${domain}#${day}` },
    }),
  );
  return Items ?? [];
};

test('a message sent over SMTP is stored raw in S3 and logged per envelope recipient in DynamoDB', async () => {
  const id = await smtp.send({
    from: 'Alice Sender <alice@sender.test>',
    to: 'Bob <bob@acme.test>',
    cc: 'header-only@elsewhere.test',
    bcc: 'carol@acme.test',
    subject: 'Quarterly numbers',
    text: 'See attached.',
    envelope: { from: 'bounces@sender.test', to: ['bob@acme.test', 'carol@acme.test'] },
  });
  await stack.ingestIdle();

  const object = await s3.send(new GetObjectCommand({ Bucket: MAIL_BUCKET, Key: `incoming/${id}` }));
  const raw = await object.Body!.transformToString();
  expect(raw).toContain('Subject: Quarterly numbers');
  expect(raw).not.toMatch(/^Bcc:/m);

  const entries = (await logItems('acme.test')).filter((item) => item.sesMessageId === id);
  expect(entries.map((entry) => entry.recipient).sort()).toEqual(['bob@acme.test', 'carol@acme.test']);
  for (const entry of entries) {
    expect(entry).toMatchObject({
      envelopeSender: 'bounces@sender.test',
      from: '"Alice Sender" <alice@sender.test>',
      subject: 'Quarterly numbers',
      size: Buffer.byteLength(raw),
      verdicts: { spam: 'PASS', virus: 'PASS' },
    });
    const ttlDays = (Number(entry.expiresAt) * 1000 - Date.parse(String(entry.receivedAt))) / 86_400_000;
    expect(ttlDays).toBeCloseTo(14, 1);
  }
  // Addresses only in the headers get nothing: the envelope decides.
  expect(await logItems('elsewhere.test')).toEqual([]);
});

test('a redelivered SES event rewrites the same log items instead of adding copies', async () => {
  const { handler } = await import('../../lambdas/handlers/ingest');
  const { sesEvent } = await import('../../bin/local/smtp-receiver');
  const id = await smtp.send({
    from: 'alice@sender.test',
    to: 'dave@retry.test',
    subject: 'Sent once, delivered thrice',
    text: 'hello',
  });
  await stack.ingestIdle();
  const object = await s3.send(new GetObjectCommand({ Bucket: MAIL_BUCKET, Key: `incoming/${id}` }));
  const raw = Buffer.from(await object.Body!.transformToByteArray());
  const first = (await logItems('retry.test')).find((item) => item.sesMessageId === id);
  const event = sesEvent(
    id,
    raw,
    'alice@sender.test',
    ['dave@retry.test'],
    new Date(String(first?.receivedAt)),
  );

  await handler(event);
  await handler(event);

  expect((await logItems('retry.test')).filter((item) => item.sesMessageId === id)).toHaveLength(1);
});

test('the EICAR and GTUBE test strings get the FAIL verdicts a real scanner gives them', async () => {
  const eicar = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
  const id = await smtp.send({
    from: 'alice@sender.test',
    to: 'erin@scan.test',
    subject: 'Test virus',
    text: 'attached',
    attachments: [{ filename: 'eicar.com', content: eicar, contentTransferEncoding: '7bit' }],
  });
  const gtube = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
  const spamId = await smtp.send({
    from: 'spam@sender.test',
    to: 'erin@scan.test',
    subject: 'Win',
    text: gtube,
  });
  await stack.ingestIdle();
  const entries = await logItems('scan.test');
  expect(entries.find((item) => item.sesMessageId === id)?.verdicts).toMatchObject({
    virus: 'FAIL',
    spam: 'PASS',
  });
  expect(entries.find((item) => item.sesMessageId === spamId)?.verdicts).toMatchObject({
    virus: 'PASS',
    spam: 'FAIL',
  });
});

test('mail that is not valid MIME is still stored and logged, never dropped', async () => {
  const net = await import('node:net');
  const raw = 'this is not a header block\r\n\r\n\u0000\u0001 garbage';
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(stack.smtpPort, '127.0.0.1');
    const script = [
      'EHLO test',
      'MAIL FROM:<x@sender.test>',
      'RCPT TO:<frank@broken.test>',
      'DATA',
      `${raw}\r\n.`,
      'QUIT',
    ];
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      const lines = buffer.split('\r\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (/^\d{3} /.test(line) && script.length) socket.write(`${script.shift()}\r\n`);
        if (line.startsWith('221')) resolve();
        if (/^[45]\d\d /.test(line)) reject(new Error(line));
      }
    });
    socket.on('error', reject);
  });
  await stack.ingestIdle();
  const entries = await logItems('broken.test');
  expect(entries).toHaveLength(1);
  expect(entries[0].recipient).toBe('frank@broken.test');
});
