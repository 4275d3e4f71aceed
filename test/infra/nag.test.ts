import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PLACEHOLDER_ADMIN_EMAIL } from '../../lib/config';
import {
  buildStack,
  type Fixture,
  type FixtureOptions,
  logicalId,
  MANAGED_CONFIG,
  resourcesOf,
  xtramailFunctions,
} from './stack-fixture';

/**
 * The cdk-nag gate. cdk-nag 3 reports through CDK's policy-validation plugins, not through
 * annotations: synthesis (here, Template.fromStack) throws on any unacknowledged finding, and
 * `validateScope` lists what is left. Every acknowledgement carries its reason in the template
 * metadata (writeSuppressionsToCloudFormation).
 */
const variants: Array<[string, FixtureOptions]> = [
  ['fresh clone (catch-all, placeholder admin, cloudfront.net domain)', {}],
  ['managed domains and a custom domain', { config: MANAGED_CONFIG }],
  ['a concrete account and region', { env: { account: '123456789012', region: 'eu-west-1' } }],
];

interface Suppression {
  id: string;
  reason: string;
}

function suppressions({ template }: Fixture): Array<Suppression & { resource: string }> {
  return Object.entries(resourcesOf(template)).flatMap(([resource, r]) =>
    ((r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Suppression[]).map((s) => ({ ...s, resource })),
  );
}

describe.each(variants)('cdk-nag AwsSolutions: %s', (_name, options) => {
  // Synthesizes with the nag plugin and CDK's CloudFormation validation: it throws on findings.
  const fixture = buildStack({ ...options, nag: true });
  const { app, stack, template } = fixture;

  test('leaves no unacknowledged finding, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('has no error annotations, and no warning besides the placeholder-admin one', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    const warnings = annotations.findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    const expected = stack.config.bootstrapAdminEmailIsPlaceholder
      ? [expect.stringContaining(PLACEHOLDER_ADMIN_EMAIL)]
      : [];
    expect(warnings).toEqual(expected);
  });

  test('every acknowledgement names one AwsSolutions rule and gives a concrete reason', () => {
    const all = suppressions(fixture);
    expect(all.length).toBeGreaterThan(0);
    for (const { id, reason, resource } of all) {
      expect({ resource, id }).toEqual({
        resource,
        id: expect.stringMatching(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/),
      });
      expect({ resource, id, reason: reason.trim().length >= 40 }).toEqual({ resource, id, reason: true });
    }
  });

  test('acknowledges only these kinds of rules (a new kind needs a deliberate review)', () => {
    const kinds = new Set(suppressions(fixture).map(({ id }) => id.replace(/\[.*$/, '')));
    const expected = ['APIG4', 'CFR1', 'CFR2', 'IAM4', 'IAM5', 'L1', 'S1', 'SMG4', 'SQS3'];
    if (!options.config?.customDomainName) expected.push('CFR4');
    expect([...kinds].sort()).toEqual(expected.map((k) => `AwsSolutions-${k}`).sort());
  });

  test('XtraMail functions use "*" only for X-Ray, and never wildcard actions', () => {
    const resources = resourcesOf(template);
    for (const fn of xtramailFunctions(stack)) {
      const roleId = logicalId(fn.role!);
      const statements = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId))
        .flatMap(
          (r) =>
            r.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
        );
      for (const s of statements) {
        const actions = [s.Action].flat();
        expect({ fn: fn.node.path, wildcardActions: actions.filter((a) => a.includes('*')) }).toEqual({
          fn: fn.node.path,
          wildcardActions: [],
        });
        if ([s.Resource].flat().includes('*')) {
          expect({ fn: fn.node.path, actions }).toEqual({
            fn: fn.node.path,
            actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
          });
        }
      }
    }
  });
});
