/**
 * AWS blocks outbound port 25 from Lambda (and from EC2 unless lifted on request), so a
 * destination on 25 will time out in the cloud. It stays allowed because a relay inside a
 * VPC or the local runtime can use it; the console and the README show this warning instead.
 */
export const PORT_25_WARNING =
  'AWS blocks outbound SMTP on port 25 from Lambda. Deliver to your mail server or relay on a ' +
  'submission port (587 or 2525) with SMTP credentials stored in Secrets Manager.';

/** What the primary mail server accepts on its port: STARTTLS required, or used when offered. */
export type TlsMode = 'required' | 'opportunistic';

export interface Destination {
  host: string;
  port: number;
  tls: TlsMode;
  /** Secrets Manager secret holding `{ "user": …, "pass": … }`; never the credentials themselves. */
  credentialsSecretArn?: string;
}

export interface MailFlowSettings {
  inbound: 'deliver' | 'paused';
  destination?: Destination;
  /** Share of the last attempts that must succeed for the status to stay Good. */
  goodThreshold: number;
  /** Free text the admin shows users while delivery is paused, e.g. "Exchange upgrade until 18:00". */
  notice?: string;
}

export const DEFAULT_GOOD_THRESHOLD = 0.9;

/** A domain that never configured Mail Flow: nothing to deliver to, nothing held. */
export const DEFAULT_MAIL_FLOW: MailFlowSettings = {
  inbound: 'deliver',
  goodThreshold: DEFAULT_GOOD_THRESHOLD,
};

/**
 * SMTP credentials live in Secrets Manager secrets named with this prefix; the deliver function's
 * IAM policy (lib/mail-flow.ts) may read those and no others, so any other secret is refused here
 * rather than failing every delivery with AccessDenied later.
 */
export const SMTP_SECRET_PREFIX = 'xtramail/smtp/';

export const usesPort25 = (settings: MailFlowSettings): boolean => settings.destination?.port === 25;

export type MailFlowAction = 'deliver' | 'hold' | 'none';

/**
 * What ingest does with an accepted message. Paused holds it even without a destination (the
 * admin may be moving servers); deliver without a destination means Mail Flow is not set up.
 */
export function mailFlowAction(settings: MailFlowSettings): MailFlowAction {
  if (settings.inbound === 'paused') return 'hold';
  return settings.destination ? 'deliver' : 'none';
}

/**
 * Reads the `mailFlow` attribute of a domain item (DESIGN §3), tolerating items written before
 * it existed. Plain checks rather than the request schema: ingest reads this for every message,
 * and keeping zod out of its bundle keeps its memory and start-up down.
 */
export function mailFlowFromAttribute(value: unknown): MailFlowSettings {
  const stored = value as Partial<Record<keyof MailFlowSettings, unknown>> | null | undefined;
  if (!stored || typeof stored !== 'object') return { ...DEFAULT_MAIL_FLOW };
  const { inbound, goodThreshold, destination, notice } = stored;
  if (inbound !== 'deliver' && inbound !== 'paused') return { ...DEFAULT_MAIL_FLOW };
  const threshold =
    typeof goodThreshold === 'number' && goodThreshold >= 0 && goodThreshold <= 1
      ? goodThreshold
      : DEFAULT_GOOD_THRESHOLD;
  const settings: MailFlowSettings = { inbound, goodThreshold: threshold };
  if (destination !== undefined) {
    const parsed = destinationFromAttribute(destination);
    if (!parsed) return { ...DEFAULT_MAIL_FLOW };
    settings.destination = parsed;
  }
  if (typeof notice === 'string') settings.notice = notice;
  return settings;
}

function destinationFromAttribute(value: unknown): Destination | undefined {
  const stored = value as Partial<Record<keyof Destination, unknown>> | null;
  if (!stored || typeof stored !== 'object') return undefined;
  const { host, port, tls, credentialsSecretArn } = stored;
  if (typeof host !== 'string' || !host || /\s/.test(host)) return undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  if (tls !== 'required' && tls !== 'opportunistic') return undefined;
  if (credentialsSecretArn !== undefined && typeof credentialsSecretArn !== 'string') return undefined;
  return { host, port, tls, ...(credentialsSecretArn ? { credentialsSecretArn } : {}) };
}

/** The `mailFlow` attribute of a domain item; undefined fields are left out (DynamoDB refuses them). */
export const mailFlowToAttribute = (settings: MailFlowSettings): Record<string, unknown> =>
  stripUndefined(settings) as unknown as Record<string, unknown>;

function stripUndefined(settings: MailFlowSettings): MailFlowSettings {
  const out: MailFlowSettings = { inbound: settings.inbound, goodThreshold: settings.goodThreshold };
  if (settings.destination) {
    const { host, port, tls, credentialsSecretArn } = settings.destination;
    out.destination = { host, port, tls, ...(credentialsSecretArn ? { credentialsSecretArn } : {}) };
  }
  if (settings.notice !== undefined) out.notice = settings.notice;
  return out;
}
