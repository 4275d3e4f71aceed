import type { DeliveryQueue } from '../../../adapters/delivery-queue';
import type { MailSender } from '../../../adapters/mail-sender';
import type { Table } from '../../../adapters/table';
import type { AdminProfile } from '../../../core/auth/admin-sessions';
import { recordAudit } from '../../../core/audit/audit';
import type { Clock } from '../../../core/clock';
import type { HttpRequest } from '../../http/types';

export interface ConsoleDeps {
  table: Table;
  clock: Clock;
  signingKey: () => Promise<Uint8Array>;
  mfaKey: () => Promise<Uint8Array>;
  /** Mail Flow's delivery queue, read only when held mail is released. */
  queue?: DeliveryQueue;
  /** Mails invitations and fire-drill links; read only by the routes that send them. */
  sender?: MailSender;
}

/** Who is acting: an admin signed in, or an API token acting with its creator's scope. */
export interface ConsoleActor {
  account: AdminProfile;
  expiresAt?: Date;
  tokenId?: string;
}

export const actorOf = (request: HttpRequest<unknown, unknown>): ConsoleActor =>
  request.account as ConsoleActor;
export const adminOf = (request: HttpRequest<unknown, unknown>): AdminProfile => actorOf(request).account;

/** Records an admin action with who did it (and through which token, if any). */
export function audit(
  deps: ConsoleDeps,
  request: HttpRequest<unknown, unknown>,
  action: string,
  target: string,
  details?: Record<string, unknown>,
) {
  const { account, tokenId } = actorOf(request);
  return recordAudit(deps, {
    actor: tokenId ? `${account.email} (API token ${tokenId})` : account.email,
    action,
    target,
    ...(details ? { details } : {}),
  });
}
