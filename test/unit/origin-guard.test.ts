import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { apiHandler } from '../../lambdas/handlers/http/api-handler';
import {
  ORIGIN_VERIFY_HEADER,
  VIEWER_ADDRESS_HEADER,
  verifiedSourceIp,
} from '../../lambdas/handlers/http/origin-guard';
import { route } from '../../lambdas/handlers/http/types';

const SECRET = 'a-secret-only-cloudfront-knows-0123456789';
const EDGE_IP = '130.176.1.1';

const event = (headers: Record<string, string> = {}): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    rawPath: '/api/portal/whoami',
    headers,
    requestContext: { http: { method: 'GET', path: '/api/portal/whoami', sourceIp: EDGE_IP } },
  }) as unknown as APIGatewayProxyEventV2;

describe('verifiedSourceIp', () => {
  test('without a configured secret (no CloudFront in front) it is API Gateway’s source address', () => {
    expect(verifiedSourceIp(event({ [VIEWER_ADDRESS_HEADER]: '203.0.113.9:443' }), undefined)).toBe(EDGE_IP);
  });

  test('refuses a request without the secret, or with a wrong one, with 403', () => {
    const attempts: Record<string, string>[] = [
      {},
      { [ORIGIN_VERIFY_HEADER]: 'guess' },
      { [ORIGIN_VERIFY_HEADER]: `${SECRET}x` },
    ];
    for (const headers of attempts) {
      expect(() => verifiedSourceIp(event(headers), SECRET)).toThrow(
        expect.objectContaining({ status: 403, code: 'forbidden' }),
      );
    }
  });

  test('with the secret, the viewer address CloudFront saw is the source, IPv4 or IPv6, in any header case', () => {
    const viaCloudFront = (viewer: string) =>
      verifiedSourceIp(
        event({ 'X-XtraMail-Origin-Verify': SECRET, 'CloudFront-Viewer-Address': viewer }),
        SECRET,
      );
    expect(viaCloudFront('203.0.113.9:51234')).toBe('203.0.113.9');
    expect(viaCloudFront('2001:db8::1:51234')).toBe('2001:db8::1');
  });

  test('with the secret but no usable viewer address, it falls back to API Gateway’s source', () => {
    for (const viewer of ['', 'nonsense', '<script>:1']) {
      const headers = { [ORIGIN_VERIFY_HEADER]: SECRET, [VIEWER_ADDRESS_HEADER]: viewer };
      expect(verifiedSourceIp(event(headers), SECRET)).toBe(EDGE_IP);
    }
  });
});

describe('apiHandler behind CloudFront', () => {
  const seen: string[] = [];
  const handler = apiHandler(
    [
      route({
        method: 'GET',
        path: '/api/portal/whoami',
        public: true,
        summary: 'test route',
        async handle(request) {
          seen.push(request.sourceIp);
          return { status: 200, body: { ip: request.sourceIp } };
        },
      }),
    ],
    async () => ({}),
    async () => SECRET,
  );
  const invoke = (headers: Record<string, string>) =>
    handler(event(headers), { awsRequestId: 'test' } as Context) as Promise<{
      statusCode: number;
      body: string;
    }>;

  test('answers a direct call with a JSON 403 and never runs the route', async () => {
    const direct = await invoke({ [VIEWER_ADDRESS_HEADER]: '198.51.100.1:1' });
    expect(direct.statusCode).toBe(403);
    expect(JSON.parse(direct.body)).toMatchObject({ error: { code: 'forbidden' } });
    expect(seen).toEqual([]);
  });

  test('hands the route the viewer address when the secret matches', async () => {
    const ok = await invoke({ [ORIGIN_VERIFY_HEADER]: SECRET, [VIEWER_ADDRESS_HEADER]: '198.51.100.1:1' });
    expect(ok.statusCode).toBe(200);
    expect(seen).toEqual(['198.51.100.1']);
  });
});
