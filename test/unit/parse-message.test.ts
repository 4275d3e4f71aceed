import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import {
  MAX_FILENAME_CHARS,
  MAX_HEADER_CHARS,
  makeSnippet,
  parseMessage,
  type AttachmentSink,
} from '../../lambdas/core/ingest/parse-message';

const compose = (options: Mail.Options): Promise<Buffer> => new MailComposer(options).compile().build();

/** The message as one chunk, or in chunks of `size` bytes (as a network stream delivers it). */
function feed(message: Buffer, size?: number): Readable {
  if (!size) return Readable.from([message]);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < message.length; offset += size) {
    chunks.push(message.subarray(offset, offset + size));
  }
  return Readable.from(chunks);
}

interface Stored {
  bytes: Buffer;
  contentType: string;
}

/** A sink that keeps every attachment's bytes, optionally reading them slowly. */
function memorySink(options: { withhold?: boolean; slow?: boolean } = {}) {
  const stored = new Map<number, Stored>();
  const calls: number[] = [];
  const sink: AttachmentSink = {
    withhold: options.withhold ?? false,
    async store(index, content, contentType) {
      calls.push(index);
      const chunks: Buffer[] = [];
      for await (const chunk of content) {
        chunks.push(chunk as Buffer);
        if (options.slow) await new Promise((resolve) => setImmediate(resolve));
      }
      stored.set(index, { bytes: Buffer.concat(chunks), contentType });
    },
  };
  return { sink, stored, calls };
}

const binary = randomBytes(200 * 1024);
const logo = randomBytes(3 * 1024);
const notes = Buffer.from('Line one\r\nLine two: ünïcödé\r\n');

const fullMessage = () =>
  compose({
    from: 'Alice Sender <alice@sender.example>',
    to: ['bob@example.com', { name: 'The Team', address: 'team@example.com' }],
    cc: 'Friends: carol@example.com, Dave <dave@example.com>;, eve@example.com',
    subject: 'Quarterly report ✓',
    date: new Date('2025-03-01T10:20:30.000Z'),
    messageId: '<m1@sender.example>',
    inReplyTo: '<m0@sender.example>',
    references: ['<root@sender.example>', '<m0@sender.example>'],
    text: 'Hello   Bob,\n\n  here\tis the\r\n report.',
    html:
      '<p onclick="steal()">Hello <b>Bob</b></p><script>alert(1)</script>' +
      '<a href="javascript:alert(1)">x</a><img src="cid:logo@sender.example">',
    attachments: [
      { filename: 'data.bin', content: binary, contentType: 'application/octet-stream' },
      { filename: 'logo.png', content: logo, contentType: 'image/png', cid: 'logo@sender.example' },
      { filename: 'notes.txt', content: notes, contentType: 'text/plain; charset=utf-8' },
    ],
  });

let message: Buffer;
beforeAll(async () => {
  message = await fullMessage();
});

describe('parseMessage: headers and body', () => {
  test('reads from, to, cc (groups flattened), subject, date and the threading headers', async () => {
    const parsed = await parseMessage(feed(message), memorySink().sink);
    expect(parsed.from).toContain('Alice Sender');
    expect(parsed.from).toContain('<alice@sender.example>');
    expect(parsed.to).toEqual(['bob@example.com', 'team@example.com']);
    expect(parsed.cc).toEqual(['carol@example.com', 'dave@example.com', 'eve@example.com']);
    expect(parsed.subject).toBe('Quarterly report ✓');
    expect(parsed.date).toBe('2025-03-01T10:20:30.000Z');
    expect(parsed.headers).toMatchObject({
      'message-id': '<m1@sender.example>',
      'in-reply-to': '<m0@sender.example>',
      subject: 'Quarterly report ✓',
      date: '2025-03-01T10:20:30.000Z',
    });
    expect(parsed.headers.references).toContain('<root@sender.example>');
    expect(parsed.headers.references).toContain('<m0@sender.example>');
    expect(parsed.headers.from).toContain('alice@sender.example');
    expect(parsed.headers.to).toContain('team@example.com');
    expect(parsed.headers.cc).toContain('carol@example.com');
    expect(parsed.unparseable).toBe(false);
    expect(parsed.parseError).toBeUndefined();
  });

  test('keeps the text as sent and the HTML sanitized', async () => {
    const parsed = await parseMessage(feed(message), memorySink().sink);
    expect(parsed.text).toContain('Hello   Bob,');
    expect(parsed.text).toContain('report.');
    expect(parsed.html).toContain('<b>Bob</b>');
    expect(parsed.html).toContain('src="cid:logo@sender.example"');
    expect(parsed.html).not.toMatch(/<script|onclick|javascript:/i);
  });

  test('the snippet is the text with whitespace collapsed, at most 200 characters', async () => {
    const parsed = await parseMessage(feed(message), memorySink().sink);
    expect(parsed.snippet).toBe('Hello Bob, here is the report.');

    const words = Array.from({ length: 120 }, (_, i) => `word${i}`);
    const long = await compose({
      from: 'a@sender.example',
      to: 'b@example.com',
      subject: 'long',
      text: `\n\n   ${words.join(' \t\n  ')}\n`,
    });
    const { snippet } = await parseMessage(feed(long), memorySink().sink);
    expect(snippet).toHaveLength(200);
    expect(snippet).toBe(words.join(' ').slice(0, 200));
  });

  test('a message without a Date header has no date', async () => {
    const raw = Buffer.from('From: a@sender.example\r\nTo: b@example.com\r\nSubject: s\r\n\r\nbody\r\n');
    const parsed = await parseMessage(feed(raw), memorySink().sink);
    expect(parsed.date).toBeUndefined();
    expect(parsed.text.trim()).toBe('body');
    expect(parsed.snippet).toBe('body');
  });
});

