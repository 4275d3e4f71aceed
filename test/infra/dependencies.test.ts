import { buildStack, MANAGED_CONFIG } from './stack-fixture';

type Json = unknown;

/** Every resource a value refers to (Ref, Fn::GetAtt, Fn::Sub's ${…}), the way CloudFormation orders them. */
function referencedIds(value: Json, resources: Set<string>, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => referencedIds(v, resources, into));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string' && resources.has(inner)) into.add(inner);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(inner) ? inner[0] : String(inner).split('.')[0];
        if (resources.has(target)) into.add(target);
      } else if (key === 'Fn::Sub') {
        const template = Array.isArray(inner) ? inner[0] : inner;
        for (const [, name] of String(template).matchAll(/\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/g))
          if (resources.has(name)) into.add(name);
        if (Array.isArray(inner)) referencedIds(inner[1], resources, into);
      } else referencedIds(inner, resources, into);
    }
  }
  return into;
}

/** One cycle in the resource graph, or undefined: CloudFormation refuses a template with any. */
interface Resource {
  Properties?: Json;
  DependsOn?: string | string[];
}

function findCycle(template: { Resources: Record<string, Resource> }): string[] | undefined {
  const resources = template.Resources;
  const ids = new Set(Object.keys(resources));
  const edges = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const targets = referencedIds(resource.Properties ?? {}, ids);
    for (const dep of [resource.DependsOn ?? []].flat()) targets.add(dep);
    edges.set(id, targets);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of ids) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('Stack: resource dependencies', () => {
  // CDK does not look for cycles within one stack; CloudFormation would refuse the deploy.
  test.each([
    ['fresh-clone defaults', undefined],
    ['managed domains and a custom domain', MANAGED_CONFIG],
  ])('%s: no circular dependency between resources', (_name, config) => {
    const { template } = buildStack(config ? { config } : {});
    expect(findCycle(template.toJSON() as { Resources: Record<string, Resource> })).toBeUndefined();
  });

  test('the check itself finds a cycle', () => {
    const template = {
      Resources: {
        A: { Type: 'X', Properties: { P: { Ref: 'B' } } },
        B: { Type: 'X', Properties: { P: { 'Fn::GetAtt': ['C', 'Arn'] } } },
        C: { Type: 'X', Properties: { P: { 'Fn::Sub': 'arn:${A}' } } },
      },
    };
    expect(findCycle(template)).toEqual(['A', 'B', 'C', 'A']);
  });
});
