import { z } from 'zod';
import type { SessionDeps } from '../../lambdas/core/auth/sessions';
import { route } from '../../lambdas/handlers/http/types';
import { consoleApi } from '../../lambdas/handlers/routes/console-routes';
import { openApiDocument, openApiRoute } from '../../lambdas/handlers/routes/openapi-route';
import { portalApi } from '../../lambdas/handlers/routes/portal-routes';
import { ManualClock } from './support/manual-clock';
import { MemoryBlobs } from './support/memory-blobs';
import { MemoryTable } from './support/memory-table';

const deps: SessionDeps = {
  table: new MemoryTable(),
  clock: new ManualClock(),
  signingKey: async () => new Uint8Array(32),
  mfaKey: async () => new Uint8Array(32),
};

const extra = route({
  method: 'PUT',
  path: '/api/console/domains/{domain}/users/{user}',
  summary: 'Update a user',
  body: z.object({ type: z.enum(['user', 'mailing_list']), note: z.string().max(10).optional() }),
  handle: async () => ({ status: 204 }),
});

const portalDeps = {
  ...deps,
  blobs: new MemoryBlobs(),
  sender: { sendRaw: async () => ({ messageId: 'unused' }) },
};
const routes = [...consoleApi(deps).routes, ...portalApi(portalDeps).routes, extra];
type Operation = {
  summary: string;
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
};
const operation = (doc: ReturnType<typeof openApiDocument>, path: string, method: string) =>
  doc.paths[path]?.[method] as Operation | undefined;

test('query parameters come from the route query schemas', () => {
  const doc = openApiDocument(routes);
  const users = operation(doc, '/api/console/domains/{domain}/users', 'get');
  expect(
    users?.parameters
      ?.filter((p) => p.in === 'query')
      .map((p) => p.name)
      .sort(),
  ).toEqual(['cursor', 'limit', 'q', 'type']);
});

describe('openApiDocument', () => {
  const doc = openApiDocument(routes);

  test('is an OpenAPI 3.1 document with every route path and method', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const base of ['/api/console', '/api/portal']) {
      expect(Object.keys(doc.paths[`${base}/session`]).sort()).toEqual(['delete', 'get', 'post']);
    }
    const documented = routes.map((r) => `${r.method} ${r.path}`).sort();
    const inDocument = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(inDocument).toEqual(documented);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/console/domains/{domain}/users/{user}',
        '/api/console/session',
        '/api/portal/session',
      ]),
    );
  });

  test('sign-in carries its request body JSON schema, from the same zod schema that validates it', () => {
    for (const base of ['/api/console', '/api/portal']) {
      const post = operation(doc, `${base}/session`, 'post');
      expect(post?.requestBody?.required).toBe(true);
      const schema = post?.requestBody?.content['application/json'].schema;
      expect(schema).toMatchObject({
        type: 'object',
        properties: {
          email: { type: 'string', minLength: 3, maxLength: 320 },
          password: { type: 'string', minLength: 1, maxLength: 1024 },
        },
      });
      expect([...(schema?.required as string[])].sort()).toEqual(['email', 'password']);
    }
  });

  test('routes without a body have no requestBody; every operation documents the error shape', () => {
    expect(operation(doc, '/api/console/session', 'get')).not.toHaveProperty('requestBody');
    expect(operation(doc, '/api/portal/session', 'delete')).not.toHaveProperty('requestBody');
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods) as Operation[]) {
        expect(op.responses.default).toMatchObject({
          content: { 'application/json': { schema: { required: ['error'] } } },
        });
      }
    }
  });

  test('path parameters are listed as required strings, and an enum body is described', () => {
    const put = operation(doc, '/api/console/domains/{domain}/users/{user}', 'put');
    expect(put?.parameters).toEqual([
      { name: 'domain', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'user', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(put?.requestBody?.content['application/json'].schema).toMatchObject({
      properties: { type: { enum: ['user', 'mailing_list'] }, note: { type: 'string', maxLength: 10 } },
      required: ['type'],
    });
    expect(operation(doc, '/api/console/session', 'post')).not.toHaveProperty('parameters');
  });

  test('declares bearer and cookie security schemes', () => {
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      consoleCookie: { in: 'cookie', name: 'xm_console' },
      portalCookie: { in: 'cookie', name: 'xm_portal' },
    });
  });
});

describe('openApiRoute', () => {
  test('is a public GET /api/openapi.json serving the document', async () => {
    const served = openApiRoute(routes);
    expect(served).toMatchObject({ method: 'GET', path: '/api/openapi.json', public: true });
    const response = await served.handle({
      method: 'GET',
      path: '/api/openapi.json',
      params: {},
      query: {},
      headers: {},
      cookies: {},
      body: undefined,
      sourceIp: '127.0.0.1',
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(openApiDocument(routes));
  });
});