describe('makeSnippet', () => {
  /** For text without link targets: every whitespace run one space, trimmed, the first 200 characters. */
  const collapsed = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 200);
  const pieces = [
    'a',
    'word',
    'ünïcödé',
    '😀',
    '[URGENT]',
    '[1]',
    '[]',
    '[Note:]',
    ' ',
    '  ',
    '\n',
    '\r\n',
    '\t',
    '\u00a0',
    '\u2003',
    '\u3000',
    '\ufeff',
  ];

  test('matches collapsing the whole text, for any mix of words, [bracketed words] and whitespace', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let run = 0; run < 500; run++) {
      const length = next() % 400;
      const text = Array.from({ length }, () => pieces[next() % pieces.length]).join('');
      expect(makeSnippet(text)).toBe(collapsed(text));
    }
  });

  test('a long word, long whitespace runs and empty text', () => {
    const giant = 'x'.repeat(100_000);
    expect(makeSnippet(giant)).toBe(giant.slice(0, 200));
    expect(makeSnippet(`${'\n'.repeat(50_000)}first second`)).toBe('first second');
    const manyWords = 'w '.repeat(200_000);
    expect(makeSnippet(manyWords)).toBe(collapsed(manyWords));
    expect(makeSnippet(manyWords)).toHaveLength(200);
    expect(makeSnippet('')).toBe('');
    expect(makeSnippet(' \t\r\n ')).toBe('');
  });

  test('leaves out the link and image targets that HTML-only mail has in its text', () => {
    expect(
      makeSnippet(
        '[https://t.example/open?id=1&u=9]\n\n\nDIGEST\n\nHi Read more [https://x.example/a?b=1], ' +
          'mail me [bob@x.example], or see [www.x.example].\n\nLogo [cid:logo@x][data:image/png;base64,AAAA]',
      ),
    ).toBe('DIGEST Hi Read more mail me or see Logo');
    expect(makeSnippet('[URGENT] Re: [ticket-42] server down')).toBe('[URGENT] Re: [ticket-42] server down');
    // Skipping a long run of targets still ends with the words after it.
    expect(makeSnippet(`${'[https://tracker.example/p.gif] '.repeat(10_000)}Hello`)).toBe('Hello');
  });
});

describe('parseMessage: the snippet of an HTML-only newsletter', () => {
  test('starts with its words, not its tracking pixel', async () => {
    const raw = await compose({
      from: 'news@vendor.example',
      to: 'b@example.com',
      subject: 'Digest',
      html:
        '<img src="https://tracker.vendor.example/open?u=123" width="1" height="1">' +
        '<p>This week: <a href="https://vendor.example/sale">our sale</a> ends Friday.</p>',
    });
    const parsed = await parseMessage(feed(raw), memorySink().sink);
    expect(parsed.text).toContain('https://tracker.vendor.example/open?u=123');
    expect(parsed.snippet).toBe('This week: our sale ends Friday.');
  });
});

