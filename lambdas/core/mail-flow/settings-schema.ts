import { z } from 'zod';
import { DEFAULT_GOOD_THRESHOLD, SMTP_SECRET_PREFIX } from './settings';

/**
 * The request schema of `PUT /api/console/domains/{domain}/mail-flow`. Kept apart from
 * settings.ts so that ingest, which only reads stored settings, never loads zod.
 */

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
