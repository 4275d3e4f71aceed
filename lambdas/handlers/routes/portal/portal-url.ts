/**
 * The portal's public origin for links in mail (`https://<distribution or custom domain>`),
 * from PORTAL_BASE_URL: the CDK stack sets it to the distribution's URL, the local runtime to
 * its HTTP server. Never taken from a request's Host or Origin header, which a caller controls.
 */
export function portalBaseUrl(): string {
  const url = process.env.PORTAL_BASE_URL;
  if (!url) throw new Error('Environment variable PORTAL_BASE_URL is not set');
  return url;
}