describe('parseMessage: very long headers', () => {
  test('lists the first 100 To and Cc addresses, counts the rest, clips the subject; the headers stay whole', async () => {
    const to = Array.from({ length: 150 }, (_, i) => `to${i}@example.com`);
    const cc = Array.from({ length: 30 }, (_, i) => `cc${i}@example.com`);
    const subject = 'Long subject '.repeat(300);
    const parsed = await parseMessage(
      feed(await compose({ from: 'a@sender.example', to, cc, subject, text: 'Hi' })),
      memorySink().sink,
    );

    expect(parsed.to).toEqual(to.slice(0, 100));
    expect(parsed.cc).toEqual(cc);
    expect(parsed.unlisted).toBe(50);
    expect(parsed.subject).toHaveLength(MAX_HEADER_CHARS);
    expect(parsed.subject.endsWith('…')).toBe(true);
    expect(parsed.headers.to).toContain('to149@example.com');
    expect(parsed.headers.subject).toBe(subject.trim());
  });

  test('an attachment name over 255 characters keeps its start and its extension', async () => {
    const long = `${'quarterly-figures-'.repeat(40)}final.xlsx`;
    const parsed = await parseMessage(
      feed(
        await compose({
          from: 'a@sender.example',
          to: 'b@example.com',
          attachments: [{ filename: long, content: 'x' }],
        }),
      ),
      memorySink().sink,
    );
    const [attachment] = parsed.attachments;
    expect(attachment.filename).toHaveLength(MAX_FILENAME_CHARS);
    expect(attachment.filename.startsWith('quarterly-figures-quarterly')).toBe(true);
    expect(attachment.filename.endsWith('….xlsx')).toBe(true);
  });

  test('a broken To header cannot make one listed address longer than 320 characters', async () => {
    const raw = Buffer.from(
      `From: a@sender.example\r\nTo: ${'x'.repeat(20_000)}@example.com\r\nSubject: s\r\n\r\nHi\r\n`,
    );
    const parsed = await parseMessage(feed(raw), memorySink().sink);
    expect(parsed.to).toHaveLength(1);
    expect(parsed.to[0].length).toBeLessThanOrEqual(320);
  });

  test('a short message lists everyone and leaves nothing unlisted', async () => {
    const parsed = await parseMessage(feed(message), memorySink().sink);
    expect(parsed.unlisted).toBe(0);
  });
});

describe('parseMessage: attachments', () => {
  const byName = <T extends { filename: string }>(attachments: T[], name: string) =>
    attachments.find((a) => a.filename === name);

  test.each([
    ['in one chunk', undefined, false],
    ['in 997-byte chunks to a slow sink', 997, true],
  ])('each attachment reaches the sink byte for byte (%s)', async (_, chunk, slow) => {
    const { sink, stored, calls } = memorySink({ slow });
    const parsed = await parseMessage(feed(message, chunk), sink);

    expect(parsed.attachments).toHaveLength(3);
    expect([...calls].sort()).toEqual([0, 1, 2]);
    const sources: Record<string, Buffer> = { 'data.bin': binary, 'logo.png': logo, 'notes.txt': notes };
    for (const info of parsed.attachments) {
      const saved = stored.get(info.index)!;
      expect(saved).toBeDefined();
      expect(saved.bytes.equals(sources[info.filename])).toBe(true);
      expect(info.size).toBe(sources[info.filename].length);
      expect(saved.contentType).toBe(info.contentType);
      expect(info.withheld).toBe(false);
    }
    expect(parsed.attachments.map((a) => a.index).sort()).toEqual([0, 1, 2]);
  });

  test('records filename, content type and the inline image content id', async () => {
    const parsed = await parseMessage(feed(message), memorySink().sink);
    expect(byName(parsed.attachments, 'data.bin')).toMatchObject({
      contentType: 'application/octet-stream',
      size: 200 * 1024,
    });
    expect(byName(parsed.attachments, 'data.bin')).not.toHaveProperty('contentId');
    expect(byName(parsed.attachments, 'logo.png')).toMatchObject({
      contentType: 'image/png',
      contentId: 'logo@sender.example',
      size: logo.length,
    });
    expect(byName(parsed.attachments, 'notes.txt')).toMatchObject({ contentType: 'text/plain' });
  });

  test('a part without a file name is named by its type: a forwarded message .eml, an invitation .ics', async () => {
    const raw = Buffer.from(
      [
        'From: a@x.test',
        'To: b@x.test',
        'Subject: Forwarded as an attachment',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        '--outer',
        'Content-Type: text/plain',
        '',
        'See the attached message and the invitation.',
        '--outer',
        'Content-Type: message/rfc822',
        '',
        'From: c@y.test',
        'To: a@x.test',
        'Subject: The original',
        '',
        'Original body',
        '--outer',
        'Content-Type: text/calendar; method=REQUEST',
        '',
        'BEGIN:VCALENDAR',
        'END:VCALENDAR',
        '--outer',
        'Content-Type: text/x-server-log',
        'Content-Disposition: attachment',
        '',
        '12:00 delivered',
        '--outer',
        'Content-Type: application/x-vendor-thing',
        'Content-Transfer-Encoding: base64',
        '',
        'AAEC',
        '--outer',
        'Content-Type: application/pdf; name="named.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERg==',
        '--outer--',
        '',
      ].join('\r\n'),
    );
    const { sink, stored } = memorySink();
    const parsed = await parseMessage(feed(raw), sink);

    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['attachment-1.eml', 'message/rfc822'],
      ['attachment-2.ics', 'text/calendar'],
      ['attachment-3.txt', 'text/x-server-log'],
      ['attachment-4.bin', 'application/x-vendor-thing'],
      ['named.pdf', 'application/pdf'],
    ]);
    expect(stored.get(0)!.bytes.toString()).toContain('Subject: The original');
  });

  test('withhold: nothing is stored, every attachment is listed as withheld with its size', async () => {
    const { sink, calls } = memorySink({ withhold: true });
    const parsed = await parseMessage(feed(message, 4096), sink);
    expect(calls).toEqual([]);
    expect(parsed.attachments).toHaveLength(3);
    expect(parsed.attachments.every((a) => a.withheld)).toBe(true);
    expect(byName(parsed.attachments, 'data.bin')!.size).toBe(binary.length);
    expect(byName(parsed.attachments, 'logo.png')!.size).toBe(logo.length);
    expect(byName(parsed.attachments, 'notes.txt')!.size).toBe(notes.length);
    expect(parsed.unparseable).toBe(false);
  });
});

