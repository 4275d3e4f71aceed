import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { NodemailerRelay } from '../../lambdas/adapters/smtp/nodemailer-relay';
import type { RelayDestination } from '../../lambdas/adapters/smtp-relay';
import { classifySmtpResult } from '../../lambdas/core/mail-flow/retry';

/** What the sink does with the next transactions. */
type Mode = 'accept' | '451' | '550';

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  secure: boolean;
}

interface Sink {
  port: number;
  received: Received[];
  setMode(mode: Mode): void;
  stop(): Promise<void>;
}

const readAll = (stream: SMTPServerDataStream): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

const smtpError = (code: number, text: string): Error =>
  Object.assign(new Error(text), { responseCode: code });

/** A real SMTP server on 127.0.0.1 that accepts, answers 4xx at end of data, or 5xx at RCPT. */
async function startSink(): Promise<Sink> {
  let mode: Mode = 'accept';
  const received: Received[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH'],
    // STARTTLS with smtp-server's built-in self-signed certificate.
    onRcptTo(address, _session, callback) {
      if (mode === '550' || address.address.startsWith('unknown')) {
        return callback(smtpError(550, '5.1.1 No such user here'));
      }
      callback();
    },
    onData(stream, session, callback) {
      readAll(stream).then(
        (raw) => {
          if (mode === '451') return callback(smtpError(451, '4.3.0 Try again later'));
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            secure: session.secure,
          });
          callback(null, 'Queued as test');
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    setMode: (next) => {
      mode = next;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A CRLF message with the awkward parts: dot lines, 8-bit text, a long line, no final blank line. */
function rawMessage(n: number): Buffer {
  const lines = [
    'From: Sender <sender@outside.example>',
    `To: user${n}@example.com`,
    `Subject: Relay test ${n} - caf\u00e9`,
    `Message-ID: <relay-${n}@outside.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Message ${n}: gr\u00fc\u00dfe, \u65e5\u672c\u8a9e, emoji \u{1f4e8}.`,
    '.',
    '.starts with a dot',
    '..two dots',
    'x'.repeat(900),
    '  trailing spaces kept  ',
    `end ${n}`,
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

describe('NodemailerRelay against a real SMTP sink', () => {
  let sink: Sink;
  let relay: NodemailerRelay;
  let destination: RelayDestination;

  beforeAll(async () => {
    sink = await startSink();
    relay = new NodemailerRelay({
      rejectUnauthorized: false,
      connectionTimeoutMs: 2000,
      greetingTimeoutMs: 2000,
      socketTimeoutMs: 3000,
      clientName: 'xtramail.test',
    });
    destination = { host: '127.0.0.1', port: sink.port, tls: 'required' };
  });

  afterAll(async () => {
    relay.close();
    await sink.stop();
  });

  beforeEach(() => {
    sink.setMode('accept');
    sink.received.length = 0;
  });

  test('20 messages each arrive once, byte-identical, with their envelope recipients, over STARTTLS', async () => {
    const sent = Array.from({ length: 20 }, (_, n) => ({
      raw: rawMessage(n),
      envelope: {
        from: `bounce${n}@outside.example`,
        to: [`user${n}@example.com`, `shared${n % 3}@example.com`],
      },
    }));
    const results = await Promise.all(sent.map((m) => relay.deliver(m.raw, m.envelope, destination)));

    for (const result of results) {
      expect(result).toEqual({ ok: true, response: expect.stringMatching(/^250\b/) });
      expect(classifySmtpResult(result)).toBe('delivered');
    }
    expect(sink.received).toHaveLength(20);
    for (const message of sent) {
      const arrivals = sink.received.filter((r) => r.raw.equals(message.raw));
      expect(arrivals).toHaveLength(1);
      expect(arrivals[0].from).toBe(message.envelope.from);
      expect(arrivals[0].to).toEqual(message.envelope.to);
      expect(arrivals[0].secure).toBe(true);
    }
  });

  test('opportunistic TLS delivers too', async () => {
    const raw = rawMessage(100);
    const result = await relay.deliver(
      raw,
      { from: 'a@outside.example', to: ['b@example.com'] },
      { ...destination, tls: 'opportunistic' },
    );
    expect(result.ok).toBe(true);
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0].raw.equals(raw)).toBe(true);
  });

  test('451 is a transient failure with its code and reply', async () => {
    sink.setMode('451');
    const result = await relay.deliver(
      rawMessage(1),
      { from: 'a@outside.example', to: ['b@example.com'] },
      destination,
    );
    expect(result).toMatchObject({ ok: false, transient: true, code: 451 });
    expect(result.ok ? '' : result.response).toContain('Try again later');
    expect(classifySmtpResult(result)).toBe('deferred');
    expect(sink.received).toHaveLength(0);
  });

  test('550 is a permanent failure with its code and reply', async () => {
    sink.setMode('550');
    const result = await relay.deliver(
      rawMessage(2),
      { from: 'a@outside.example', to: ['b@example.com'] },
      destination,
    );
    expect(result).toMatchObject({ ok: false, transient: false, code: 550 });
    expect(result.ok ? '' : result.response).toContain('No such user');
    expect(classifySmtpResult(result)).toBe('failed');
  });

  test('one refused recipient among accepted ones is reported, not retried', async () => {
    const raw = rawMessage(3);
    const result = await relay.deliver(
      raw,
      { from: 'a@outside.example', to: ['b@example.com', 'unknown@example.com'] },
      destination,
    );
    expect(result).toMatchObject({
      ok: true,
      rejected: [
        { recipient: 'unknown@example.com', code: 550, response: expect.stringContaining('No such user') },
      ],
    });
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0].to).toEqual(['b@example.com']);
  });

  test('the transport recovers after failures and delivers again', async () => {
    sink.setMode('451');
    expect(
      (await relay.deliver(rawMessage(4), { from: 'a@o.example', to: ['b@example.com'] }, destination)).ok,
    ).toBe(false);
    sink.setMode('accept');
    const raw = rawMessage(5);
    expect((await relay.deliver(raw, { from: 'a@o.example', to: ['b@example.com'] }, destination)).ok).toBe(
      true,
    );
    expect(sink.received.map((r) => r.raw.equals(raw))).toEqual([true]);
  });
});

describe('NodemailerRelay when the destination is unreachable', () => {
  const relay = new NodemailerRelay({
    connectionTimeoutMs: 1000,
    greetingTimeoutMs: 500,
    socketTimeoutMs: 1000,
  });
  afterAll(() => relay.close());

  test('a stopped server is a transient connection failure', async () => {
    const sink = await startSink();
    const { port } = sink;
    await sink.stop();
    const result = await relay.deliver(
      rawMessage(6),
      { from: 'a@o.example', to: ['b@example.com'] },
      {
        host: '127.0.0.1',
        port,
        tls: 'required',
      },
    );
    expect(result).toMatchObject({ ok: false, transient: true, errorCode: 'ECONNREFUSED' });
    expect(result.ok ? 0 : result.code).toBeUndefined();
    expect(classifySmtpResult(result)).toBe('deferred');
  });

  test('a server that never greets times out as a transient failure', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const result = await relay.deliver(
        rawMessage(7),
        { from: 'a@o.example', to: ['b@example.com'] },
        {
          host: '127.0.0.1',
          port,
          tls: 'opportunistic',
        },
      );
      expect(result).toMatchObject({ ok: false, transient: true, errorCode: 'ETIMEDOUT' });
      expect(classifySmtpResult(result)).toBe('deferred');
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
