import {
  DEFAULT_MAIL_FLOW,
  PORT_25_WARNING,
  mailFlowAction,
  mailFlowFromAttribute,
  mailFlowToAttribute,
  usesPort25,
  type MailFlowSettings,
} from '../../lambdas/core/mail-flow/settings';
import { mailFlowSettingsSchema } from '../../lambdas/core/mail-flow/settings-schema';

const valid = {
  inbound: 'deliver',
  destination: { host: 'example-com.mail.protection.outlook.com', port: 587, tls: 'required' },
};
const withDestination = (patch: Record<string, unknown>) => ({
  ...valid,
  destination: { ...valid.destination, ...patch },
});
const parses = (body: unknown) => mailFlowSettingsSchema.safeParse(body).success;

describe('the Mail Flow settings schema', () => {
  test('accepts a destination and defaults the threshold to 0.9', () => {
    expect(mailFlowSettingsSchema.parse(valid)).toEqual({ ...valid, goodThreshold: 0.9 });
  });

  test.each([
    'mx.example.com',
    'localhost',
    'smtp-relay.gmail.com',
    '10.0.0.25',
    '2001:db8::25',
    'MAIL.Example.COM',
  ])('accepts host %s', (host) => {
    expect(parses(withDestination({ host }))).toBe(true);
  });

  test.each([
    'mx.example.com\r\nRCPT TO:<x@evil.example>',
    'mx.example.com\n',
    'mx.example.com\r',
    'mx example.com',
    '',
    '-mx.example.com',
    'mx..example.com',
    'mx.example.com:25',
    'http://mx.example.com',
    'a'.repeat(64) + '.example.com',
    '999.1.1.1.1',
  ])('refuses host %j', (host) => {
    expect(parses(withDestination({ host }))).toBe(false);
  });

  test('ports run from 1 to 65535, integers only', () => {
    for (const port of [1, 25, 465, 587, 2525, 65535]) expect(parses(withDestination({ port }))).toBe(true);
    for (const port of [0, -1, 65536, 587.5, '587', Number.NaN])
      expect(parses(withDestination({ port }))).toBe(false);
  });

  test('TLS is required or opportunistic', () => {
    expect(parses(withDestination({ tls: 'opportunistic' }))).toBe(true);
    expect(parses(withDestination({ tls: 'none' }))).toBe(false);
  });

  test('credentials are a Secrets Manager ARN, never inline', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:xtramail/smtp/example.com-AbCdEf';
    expect(parses(withDestination({ credentialsSecretArn: arn }))).toBe(true);
    expect(parses(withDestination({ credentialsSecretArn: 'user:password' }))).toBe(false);
    expect(parses(withDestination({ credentialsSecretArn: `${arn}\nx` }))).toBe(false);
    // The deliver function may read only xtramail/smtp/* secrets (lib/mail-flow.ts).
    const elsewhere = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-password-AbCdEf';
    expect(parses(withDestination({ credentialsSecretArn: elsewhere }))).toBe(false);
  });

  test('the threshold is a fraction; inbound is deliver or paused', () => {
    expect(mailFlowSettingsSchema.parse({ ...valid, goodThreshold: 0.75 }).goodThreshold).toBe(0.75);
    expect(parses({ ...valid, goodThreshold: 90 })).toBe(false);
    expect(parses({ ...valid, goodThreshold: -0.1 })).toBe(false);
    expect(parses({ ...valid, inbound: 'paused' })).toBe(true);
    expect(parses({ ...valid, inbound: 'off' })).toBe(false);
    expect(parses({ inbound: 'paused', notice: 'Exchange upgrade until 18:00' })).toBe(true);
    expect(parses({ ...valid, notice: 'x'.repeat(1001) })).toBe(false);
  });
});

describe('port 25', () => {
  test('is allowed but flagged with the AWS warning', () => {
    const settings = mailFlowSettingsSchema.parse(withDestination({ port: 25 }));
    expect(usesPort25(settings)).toBe(true);
    expect(usesPort25(mailFlowSettingsSchema.parse(valid))).toBe(false);
    expect(PORT_25_WARNING).toMatch(/port 25/);
    expect(PORT_25_WARNING).toMatch(/587/);
  });
});

describe('mailFlowAction', () => {
  test('paused holds, deliver with a destination delivers, deliver without one does nothing', () => {
    const deliver = mailFlowSettingsSchema.parse(valid) as MailFlowSettings;
    expect(mailFlowAction(deliver)).toBe('deliver');
    expect(mailFlowAction({ ...deliver, inbound: 'paused' })).toBe('hold');
    expect(mailFlowAction({ inbound: 'paused', goodThreshold: 0.9 })).toBe('hold');
    expect(mailFlowAction(DEFAULT_MAIL_FLOW)).toBe('none');
  });
});

describe('the mailFlow attribute of a domain item', () => {
  test('round-trips without undefined values', () => {
    const settings: MailFlowSettings = {
      inbound: 'paused',
      destination: {
        host: 'mx.example.com',
        port: 2525,
        tls: 'opportunistic',
        credentialsSecretArn: undefined,
      },
      goodThreshold: 0.8,
      notice: undefined,
    };
    const attribute = mailFlowToAttribute(settings);
    expect(JSON.stringify(attribute)).not.toContain('undefined');
    expect(Object.keys(attribute.destination as object)).toEqual(['host', 'port', 'tls']);
    expect(mailFlowFromAttribute(attribute)).toEqual({
      inbound: 'paused',
      destination: { host: 'mx.example.com', port: 2525, tls: 'opportunistic' },
      goodThreshold: 0.8,
    });
  });

  test('a domain item without (or with a broken) mailFlow gets the default', () => {
    expect(mailFlowFromAttribute(undefined)).toEqual(DEFAULT_MAIL_FLOW);
    expect(mailFlowFromAttribute({ inbound: 'sideways' })).toEqual(DEFAULT_MAIL_FLOW);
    expect(mailFlowFromAttribute({ inbound: 'paused' })).toEqual({ inbound: 'paused', goodThreshold: 0.9 });
  });

  test('a stored attribute that is not what the API writes falls back to the default, never half-read', () => {
    const destination = { host: 'mx.example.com', port: 587, tls: 'required' };
    for (const broken of [
      { inbound: 'deliver', destination: { ...destination, port: 0 } },
      { inbound: 'deliver', destination: { ...destination, port: '587' } },
      { inbound: 'deliver', destination: { ...destination, host: 'mx.example.com\r\nRCPT TO:<x@y>' } },
      { inbound: 'deliver', destination: { ...destination, tls: 'none' } },
      { inbound: 'deliver', destination: 'mx.example.com' },
      'deliver',
    ]) {
      expect(mailFlowFromAttribute(broken)).toEqual(DEFAULT_MAIL_FLOW);
    }
    expect(mailFlowFromAttribute({ inbound: 'deliver', goodThreshold: 7 }).goodThreshold).toBe(0.9);
  });
});
