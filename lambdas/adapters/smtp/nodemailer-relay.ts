import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { RecipientRejection, RelayDestination, SmtpRelay, SmtpResult } from '../smtp-relay';

export interface NodemailerRelayOptions {
  /** Milliseconds to open the TCP connection. Short: a dead server must not eat the Lambda's time. */
  connectionTimeoutMs?: number;
  /** Milliseconds from connecting to the 220 greeting. */
  greetingTimeoutMs?: number;
  /** Milliseconds of socket inactivity during a transaction. */
  socketTimeoutMs?: number;
  /** Verify the server's certificate. Only tests against a self-signed sink turn this off. */
  rejectUnauthorized?: boolean;
  /** Connections kept open per destination; a warm Lambda reuses them for the next messages. */
  maxConnections?: number;
  /** The name sent in EHLO; nodemailer's default is the machine's host name. */
  clientName?: string;
}

type Transport = ReturnType<typeof nodemailer.createTransport>;

interface NodemailerError {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
  recipient?: string;
}

interface SentInfo {
  response?: string;
  rejected?: unknown[];
  rejectedErrors?: NodemailerError[];
}

// Failures without an SMTP reply that no retry can fix: a malformed address or an empty message.
const PERMANENT_LOCAL_ERRORS = new Set(['EENVELOPE', 'EMESSAGE', 'ECONFIG']);

/**
 * 5xx is final for the message, except a 5xx to the login or STARTTLS: that is the destination
 * settings being wrong, and once the admin fixes them the waiting mail must still go.
 */
function isSettingsProblem(error: NodemailerError): boolean {
  const command = (error.command ?? '').toUpperCase();
  return (
    error.code === 'EAUTH' ||
    error.code === 'ETLS' ||
    command.startsWith('AUTH') ||
    command === 'STARTTLS' ||
    command === 'EHLO'
  );
}

export function smtpErrorToResult(error: unknown): SmtpResult {
  const e = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as NodemailerError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const errorCode = e.originalCode ?? e.code;
  const response = (e.response ?? e.message ?? 'unknown SMTP failure').trim();
  const transient =
    code === undefined
      ? !(e.code !== undefined && PERMANENT_LOCAL_ERRORS.has(e.code))
      : code < 500 || isSettingsProblem(e);
  return {
    ok: false,
    ...(code !== undefined ? { code } : {}),
    response,
    transient,
    ...(errorCode !== undefined ? { errorCode } : {}),
  };
}

function rejection(error: NodemailerError, fallbackRecipient: string): RecipientRejection {
  return {
    recipient: error.recipient ?? fallbackRecipient,
    ...(typeof error.responseCode === 'number' ? { code: error.responseCode } : {}),
    response: (error.response ?? error.message ?? '').trim(),
  };
}

/**
 * Delivers raw messages over SMTP with nodemailer. The bytes go out as given (nodemailer's
 * `raw` option; only SMTP dot-stuffing is applied on the wire), so DKIM signatures stay valid.
 * Messages must have CRLF line endings, as SES stores them: bare LF would be turned into CRLF.
 */
export class NodemailerRelay implements SmtpRelay {
  private readonly transports = new Map<string, Transport>();
  private readonly options: Required<Omit<NodemailerRelayOptions, 'clientName'>> & { clientName?: string };

  constructor(options: NodemailerRelayOptions = {}) {
    this.options = {
      connectionTimeoutMs: options.connectionTimeoutMs ?? 10_000,
      greetingTimeoutMs: options.greetingTimeoutMs ?? 10_000,
      socketTimeoutMs: options.socketTimeoutMs ?? 30_000,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      maxConnections: options.maxConnections ?? 2,
      ...(options.clientName !== undefined ? { clientName: options.clientName } : {}),
    };
  }

  async deliver(
    raw: Buffer,
    envelope: { from: string; to: string[] },
    destination: RelayDestination,
  ): Promise<SmtpResult> {
    try {
      const info = (await this.transport(destination).sendMail({ envelope, raw })) as SentInfo;
      const rejectedErrors = info.rejectedErrors ?? [];
      const rejected = (info.rejected ?? []).map((recipient, i) =>
        rejection(rejectedErrors[i] ?? {}, String(recipient)),
      );
      return {
        ok: true,
        response: String(info.response ?? '').trim(),
        ...(rejected.length > 0 ? { rejected } : {}),
      };
    } catch (error) {
      return smtpErrorToResult(error);
    }
  }

  /** Closes every pooled connection (tests, and a Lambda shutting down). */
  close(): void {
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
  }

  private transport(destination: RelayDestination): Transport {
    // The password is part of what makes a connection reusable, but only as a hash in memory.
    const secret = destination.auth
      ? createHash('sha256').update(`${destination.auth.user}\n${destination.auth.pass}`).digest('hex')
      : '';
    const key = `${destination.host}|${destination.port}|${destination.tls}|${secret}`;
    let transport = this.transports.get(key);
    if (!transport) {
      const o = this.options;
      transport = nodemailer.createTransport({
        pool: true,
        maxConnections: o.maxConnections,
        // Retrying belongs to the delivery queue, which logs every attempt; a requeue inside
        // the pool would be an unlogged second try.
        maxRequeues: 0,
        idleTimeout: 30_000,
        host: destination.host,
        port: destination.port,
        secure: destination.port === 465,
        requireTLS: destination.tls === 'required',
        opportunisticTLS: destination.tls === 'opportunistic',
        ignoreTLS: false,
        connectionTimeout: o.connectionTimeoutMs,
        greetingTimeout: o.greetingTimeoutMs,
        socketTimeout: o.socketTimeoutMs,
        ...(destination.auth ? { auth: { user: destination.auth.user, pass: destination.auth.pass } } : {}),
        ...(o.clientName !== undefined ? { name: o.clientName } : {}),
        tls: { rejectUnauthorized: o.rejectUnauthorized },
        disableFileAccess: true,
        disableUrlAccess: true,
        logger: false,
      });
      this.transports.set(key, transport);
    }
    return transport;
  }
}
