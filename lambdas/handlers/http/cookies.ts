/** Session cookies: never readable by scripts, never sent cross-site, only to their own API. */
export function sessionCookie(name: string, token: string, path: string, expiresAt: Date, now: Date): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return `${name}=${token}; Path=${path}; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`;
}

export const clearedCookie = (name: string, path: string): string =>
  `${name}=; Path=${path}; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;

export function parseCookies(cookies: string[] | undefined): Record<string, string> {
  const parsed: Record<string, string> = {};
  for (const cookie of cookies ?? []) {
    for (const pair of cookie.split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0) parsed[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
  }
  return parsed;
}

/** The session token from `Authorization: Bearer …` (automation) or the named cookie (browser). */
export function sessionToken(
  request: { headers: Record<string, string>; cookies: Record<string, string> },
  cookie: string,
) {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return bearer?.[1] ?? (request.cookies[cookie] || undefined);
}
