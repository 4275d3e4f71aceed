#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { XtraMailStack } from '../lib/xtramail-stack';

/**
 * The CDK app. Configure it with context (cdk.json or `-c key=value`): managedDomains,
 * bootstrapAdminEmail, customDomainName, certificateArn (see lib/config.ts).
 *
 * The stack is environment-agnostic unless the CLI knows the account and region, so
 * `npx cdk synth` works offline with no credentials.
 */
const app = new App();

new XtraMailStack(app, 'XtraMail', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

// cdk-nag 3 is a policy-validation plugin: any unacknowledged AwsSolutions finding (error or
// warning) fails synthesis. Acknowledgements live beside the resources, each with its reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
