import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { XtraMailConfigInput } from '../../lib/config';
import { XtraMailFunction } from '../../lib/lambda-defaults';
import { XtraMailStack } from '../../lib/xtramail-stack';

/** The app's own context (feature flags) from cdk.json, so tests synthesize what `cdk synth` does. */
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

/** A deployment with two managed domains, a real admin address and a custom domain. */
export const MANAGED_CONFIG: XtraMailConfigInput = {
  managedDomains: ['example.com', 'example.org'],
  bootstrapAdminEmail: 'partner@example.net',
  customDomainName: 'mail.example.net',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
};

export interface FixtureOptions {
  /** Stack configuration; none means the fresh-clone defaults (catch-all, placeholder admin). */
  readonly config?: XtraMailConfigInput;
  /** Extra CDK context. */
  readonly context?: Record<string, unknown>;
  /** A concrete account/region, as `cdk synth` passes them when credentials are available. */
  readonly env?: { readonly account: string; readonly region: string };
  /**
   * Register cdk-nag as in bin/xtramail.ts (acknowledgements are then written to template
   * metadata), and keep CDK's built-in CloudFormation validation (about 4 s per test file, so
   * off otherwise). Synthesis then fails on any finding of either.
   */
  readonly nag?: boolean;
}

export interface Fixture {
  readonly app: App;
  readonly stack: XtraMailStack;
  readonly template: Template;
}

/**
 * Builds the XtraMail stack without bundling (`aws:cdk:bundling-stacks: []`: no esbuild, no
 * Vite). Call it once per test file, at module level or in beforeAll.
 */
export function buildStack(options: FixtureOptions = {}): Fixture {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...options.context },
    builtinCloudFormationValidation: options.nag ?? false,
  });
  const stack = new XtraMailStack(app, 'XtraMail', { config: options.config, env: options.env });
  if (options.nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
  }
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  const element = construct.node.defaultChild as CfnElement;
  return element.stack.resolve(element.logicalId) as string;
}

/** Every XtraMail function of the stack (not the CDK-managed helper functions). */
export function xtramailFunctions(stack: Stack): XtraMailFunction[] {
  return stack.node.findAll().filter((c): c is XtraMailFunction => c instanceof XtraMailFunction);
}

/** Template JSON is untyped: tests walk it freely and assert on what they find. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CfnJson = any;

export interface CfnResource {
  readonly Type: string;
  readonly Properties: CfnJson;
  readonly Metadata?: CfnJson;
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** The template's resources by logical id. */
export function resourcesOf(template: Template): Record<string, CfnResource> {
  return template.toJSON().Resources;
}

/** The template's resources of one CloudFormation type. */
export function ofType(template: Template, type: string): CfnResource[] {
  return Object.values(resourcesOf(template)).filter((r) => r.Type === type);
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` as a matcher-friendly object. */
export const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
