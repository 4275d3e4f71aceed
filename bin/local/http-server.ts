import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mergeHeaders } from '../../lambdas/handlers/http/headers';
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from '../../lambdas/handlers/http/origin-guard';

export type ApiLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Mirrors the HTTP API's routes: which Lambda answers which path. */
export interface ApiRoutes {
  console: ApiLambda;
  portal: ApiLambda;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024; // API Gateway's payload limit

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded)|text\/)/;

function lambdaFor(routes: ApiRoutes, pathname: string): ApiLambda | undefined {
  if (pathname.startsWith('/api/portal/')) return routes.portal;
  if (pathname.startsWith('/api/console/') || pathname === '/api/openapi.json') return routes.console;
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('Request body is larger than 10 MB'), { status: 413 }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The payload format 2.0 event API Gateway's HTTP API sends to a Lambda integration. */
/**
 * This server plays CloudFront as well as API Gateway, so it adds the origin secret the
 * handlers check. The value only has to match between the two halves of this process.
 */
export const LOCAL_ORIGIN_SECRET = 'local-origin-secret-cloudfront-would-send';
const CLOUDFRONT_SETS = new Set([ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER]);

function viewerAddress(req: IncomingMessage): string {
  const ip = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  return `${ip}:${req.socket.remotePort ?? 0}`;
}

export function toApiGatewayEvent(req: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'cookie' || value === undefined || CLOUDFRONT_SETS.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // As CloudFront does: the origin secret, and the viewer's address whatever the client claims.
  headers[ORIGIN_VERIFY_HEADER] = LOCAL_ORIGIN_SECRET;
  headers[VIEWER_ADDRESS_HEADER] = viewerAddress(req);
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  const routeKey = `ANY ${url.pathname.startsWith('/api/portal/') ? '/api/portal/{proxy+}' : '/api/console/{proxy+}'}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: req.headers.cookie ? req.headers.cookie.split(/;\s*/) : undefined,
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        // API Gateway sees the CloudFront edge, not the viewer.
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: !isText,
  };
}

const lambdaContext = (name: string): Context =>
  ({
    functionName: name,
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 29_000,
  }) as Context;

/** The same headers CloudFront's response headers policy adds (lib/security-headers.ts). */
let SECURITY_HEADERS: Readonly<Record<string, string>> = {};

/** The security headers, then the handler's: a handler's header replaces ours whatever its case. */
function sendResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2) {
  const headers: Record<string, string | string[]> = mergeHeaders(
    SECURITY_HEADERS,
    Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)])),
  );
  if (result.cookies?.length) headers['Set-Cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined);
}

function sendJsonError(res: ServerResponse, status: number, code: string, message: string) {
  sendResult(res, {
    statusCode: status,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: { code, message } }),
  });
}

/** Static files from the built SPA; every other non-API path gets index.html (client routing). */
function serveStatic(res: ServerResponse, webRoot: string, pathname: string) {
  const index = path.join(webRoot, 'index.html');
  if (!existsSync(index)) {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    res.end('The web app is not built yet. Run `npm run build:web` (npm start does it for you).\n');
    return;
  }
  const candidate = path.normalize(path.join(webRoot, decodeURIComponent(pathname)));
  const inside = candidate.startsWith(webRoot + path.sep);
  const file = inside && existsSync(candidate) && statSync(candidate).isFile() ? candidate : index;
  const hashedAsset = file.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Cache-Control': hashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(readFileSync(file));
}

/** The local stand-in for CloudFront + HTTP API: same routes, same events, same handlers. */
export async function startHttpServer(options: {
  port: number;
  webRoot: string;
  routes: ApiRoutes;
  /** Operations of the local runtime itself (not the product's API), e.g. `POST /_local/…`. */
  control?: Record<string, () => Promise<unknown>>;
  securityHeaders: Readonly<Record<string, string>>;
}): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  SECURITY_HEADERS = options.securityHeaders;
  const webRoot = path.resolve(options.webRoot);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const control = options.control?.[`${req.method} ${url.pathname}`];
    if (control) {
      return control().then(
        (body) =>
          sendResult(res, {
            statusCode: 200,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          }),
        (error: Error) => sendJsonError(res, 500, 'internal', error.message),
      );
    }
    if (!url.pathname.startsWith('/api/')) return serveStatic(res, webRoot, url.pathname);
    const lambda = lambdaFor(options.routes, url.pathname);
    if (!lambda) return sendJsonError(res, 404, 'not_found', `There is no API route ${url.pathname}.`);
    try {
      const event = toApiGatewayEvent(req, url, await readBody(req));
      sendResult(res, await lambda(event, lambdaContext('api')));
    } catch (error) {
      const status = (error as { status?: number }).status ?? 500;
      console.error(`[http] ${req.method} ${url.pathname}: ${(error as Error).stack}`);
      sendJsonError(res, status, status === 413 ? 'payload_too_large' : 'internal', (error as Error).message);
    }
  };
  const servers: Server[] = [];
  const listen = (host: string, port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer((req, res) => void handle(req, res));
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  const primary = await listen('127.0.0.1', options.port);
  servers.push(primary);
  const { port } = primary.address() as AddressInfo;
  // Browsers may resolve localhost to ::1 first; answer there too when the machine has IPv6.
  await listen('::1', port).then(
    (server) => servers.push(server),
    () => undefined,
  );
  return {
    url: `http://localhost:${port}`,
    port,
    stop: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
