/**
 * API responses are data, never pages: nothing loads or runs in them and nothing may frame them.
 * Every response carries these unless its route sets its own (the message body document does).
 * CloudFront's `/api/*` behavior keeps the origin's values (lib/web.ts).
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";
export const API_FRAME_OPTIONS = 'DENY';

/**
 * `base` with `overrides` laid over it. Header names are case-insensitive: an override
 * replaces a base header whatever the case of either name, and keeps its own spelling.
 */
export function mergeHeaders<V>(base: Record<string, V>, overrides: Record<string, V> | undefined) {
  const merged: Record<string, V> = { ...base };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    for (const existing of Object.keys(merged)) {
      if (existing.toLowerCase() === name.toLowerCase()) delete merged[existing];
    }
    merged[name] = value;
  }
  return merged;
}
