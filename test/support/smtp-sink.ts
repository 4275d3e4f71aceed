import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export type SinkMode = 'accept' | '451';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
}

/** A real SMTP server standing in for a domain's primary mail server. */
export interface SmtpSink {
  port: number;
  received: ReceivedMail[];
  /** Transactions answered 451. */
  deferred: number;
  setMode(mode: SinkMode): void;
  stop(): Promise<void>;
}

const readAll = (stream: SMTPServerDataStream): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

export async function startSmtpSink(): Promise<SmtpSink> {
  let mode: SinkMode = 'accept';
  const sink = { received: [] as ReceivedMail[], deferred: 0 };
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH'],
    hideSTARTTLS: true,
    onData(stream, session, callback) {
      readAll(stream).then(
        (raw) => {
          if (mode === '451') {
            sink.deferred++;
            return callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
          }
          sink.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          callback(null, 'Queued');
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return Object.assign(sink, {
    port,
    setMode: (next: SinkMode) => {
      mode = next;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** The Subject header of a raw message (tests give each message a unique one). */
export const subjectOf = (raw: Buffer): string | undefined =>
  /^Subject: (.*)$/im.exec(raw.toString('utf8'))?.[1]?.trim();
