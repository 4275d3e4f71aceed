import { z } from 'zod';
import { route, type Route } from '../http/types';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
};

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(routes: Route[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const queryProperties = r.query
      ? ((z.toJSONSchema(r.query, { io: 'input' }) as { properties?: Record<string, object> }).properties ??
        {})
      : {};
    const parameters = [
      ...[...r.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...Object.entries(queryProperties).map(([name, schema]) => ({
        name,
        in: 'query',
        required: false,
        schema,
      })),
    ];
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: z.toJSONSchema(r.body) } },
            },
          }
        : {}),
      responses: {
        default: { description: 'An error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'XtraMail API', version: '1' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        consoleCookie: { type: 'apiKey', in: 'cookie', name: 'xm_console' },
        portalCookie: { type: 'apiKey', in: 'cookie', name: 'xm_portal' },
      },
    },
    paths,
  };
}

export const openApiRoute = (routes: Route[]): Route => {
  let document: ReturnType<typeof openApiDocument> | undefined;
  return route({
    method: 'GET',
    path: '/api/openapi.json',
    public: true,
    summary: 'This document',
    async handle() {
      document ??= openApiDocument(routes);
      return { status: 200, body: document };
    },
  });
};
