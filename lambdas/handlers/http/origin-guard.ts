import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../../core/errors';

/** CloudFront adds this header, carrying a generated secret, to every request it forwards to the API. */
export const ORIGIN_VERIFY_HEADER = 'x-xtramail-origin-verify';
/** The viewer's own address and port, as CloudFront saw the connection. */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

const headerValue = (event: APIGatewayProxyEventV2, name: string): string | undefined =>
  Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `203.0.113.7:443` or `2001:db8::1:443`: the port is always after the last colon. */
function viewerIp(address: string | undefined): string | undefined {
  const cut = address?.lastIndexOf(':') ?? -1;
  const ip = cut > 0 ? address!.slice(0, cut).replace(/^\[|\]$/g, '') : undefined;
  return ip && /^[0-9a-fA-F:.]+$/.test(ip) ? ip : undefined;
}

/**
 * Who is asking, once we know the request came through our CloudFront distribution.
 *
 * Without the secret header, a caller could reach the execute-api address directly, skip
 * CloudFront's security headers, and forge `CloudFront-Viewer-Address` to spread login attempts
 * over made-up addresses. With it, the viewer address is trustworthy, and it is the address
 * the per-source sign-in limit must count: API Gateway's own `sourceIp` is a CloudFront edge
 * server shared by many viewers.
 */
export function verifiedSourceIp(event: APIGatewayProxyEventV2, originSecret: string | undefined): string {
  if (originSecret === undefined) return event.requestContext.http.sourceIp;
  if (!sameSecret(headerValue(event, ORIGIN_VERIFY_HEADER), originSecret)) {
    throw new AppError(403, 'forbidden', 'Use the XtraMail web address; the API does not answer directly.');
  }
  return viewerIp(headerValue(event, VIEWER_ADDRESS_HEADER)) ?? event.requestContext.http.sourceIp;
}
