/**
 * The browser-facing security headers, shared by CloudFront (cloud) and the local server so
 * both serve the SPA under the same policy.
 *
 * Nothing runs or loads from elsewhere except one deliberate opening: `connect-src` adds the
 * mail bucket's origin, because attachments upload straight to S3 through presigned URLs (API
 * Gateway and Lambda cap request bodies far below SES's 40 MB). The SPA shows no image from the
 * bucket or the internet: a message's body is its own document
 * (`GET /api/portal/messages/{id}/body`, framed through `frame-src 'self'`) under its own,
 * stricter policy, which is where "Show images" lets remote images in.
 */
export function contentSecurityPolicy(options: { mailBucketOrigin: string }): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${options.mailBucketOrigin}`,
    "frame-src 'self' blob:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

export const HSTS_MAX_AGE_SECONDS = 63_072_000; // two years, as the HSTS preload list asks

export function securityHeaders(options: { mailBucketOrigin: string }): Readonly<Record<string, string>> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'Strict-Transport-Security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains; preload`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  };
}
