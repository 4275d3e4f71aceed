import { Annotations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * Used when no `bootstrapAdminEmail` is given, so `cdk synth` works on a fresh clone. Set the real
 * address before deploying (`-c bootstrapAdminEmail=you@yourcompany.com`): the bootstrap partner
 * admin is created with this address. Synth warns while the placeholder is in use.
 */
export const PLACEHOLDER_ADMIN_EMAIL = 'admin@example.com';

/** The CDK context keys the app reads (`cdk.json` "context", or `-c key=value` on the command line). */
export const CONTEXT_KEYS = {
  managedDomains: 'managedDomains',
  bootstrapAdminEmail: 'bootstrapAdminEmail',
  customDomainName: 'customDomainName',
  certificateArn: 'certificateArn',
  alarmEmail: 'alarmEmail',
} as const;

/** SES accepts at most 100 recipients per receipt rule. */
const MAX_RECIPIENTS_PER_RULE = 100;

/** Deployment settings. Each one, when given here, wins over the CDK context key of the same name. */
export interface XtraMailConfigInput {
  /**
   * The domains whose mail XtraMail receives: a list, or one comma-separated string
   * (`-c managedDomains=example.com,example.org`). Empty means a catch-all receipt rule
   * (every domain verified for receiving in the account and region).
   *
   * @default - context `managedDomains`, else none (catch-all)
   */
  readonly managedDomains?: readonly string[] | string;

  /**
   * The email address of the bootstrap partner admin. Required for a real deployment.
   *
   * @default - context `bootstrapAdminEmail`, else {@link PLACEHOLDER_ADMIN_EMAIL} (with a synth warning)
   */
  readonly bootstrapAdminEmail?: string;

  /**
   * A custom domain name for the CloudFront distribution, for example `mail.example.com`.
   * Requires `certificateArn`.
   *
   * @default - context `customDomainName`, else the distribution's `*.cloudfront.net` name
   */
  readonly customDomainName?: string;

  /**
   * The ARN of an ACM certificate in us-east-1 (CloudFront's region) covering `customDomainName`.
   *
   * @default - context `certificateArn`, else none
   */
  readonly certificateArn?: string;

  /**
   * Who gets the operational alarms by email (ingest or delivery giving up on mail, a domain's
   * Mail Flow turning Bad). SNS sends a confirmation mail first. `none` subscribes nobody.
   *
   * @default - context `alarmEmail`, else the bootstrap admin (unless that is the placeholder)
   */
  readonly alarmEmail?: string;
}

/** Validated, normalized configuration. */
export interface XtraMailConfig {
  /** Lower-case, de-duplicated domain names; empty for a catch-all receipt rule. */
  readonly managedDomains: readonly string[];
  /** Lower-case email address of the bootstrap partner admin. */
  readonly bootstrapAdminEmail: string;
  /** True when no address was configured and {@link PLACEHOLDER_ADMIN_EMAIL} is used. */
  readonly bootstrapAdminEmailIsPlaceholder: boolean;
  /** The custom domain of the distribution, when configured. */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** Lower-case address the alarms are mailed to, when anyone. */
  readonly alarmEmail?: string;
}

/** Thrown for invalid configuration; the message says which setting and how to fix it. */
export class XtraMailConfigError extends Error {
  public constructor(message: string) {
    super(`XtraMail configuration: ${message}`);
    this.name = 'XtraMailConfigError';
  }
}

const DOMAIN_RE =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const EMAIL_RE = /^[^\s@"'<>()[\]\\,;:]+@[^\s@]+$/;
const ACM_CERT_ARN_RE = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;

/** Reads the configuration from `input` and the CDK context of `scope`, validates and normalizes it. */
export function resolveConfig(scope: Construct, input: XtraMailConfigInput = {}): XtraMailConfig {
  const fromContext = (key: keyof typeof CONTEXT_KEYS): unknown =>
    scope.node.tryGetContext(CONTEXT_KEYS[key]);

  const managedDomains = parseDomains(input.managedDomains ?? fromContext('managedDomains'));

  const rawEmail = optionalString(
    'bootstrapAdminEmail',
    input.bootstrapAdminEmail ?? fromContext('bootstrapAdminEmail'),
  );
  const bootstrapAdminEmail = (rawEmail ?? PLACEHOLDER_ADMIN_EMAIL).toLowerCase();
  if (!EMAIL_RE.test(bootstrapAdminEmail) || !DOMAIN_RE.test(bootstrapAdminEmail.split('@')[1] ?? '')) {
    throw new XtraMailConfigError(
      `bootstrapAdminEmail "${rawEmail}" is not an email address. Pass -c bootstrapAdminEmail=you@yourcompany.com.`,
    );
  }
  if (rawEmail === undefined) {
    Annotations.of(scope).addWarningV2(
      'xtramail:placeholderAdminEmail',
      `No bootstrapAdminEmail configured: the bootstrap partner admin will be ${PLACEHOLDER_ADMIN_EMAIL}. ` +
        'Pass -c bootstrapAdminEmail=you@yourcompany.com (or set it in cdk.json) before deploying.',
    );
  }

  const customDomainName = optionalString(
    'customDomainName',
    input.customDomainName ?? fromContext('customDomainName'),
  );
  const certificateArn = optionalString(
    'certificateArn',
    input.certificateArn ?? fromContext('certificateArn'),
  );
  let customDomain: XtraMailConfig['customDomain'];
  if (customDomainName !== undefined || certificateArn !== undefined) {
    if (customDomainName === undefined || certificateArn === undefined) {
      throw new XtraMailConfigError(
        'customDomainName and certificateArn go together: give both (the certificate must cover the domain) or neither.',
      );
    }
    const domainName = customDomainName.toLowerCase().replace(/\.$/, '');
    if (!DOMAIN_RE.test(domainName)) {
      throw new XtraMailConfigError(`customDomainName "${customDomainName}" is not a valid domain name.`);
    }
    const arn = ACM_CERT_ARN_RE.exec(certificateArn);
    if (!arn) {
      throw new XtraMailConfigError(
        `certificateArn "${certificateArn}" is not an ACM certificate ARN (arn:aws:acm:us-east-1:<account>:certificate/<id>).`,
      );
    }
    if (arn[1] !== 'us-east-1') {
      throw new XtraMailConfigError(
        `certificateArn must be an ACM certificate in us-east-1 (CloudFront only uses certificates from there), not ${arn[1]}.`,
      );
    }
    customDomain = { domainName, certificateArn };
  }

  const rawAlarmEmail = optionalString('alarmEmail', input.alarmEmail ?? fromContext('alarmEmail'));
  let alarmEmail: string | undefined;
  if (rawAlarmEmail === undefined) alarmEmail = rawEmail === undefined ? undefined : bootstrapAdminEmail;
  else if (rawAlarmEmail.toLowerCase() !== 'none') {
    alarmEmail = rawAlarmEmail.toLowerCase();
    if (!EMAIL_RE.test(alarmEmail) || !DOMAIN_RE.test(alarmEmail.split('@')[1] ?? '')) {
      throw new XtraMailConfigError(
        `alarmEmail "${rawAlarmEmail}" is not an email address. Pass -c alarmEmail=ops@yourcompany.com, or none.`,
      );
    }
  }

  return {
    managedDomains,
    bootstrapAdminEmail,
    bootstrapAdminEmailIsPlaceholder: rawEmail === undefined,
    customDomain,
    ...(alarmEmail ? { alarmEmail } : {}),
  };
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new XtraMailConfigError(`${name} must be a string, got ${JSON.stringify(value)}.`);
  }
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Accepts a list, a comma-separated string, or a JSON array in a string (as `-c` passes it). */
function parseDomains(value: unknown): string[] {
  let items: unknown[];
  if (value === undefined || value === null) {
    items = [];
  } else if (Array.isArray(value)) {
    items = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(text);
        items = Array.isArray(parsed) ? parsed : [parsed];
      } catch {
        throw new XtraMailConfigError(`managedDomains "${text}" looks like JSON but does not parse.`);
      }
    } else {
      items = text.split(',');
    }
  } else {
    throw new XtraMailConfigError(
      `managedDomains must be a list of domains or a comma-separated string, got ${JSON.stringify(value)}.`,
    );
  }

  const domains = new Set<string>();
  for (const item of items) {
    if (typeof item !== 'string') {
      throw new XtraMailConfigError(`managedDomains entries must be strings, got ${JSON.stringify(item)}.`);
    }
    const domain = item.trim().toLowerCase().replace(/\.$/, '');
    if (domain === '') continue;
    if (!DOMAIN_RE.test(domain)) {
      throw new XtraMailConfigError(
        `managedDomains: "${item.trim()}" is not a domain name (expected something like example.com, no "@", no wildcard).`,
      );
    }
    domains.add(domain);
  }
  if (domains.size > MAX_RECIPIENTS_PER_RULE) {
    throw new XtraMailConfigError(
      `managedDomains lists ${domains.size} domains; one SES receipt rule takes at most ${MAX_RECIPIENTS_PER_RULE}.`,
    );
  }
  return [...domains];
}
