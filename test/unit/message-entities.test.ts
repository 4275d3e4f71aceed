import {
  INLINE_BODY_LIMIT_BYTES,
  attachmentObjectKey,
  bodyKey,
  bodyToItem,
  inlineBody,
  type MessageBody,
} from '../../lambdas/core/entities/message-body';
import {
  SNAPSHOT_RETENTION_DAYS,
  isLive,
  messageFromItem,
  messageId,
  messageKey,
  messageToItem,
  parseMessageId,
  type Folder,
  type SnapshotMessage,
} from '../../lambdas/core/entities/message';

const SES_ID = '0100018f2c3e4d5e-abcdef12-3456-7890-abcd-ef1234567890-000000';
const RECEIVED_AT = new Date('2025-03-09T23:59:58.123Z');
const DAY_S = 86_400;

describe('message ids', () => {
  test.each<[Folder, Date, string]>([
    ['inbox', RECEIVED_AT, SES_ID],
    ['sent', RECEIVED_AT, SES_ID],
    ['inbox', new Date('2025-03-09T23:59:58.001Z'), 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g81'],
    ['sent', new Date(0), 'A_b-9'],
  ])('%s / %s / %s round-trips to the millisecond', (folder, receivedAt, sesMessageId) => {
    const id = messageId(folder, receivedAt, sesMessageId);
    expect(id.startsWith(folder === 'inbox' ? 'i' : 's')).toBe(true);
    const parsed = parseMessageId(id);
    expect(parsed).toEqual({ folder, receivedAt, sesMessageId });
    expect(parsed!.receivedAt.getTime()).toBe(receivedAt.getTime());
  });

  test('one millisecond apart gives different ids', () => {
    expect(messageId('inbox', new Date(RECEIVED_AT.getTime() + 1), SES_ID)).not.toBe(
      messageId('inbox', RECEIVED_AT, SES_ID),
    );
  });

  const valid = messageId('inbox', RECEIVED_AT, SES_ID);
  test.each([
    ['an empty string', ''],
    ['a wrong folder letter', `x${valid.slice(1)}`],
    ['an upper-case folder letter', `I${valid.slice(1)}`],
    ['no separator', valid.replace('.', '')],
    ['no time', `i.${SES_ID}`],
    ['no SES id', valid.slice(0, valid.indexOf('.') + 1)],
    ['upper case in the time', `i${RECEIVED_AT.getTime().toString(36).toUpperCase()}.${SES_ID}`],
    ['a time beyond what a Date holds', `izzzzzzzzzzzz.${SES_ID}`],
    ['a time longer than 12 digits', `i${'1'.repeat(13)}.${SES_ID}`],
    ['a space', `${valid} `],
    ['a slash', `${valid}/x`],
    ['a dollar sign', valid.replace('-abcdef12', '$abcdef12')],
    ['path traversal', '../x'],
    ['path traversal inside the SES id', `i${RECEIVED_AT.getTime().toString(36)}.../etc/passwd`],
    ['a second dot', `${valid}.json`],
    ['an SES id over 100 characters', `i1.${'a'.repeat(101)}`],
  ])('%s is not an id', (_, id) => {
    expect(parseMessageId(id)).toBeUndefined();
    expect(messageKey('bob@example.com', id)).toBeUndefined();
  });
});

describe('message items', () => {
  const message: SnapshotMessage = {
    id: messageId('inbox', RECEIVED_AT, SES_ID),
    mailbox: 'Bob.Jones@Example.COM',
    folder: 'inbox',
    sesMessageId: SES_ID,
    receivedAt: RECEIVED_AT,
    from: 'Alice <alice@sender.example>',
    to: ['bob.jones@example.com'],
    cc: [],
    subject: 'Hello',
    date: '2025-03-09T23:59:00.000Z',
    snippet: 'Hi Bob',
    size: 4096,
    attachments: [
      { index: 0, filename: 'a.pdf', contentType: 'application/pdf', size: 1000, withheld: false },
    ],
    verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
    flags: { spam: false, virus: false, unparseable: false },
    read: false,
  };

  test('the key is MBX#<lower-case address> / INBOX#<iso>#<id>', () => {
    expect(messageKey(message.mailbox, message.id)).toEqual({
      pk: 'MBX#bob.jones@example.com',
      sk: `INBOX#2025-03-09T23:59:58.123Z#${message.id}`,
    });
  });

  test('a sent message sorts under SENT#', () => {
    const id = messageId('sent', RECEIVED_AT, SES_ID);
    expect(messageKey('bob@example.com', id)!.sk).toBe(`SENT#2025-03-09T23:59:58.123Z#${id}`);
  });

  test('the item carries the key, the normalized mailbox and expires 30 days after receipt', () => {
    const item = messageToItem(message);
    expect(item.pk).toBe('MBX#bob.jones@example.com');
    expect(item.sk).toBe(`INBOX#2025-03-09T23:59:58.123Z#${message.id}`);
    expect(item.mailbox).toBe('bob.jones@example.com');
    expect(SNAPSHOT_RETENTION_DAYS).toBe(30);
    expect(item.expiresAt).toBe(Math.floor(RECEIVED_AT.getTime() / 1000) + 30 * DAY_S);
    expect(Number.isInteger(item.expiresAt)).toBe(true);
  });

  test('the item reads back as the same message (mailbox normalized)', () => {
    expect(messageFromItem(messageToItem(message))).toEqual({ ...message, mailbox: 'bob.jones@example.com' });
  });

  test('isLive is true before expiresAt, false at and after it', () => {
    const item = messageToItem(message);
    const expiresAtMs = Number(item.expiresAt) * 1000;
    expect(isLive(item, RECEIVED_AT)).toBe(true);
    expect(isLive(item, new Date(expiresAtMs - 1000))).toBe(true);
    expect(isLive(item, new Date(expiresAtMs - 1))).toBe(true);
    expect(isLive(item, new Date(expiresAtMs))).toBe(false);
    expect(isLive(item, new Date(expiresAtMs + 500))).toBe(false);
    expect(isLive(item, new Date(expiresAtMs + 48 * 3_600_000))).toBe(false);
  });
});

describe('message bodies', () => {
  const body = (text: string): MessageBody => ({
    text,
    html: '<p>hi</p>',
    headers: { 'message-id': '<m@x>' },
    attachments: [],
  });
  const expiresAt = Math.floor(RECEIVED_AT.getTime() / 1000) + 30 * DAY_S;

  test('a small body rides inline, as UTF-8 JSON bytes, and reads back', () => {
    const small = body('Hello Bob ✓');
    const { item, overflow } = bodyToItem(SES_ID, RECEIVED_AT, small);
    expect(overflow).toBeUndefined();
    expect(item).toEqual({
      ...bodyKey(SES_ID),
      type: 'body',
      body: Buffer.from(JSON.stringify(small)),
      expiresAt,
    });
    expect(item.pk).toBe(`MSG#${SES_ID}`);
    expect(inlineBody(item)).toEqual(small);
    expect(item).not.toHaveProperty('bodyObject');
  });

  test('a body over 64 KiB goes to body/<id>.json, nothing inline', () => {
    const large = body('x'.repeat(70 * 1024));
    const { item, overflow } = bodyToItem(SES_ID, RECEIVED_AT, large);
    expect(JSON.parse(overflow!)).toEqual(large);
    expect(item).toEqual({ ...bodyKey(SES_ID), type: 'body', bodyObject: `body/${SES_ID}.json`, expiresAt });
    expect(item).not.toHaveProperty('body');
  });

  test('the limit is 64 KiB of JSON, inclusive, counted in UTF-8 bytes', () => {
    expect(INLINE_BODY_LIMIT_BYTES).toBe(64 * 1024);
    const overhead = Buffer.byteLength(JSON.stringify(body('')));
    const atLimit = body('a'.repeat(INLINE_BODY_LIMIT_BYTES - overhead));
    expect(Buffer.byteLength(JSON.stringify(atLimit))).toBe(INLINE_BODY_LIMIT_BYTES);
    expect(bodyToItem(SES_ID, RECEIVED_AT, atLimit).overflow).toBeUndefined();
    const overLimit = body('a'.repeat(INLINE_BODY_LIMIT_BYTES - overhead + 1));
    expect(bodyToItem(SES_ID, RECEIVED_AT, overLimit).overflow).toBeDefined();

    // 40,000 two-byte characters: under the limit in characters, over it in bytes
    const accented = body('é'.repeat(40_000));
    expect(JSON.stringify(accented).length).toBeLessThan(INLINE_BODY_LIMIT_BYTES);
    const { item, overflow } = bodyToItem(SES_ID, RECEIVED_AT, accented);
    expect(overflow).toBeDefined();
    expect(item.bodyObject).toBe(`body/${SES_ID}.json`);
  });

  test('attachment objects live at att/<sesId>/<index>', () => {
    expect(attachmentObjectKey(SES_ID, 0)).toBe(`att/${SES_ID}/0`);
    expect(attachmentObjectKey(SES_ID, 12)).toBe(`att/${SES_ID}/12`);
  });
});
