import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { SESEvent, SESMailHeader } from 'aws-lambda';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

/** SES receiving accepts messages up to 40 MB. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

// The standard test strings: real scanners flag them, so local mail can exercise those paths.
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

export interface ReceivedMail {
  sesMessageId: string;
  raw: Buffer;
  event: SESEvent;
}

export interface SmtpReceiver {
  port: number;
  stop(): Promise<void>;
}

const sesMessageId = () => randomBytes(20).toString('hex');

function readStream(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function headerBlock(raw: Buffer): SESMailHeader[] {
  const end = raw.indexOf('\r\n\r\n');
  const text = raw.subarray(0, end < 0 ? Math.min(raw.length, 65536) : end).toString('utf8');
  return text
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.split(/:(.*)/s))
    .filter(([name, value]) => name && value !== undefined)
    .map(([name, value]) => ({ name, value: value.trim() }));
}

/** The event SES's Lambda action sends: envelope recipients in `receipt.recipients`. */
export function sesEvent(id: string, raw: Buffer, sender: string, recipients: string[], at: Date): SESEvent {
  const text = raw.toString('latin1');
  const headers = headerBlock(raw);
  const header = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value;
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: at.toISOString(),
            source: sender,
            messageId: id,
            destination: recipients,
            headersTruncated: false,
            headers,
            commonHeaders: {
              returnPath: sender,
              from: header('from') ? [header('from')!] : undefined,
              to: header('to') ? [header('to')!] : undefined,
              date: header('date') ?? at.toUTCString(),
              messageId: header('message-id') ?? '',
              subject: header('subject'),
            },
          },
          receipt: {
            timestamp: at.toISOString(),
            processingTimeMillis: 0,
            recipients,
            spamVerdict: { status: text.includes(GTUBE) ? 'FAIL' : 'PASS' },
            virusVerdict: { status: text.includes(EICAR) ? 'FAIL' : 'PASS' },
            spfVerdict: { status: 'GRAY' },
            dkimVerdict: { status: 'GRAY' },
            dmarcVerdict: { status: 'GRAY' },
            action: {
              type: 'Lambda',
              functionArn: 'arn:aws:lambda:local:000000000000:function:ingest',
              invocationType: 'Event',
            },
          },
        },
      },
    ],
  } as SESEvent;
}

/**
 * An SMTP listener that plays SES receiving: it stores the raw bytes (the S3 action), answers
 * 250 with the message id, then hands the SES-shaped event on (the Lambda action).
 */
export async function startSmtpReceiver(options: {
  port: number;
  now: () => Date;
  store(id: string, raw: Buffer): Promise<void>;
  received(mail: ReceivedMail): void;
}): Promise<SmtpReceiver> {
  const server = new SMTPServer({
    name: 'xtramail.local',
    banner: 'XtraMail local inbound (SES stand-in)',
    authOptional: true,
    disabledCommands: ['AUTH'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, session, callback) {
      readStream(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) {
            const error = Object.assign(new Error('Message exceeds the 40 MB limit'), { responseCode: 552 });
            return callback(error);
          }
          const id = sesMessageId();
          const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          await options.store(id, raw);
          callback(null, `Ok ${id}`);
          options.received({
            sesMessageId: id,
            raw,
            event: sesEvent(id, raw, sender, recipients, options.now()),
          });
        })
        .catch((error: Error) => callback(Object.assign(error, { responseCode: 451 })));
    },
  });
  server.on('error', (error) => console.error(`[smtp] ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
