import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { PLACEHOLDER_ADMIN_EMAIL, resolveConfig, type XtraMailConfigInput } from '../../lib/config';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function resolve(context: Record<string, unknown> = {}, input: XtraMailConfigInput = {}) {
  const stack = new Stack(new App({ context, builtinCloudFormationValidation: false }), 'ConfigTest');
  return { config: resolveConfig(stack, input), stack };
}

describe('resolveConfig: alarmEmail', () => {
  test('defaults to the bootstrap admin, but never to the placeholder', () => {
    expect(resolve({ bootstrapAdminEmail: 'Partner@Example.net' }).config.alarmEmail).toBe(
      'partner@example.net',
    );
    expect(resolve().config.alarmEmail).toBeUndefined();
  });

  test('an address of its own wins, normalized; none subscribes nobody', () => {
    const context = { bootstrapAdminEmail: 'partner@example.net' };
    expect(resolve({ ...context, alarmEmail: ' Ops@Example.COM ' }).config.alarmEmail).toBe(
      'ops@example.com',
    );
    expect(resolve(context, { alarmEmail: 'none' }).config.alarmEmail).toBeUndefined();
  });

  test('refuses something that is not an address, saying how to fix it', () => {
    expect(() => resolve({ alarmEmail: 'ops at example' })).toThrow(
      /alarmEmail "ops at example".*-c alarmEmail=/,
    );
  });
});

describe('resolveConfig', () => {
  test('defaults: catch-all, placeholder admin with a synth warning, no custom domain', () => {
    const { config, stack } = resolve();
    expect(config).toEqual({
      managedDomains: [],
      bootstrapAdminEmail: PLACEHOLDER_ADMIN_EMAIL,
      bootstrapAdminEmailIsPlaceholder: true,
      customDomain: undefined,
    });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('No bootstrapAdminEmail configured'));
  });

  test.each<[string, unknown]>([
    ['a comma-separated string (-c managedDomains=…)', ' Example.com, example.org ,,example.com. '],
    ['a list (cdk.json)', ['example.com', 'EXAMPLE.ORG']],
    ['a JSON array in a string', '["example.com","example.org"]'],
  ])('managedDomains from %s', (_how, value) => {
    expect(resolve({ managedDomains: value }).config.managedDomains).toEqual(['example.com', 'example.org']);
  });

  test('stack props win over context, and the admin email is normalized without a warning', () => {
    const { config, stack } = resolve(
      { managedDomains: 'context.example', bootstrapAdminEmail: 'context@example.com' },
      { managedDomains: ['props.example'], bootstrapAdminEmail: ' Partner@Example.NET ' },
    );
    expect(config.managedDomains).toEqual(['props.example']);
    expect(config.bootstrapAdminEmail).toBe('partner@example.net');
    expect(config.bootstrapAdminEmailIsPlaceholder).toBe(false);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('a custom domain needs a us-east-1 certificate', () => {
    expect(
      resolve({ customDomainName: 'Mail.Example.com', certificateArn: CERT }).config.customDomain,
    ).toEqual({
      domainName: 'mail.example.com',
      certificateArn: CERT,
    });
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    [
      'an address as a domain',
      { managedDomains: 'user@example.com' },
      /managedDomains: "user@example.com" is not a domain/,
    ],
    ['a wildcard domain', { managedDomains: '*.example.com' }, /not a domain name/],
    ['a non-string domain', { managedDomains: [42] }, /entries must be strings/],
    ['broken JSON', { managedDomains: '["example.com"' }, /does not parse/],
    [
      'too many domains',
      { managedDomains: Array.from({ length: 101 }, (_, i) => `d${i}.example`) },
      /at most 100/,
    ],
    ['an invalid admin email', { bootstrapAdminEmail: 'not-an-email' }, /bootstrapAdminEmail "not-an-email"/],
    ['a domain without certificate', { customDomainName: 'mail.example.com' }, /go together/],
    ['a certificate without domain', { certificateArn: CERT }, /go together/],
    [
      'a certificate outside us-east-1',
      { customDomainName: 'mail.example.com', certificateArn: CERT.replace('us-east-1', 'eu-west-1') },
      /us-east-1.*not eu-west-1/,
    ],
    [
      'a malformed certificate ARN',
      { customDomainName: 'mail.example.com', certificateArn: 'cert-123' },
      /not an ACM certificate ARN/,
    ],
  ])('rejects %s with a clear message', (_what, context, message) => {
    expect(() => resolve(context)).toThrow(message);
  });
});
