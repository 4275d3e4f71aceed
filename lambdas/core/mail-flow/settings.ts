import { z } from 'zod';

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

// One DNS label: letters, digits and inner hyphens, at most 63 characters.
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`, 'i');

// The host ends up in a TCP connect and in logs; CR/LF or spaces there could forge log lines
// or SMTP commands, so anything but a plain hostname or IP literal is refused. CR/LF are
// checked before trimming so that a trailing newline is refused rather than quietly removed.
const hostSchema = z
  .string()
  .max(260)
  .refine((value) => !/[\r\n]/.test(value), 'host must not contain CR or LF')
  .trim()
  .min(1)
  .refine(isHostOrIp, 'host must be a hostname or an IP address');

function isHostOrIp(value: string): boolean {
  if (z.ipv4().safeParse(value).success || z.ipv6().safeParse(value).success) return true;
  // No top-level domain is numeric: 999.1.1.1.1 is a broken IP address, not a name.
  return HOSTNAME.test(value) && !/(^|\.)\d+$/.test(value);
}

/**
 * SMTP credentials live in Secrets Manager secrets named with this prefix; the deliver function's
 * IAM policy (lib/mail-flow.ts) may read those and no others, so any other secret is refused here
 * rather than failing every delivery with AccessDenied later.
 */
export const SMTP_SECRET_PREFIX = 'xtramail/smtp/';

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

export const destinationSchema = z.object({
  host: hostSchema,
  port: z.number().int().min(1).max(65535),
  tls: z.enum(['required', 'opportunistic']),
  credentialsSecretArn: z
    .string()
    .regex(SECRET_ARN, 'must be a Secrets Manager secret ARN')
    .refine(
      (arn) => arn.includes(`:secret:${SMTP_SECRET_PREFIX}`),
      `must be a secret named ${SMTP_SECRET_PREFIX}… (the only secrets Mail Flow may read)`,
    )
    .optional(),
});

/** The body of `PUT /api/console/domains/{domain}/mail-flow`. */
export const mailFlowSettingsSchema = z.object({
  inbound: z.enum(['deliver', 'paused']),
  destination: destinationSchema.optional(),
  goodThreshold: z.number().min(0).max(1).default(DEFAULT_GOOD_THRESHOLD),
  notice: z.string().max(1000).optional(),
});

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

/** Reads the `mailFlow` attribute of a domain item (DESIGN §3), tolerating items written before it existed. */
export function mailFlowFromAttribute(value: unknown): MailFlowSettings {
  if (value === undefined || value === null) return { ...DEFAULT_MAIL_FLOW };
  const parsed = mailFlowSettingsSchema.safeParse(value);
  return parsed.success ? stripUndefined(parsed.data) : { ...DEFAULT_MAIL_FLOW };
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