test('a storage failure rejects parseMessage (for a retry) instead of crashing the process', async () => {
  const failing: AttachmentSink = {
    withhold: false,
    async store(_index, content) {
      content.resume();
      throw new Error('S3 is down');
    },
  };
  await expect(parseMessage(feed(message), failing)).rejects.toThrow('S3 is down');
});

describe('parseMessage: hostile or broken input', () => {
  test('a 3 MB header line ends as unparseable, with the parser error', async () => {
    const raw = Buffer.from(
      `From: a@sender.example\r\nSubject: ${'x'.repeat(3 * 1024 * 1024)}\r\nTo: b@example.com\r\n\r\nbody\r\n`,
    );
    const parsed = await parseMessage(feed(raw, 64 * 1024), memorySink().sink);
    expect(parsed.unparseable).toBe(true);
    expect(parsed.parseError).toEqual(expect.any(String));
    expect(parsed.parseError!.length).toBeGreaterThan(0);
  }, 10_000);

  test('2,000 nested multiparts end as unparseable, with the parser error', async () => {
    let head = 'From: a@sender.example\r\nTo: b@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\n';
    let tail = '';
    for (let depth = 0; depth < 2000; depth++) {
      head += `Content-Type: multipart/mixed; boundary="b${depth}"\r\n\r\n--b${depth}\r\n`;
      tail = `\r\n--b${depth}--\r\n${tail}`;
    }
    const raw = Buffer.from(`${head}Content-Type: text/plain\r\n\r\ninnermost\r\n${tail}`);
    const { sink, calls } = memorySink();
    const parsed = await parseMessage(feed(raw, 16 * 1024), sink);
    expect(parsed.unparseable).toBe(true);
    expect(parsed.parseError).toEqual(expect.any(String));
    expect(calls).toEqual([]);
  }, 10_000);

  test('plain garbage bytes still resolve to a (lenient) parse', async () => {
    const parsed = await parseMessage(feed(randomBytes(20_000), 1000), memorySink().sink);
    expect(parsed).toBeDefined();
    expect(parsed.unparseable).toBe(false);
    expect(parsed.parseError).toBeUndefined();
    expect(typeof parsed.text).toBe('string');
    expect(Array.isArray(parsed.attachments)).toBe(true);
    expect(parsed.snippet.length).toBeLessThanOrEqual(200);
  }, 10_000);
});
