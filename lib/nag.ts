import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 acknowledges each wildcard finding by its exact text, for example
 * `AwsSolutions-IAM5[Resource::<MailBucket1234.Arn>/incoming/*]`. {@link nagResource} spells a
 * value the way cdk-nag flattens it, so acknowledgements name exactly one resource pattern and
 * follow logical-id or environment changes.
 */
export function nagResource(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

/** Mirrors cdk-nag's flattenCfnReference (lib/utils/flatten-cfn-reference.js). */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const n = node as Record<string, unknown>;
    if (n['Fn::Join']) {
      const [delimiter, items] = n['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (n['Fn::Sub']) return flatten(n['Fn::Sub']);
    if (n['Fn::GetAtt']) {
      const [resource, attribute] = n['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (n['Fn::ImportValue']) return flatten(n['Fn::ImportValue']);
    if (n.Ref) return `<${flatten(n.Ref)}>`;
  }
  return JSON.stringify(node);
}
