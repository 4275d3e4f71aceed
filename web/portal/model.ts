/** `GET /api/portal/session` → 200, and `POST` of the same path without its `token`. */
export interface PortalSession {
  user: { address: string };
  mustChangePassword: boolean;
  expiresAt: string;
}
