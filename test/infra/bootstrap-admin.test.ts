import { buildStack, logicalId, MANAGED_CONFIG, resourcesOf } from './stack-fixture';

const { stack, template } = buildStack({ config: MANAGED_CONFIG });
const { bootstrapAdmin } = stack;
const resources = resourcesOf(template);
const secretId = logicalId(bootstrapAdmin.passwordSecret);
const onEventId = logicalId(bootstrapAdmin.onEventFunction);

describe('BootstrapAdmin', () => {
  const custom = Object.values(resources).filter((r) => r.Type === 'Custom::XtraMailBootstrapAdmin');

  test('is one custom resource with { AdminEmail, PasswordSecretArn }', () => {
    expect(custom).toHaveLength(1);
    const { ServiceToken, ...properties } = custom[0].Properties;
    expect(properties).toEqual({ AdminEmail: 'partner@example.net', PasswordSecretArn: { Ref: secretId } });
    // Provider framework: the service token is the framework's onEvent function, which invokes ours.
    const frameworkId = ServiceToken['Fn::GetAtt'][0];
    expect(resources[frameworkId].Properties.Environment.Variables.USER_ON_EVENT_FUNCTION_ARN).toEqual({
      'Fn::GetAtt': [onEventId, 'Arn'],
    });
  });

  test('the password is generated into Secrets Manager and its ARN is an output', () => {
    expect(resources[secretId].Type).toBe('AWS::SecretsManager::Secret');
    expect(resources[secretId].Properties.GenerateSecretString.PasswordLength).toBeGreaterThanOrEqual(20);
    template.hasOutput('BootstrapAdminPasswordSecret', { Value: { Ref: secretId } });
    template.hasOutput('BootstrapAdminEmail', { Value: 'partner@example.net' });
  });

  test('the onEvent handler may read the secret and write the table', () => {
    expect(resources[onEventId].Properties.Environment.Variables.TABLE_NAME).toEqual({
      Ref: logicalId(stack.storage.table),
    });
    const policy = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.Roles) ===
          JSON.stringify([{ Ref: logicalId(bootstrapAdmin.onEventFunction.role!) }]),
    )!;
    const statements = policy.Properties.PolicyDocument.Statement as Array<{
      Action: string[];
      Resource: unknown;
    }>;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['secretsmanager:GetSecretValue']),
        Resource: { Ref: secretId },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['dynamodb:PutItem']),
        Resource: { 'Fn::GetAtt': [logicalId(stack.storage.table), 'Arn'] },
      }),
    );
  });
});
