import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { XtraMailFunction } from './lambda-defaults';
import { nagResource } from './nag';

export interface BootstrapAdminProps {
  readonly table: ITable;
  /** The bootstrap partner admin's email address. */
  readonly adminEmail: string;
}

/**
 * Creates the first partner admin at deploy time: a custom resource (Provider framework) whose
 * onEvent handler (`lambdas/handlers/bootstrap-admin.ts`) stores the admin with the password
 * generated into {@link passwordSecret}. The partner reads it once:
 * `aws secretsmanager get-secret-value --secret-id <arn> --query SecretString --output text`.
 *
 * Resource properties sent to the handler: `{ AdminEmail, PasswordSecretArn }`.
 */
export class BootstrapAdmin extends Construct {
  /** The generated initial password of the bootstrap admin. */
  public readonly passwordSecret: Secret;
  public readonly onEventFunction: XtraMailFunction;
  public readonly resource: CustomResource;

  public constructor(scope: Construct, id: string, props: BootstrapAdminProps) {
    super(scope, id);

    this.passwordSecret = new Secret(this, 'InitialPassword', {
      description: `XtraMail: initial password of the bootstrap partner admin ${props.adminEmail}`,
      generateSecretString: { passwordLength: 24, excludeCharacters: ' "\'`\\' },
    });

    this.onEventFunction = new XtraMailFunction(this, 'OnEvent', {
      entry: 'lambdas/handlers/bootstrap-admin.ts',
      description: 'XtraMail: creates the bootstrap partner admin (CloudFormation custom resource)',
      timeout: Duration.minutes(1),
      environment: { TABLE_NAME: props.table.tableName },
    });
    props.table.grantReadWriteData(this.onEventFunction);
    this.passwordSecret.grantRead(this.onEventFunction);

    // The framework function gets its own log group and a role limited to it, instead of
    // AWSLambdaBasicExecutionRole.
    const frameworkLogGroup = new LogGroup(this, 'ProviderLogGroup', { retention: RetentionDays.ONE_MONTH });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Execution role of the bootstrap-admin custom resource provider framework',
    });
    frameworkLogGroup.grantWrite(frameworkRole);
    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.onEventFunction,
      logGroup: frameworkLogGroup,
      frameworkOnEventRole: frameworkRole,
    });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::XtraMailBootstrapAdmin',
      properties: {
        AdminEmail: props.adminEmail,
        PasswordSecretArn: this.passwordSecret.secretArn,
      },
    });

    Validations.of(this.passwordSecret.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'One-time bootstrap credential: the partner reads it once and then changes the password in the console; rotating the secret would not change the stored password hash.',
    });
    const frameworkPolicy = frameworkRole.node.findChild('DefaultPolicy');
    Validations.of(frameworkPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, this.onEventFunction.functionArn)}:*]`,
      reason:
        'The CDK provider framework may invoke the onEvent function and its versions/aliases (ARN:*); nothing else.',
    });
    Validations.of(provider.node.findChild('framework-onEvent').node.defaultChild!).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'CDK-managed provider framework function; aws-cdk-lib picks its Node.js runtime (the latest available in every region).',
    });
  }
}
