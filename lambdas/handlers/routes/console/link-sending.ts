import { z } from 'zod';
import type { MailSender } from '../../../adapters/mail-sender';
import type { UserSelection } from '../../../core/invitations/selection';
import { USER_TYPES } from '../../../core/entities/portal-user';
import { portalBaseUrl } from '../portal/portal-url';
import type { ConsoleDeps } from './context';

/** The mass-password route's selection: `{addresses}` or `{all: true, type?, q?}`. */
export const selectionBody = z
  .object({
    addresses: z.array(z.string().trim().min(3).max(320)).min(1).max(5000).optional(),
    all: z.literal(true).optional(),
    type: z.enum(USER_TYPES).optional(),
    q: z.string().trim().max(320).optional(),
  })
  .refine((b) => Boolean(b.addresses) !== Boolean(b.all), {
    message: 'Give either "addresses" or "all": true.',
  });

export const selectionOf = (body: z.infer<typeof selectionBody>): UserSelection =>
  body.addresses ? { addresses: body.addresses } : { all: true, filter: { type: body.type, q: body.q } };

/** Console routes that mail links need the mail sender and the portal's public URL. */
export function linkSendingDeps(deps: ConsoleDeps & { sender?: MailSender; portalUrl?: () => string }) {
  const { sender } = deps;
  if (!sender) throw new Error('The console API was built without a mail sender');
  // Not a spread of `deps`: the runtime's adapters are lazy getters that need their settings.
  return { table: deps.table, clock: deps.clock, sender, portalUrl: deps.portalUrl ?? portalBaseUrl };
}
