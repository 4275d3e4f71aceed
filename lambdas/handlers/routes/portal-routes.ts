import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { MailSender } from '../../adapters/mail-sender';
import type { BlobStore } from '../../adapters/blob-store';
import { portalSessions, type PortalProfile } from '../../core/auth/portal-sessions';
import { issueSessionToken } from '../../core/auth/session-token';
import type { SessionDeps } from '../../core/auth/sessions';
import { AppError } from '../../core/errors';
import { messageBodyDocument } from '../../core/mailbox/body-document';
import { recentContacts } from '../../core/mailbox/contacts';
import { listMessages, mailWindow, type MailWindow } from '../../core/mailbox/list-messages';
import {
  findMessage,
  LINK_TTL_SECONDS,
  originalKey,
  readMessage,
  setRead,
} from '../../core/mailbox/read-message';
import { MAX_RECIPIENTS, MAX_SEND_BYTES, sendMessage, uploadKey } from '../../core/mailbox/send-message';
import { exportSentMbox, resendSentItems } from '../../core/mailbox/sent-recovery';
import { messageFromItem } from '../../core/entities/message';
import { withDeliveryStates } from '../../core/mailbox/delivery-state';
import { changePortalPassword } from '../../core/users/change-portal-password';
import { sessionCookie } from '../http/cookies';
import { route, type HttpRequest } from '../http/types';
import { sessionApi, type Authenticated } from './session-routes';
import { PORTAL_MFA_PATH, portalMfaRoutes } from './mfa-routes';
import { linkRoutes } from './portal/link-routes';
import { completePendingDrill } from '../../core/drills/drills';
import { profileRoutes } from './portal/profile-routes';

export interface PortalDeps extends SessionDeps {
  blobs: BlobStore;
  sender: MailSender;
}

const COOKIE = 'xm_portal';

/** The mail window as the portal API answers it, with the list and the session. */
export const windowFields = (shown: MailWindow) => ({
  windowStart: shown.start.toISOString(),
  ...(shown.startsWhenEnabled ? { windowStartsWhenEnabled: true } : {}),
  ...(shown.gaps.length > 0
    ? { windowGaps: shown.gaps.map(({ from, to }) => ({ from: from.toISOString(), to: to.toISOString() })) }
    : {}),
});
const userOf = (request: HttpRequest<unknown, unknown>) =>
  (request.account as Authenticated<PortalProfile>).account;

/** No header field may carry a line break: that is how header injection starts. */
const headerSafe = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !/[\r\n]/.test(value), { message: 'Line breaks are not allowed here.' });
const address = z.email({ message: 'Not a valid email address.' }).max(320);
const messageIdParam = z.string().max(200);

const draftBody = z
  .object({
    to: z.array(address).default([]),
    cc: z.array(address).default([]),
    bcc: z.array(address).default([]),
    subject: headerSafe(998).default(''),
    text: z.string().max(5_000_000).default(''),
    html: z.string().max(10_000_000).optional(),
    inReplyTo: messageIdParam.optional(),
    forwardOf: messageIdParam.optional(),
    includeOriginalAttachments: z.boolean().optional(),
    attachments: z
      .array(
        z.object({
          uploadId: z.string().regex(/^[a-f0-9]{32}$/),
          filename: headerSafe(255).min(1),
          contentType: headerSafe(255).regex(/^[\w.+-]+\/[\w.+-]+$/),
        }),
      )
      .max(50)
      .default([]),
  })
  .refine((d) => d.to.length + d.cc.length + d.bcc.length > 0, { message: 'Add at least one recipient.' })
  .refine((d) => d.to.length + d.cc.length + d.bcc.length <= MAX_RECIPIENTS, {
    message: `A message can have at most ${MAX_RECIPIENTS} recipients.`,
  });

export function portalApi(deps: PortalDeps) {
  const session = sessionApi({
    base: '/api/portal',
    cookie: COOKIE,
    sessions: portalSessions(deps),
    clock: deps.clock,
    onSignIn: async (email, outcome) => {
      if (outcome === 'success') await completePendingDrill(deps, email);
    },
    present: (user) => ({
      user: { address: user.address },
      mustChangePassword: user.mustChangePassword,
      ...windowFields(mailWindow(deps.clock, user.xtramailCoverage)),
    }),
    mfaPath: PORTAL_MFA_PATH,
    // A temporary password is replaced first, then MFA is set up (see ALLOWED_WHILE_TEMPORARY).
    allowedWhileEnrolling: ['PUT /api/portal/password'],
  });

  /** Until a temporary password is replaced, only the session and the password change answer. */
  const ALLOWED_WHILE_TEMPORARY = new Set(['GET /api/portal/session', 'PUT /api/portal/password']);
  const authenticate = async (request: HttpRequest) => {
    const signedIn = await session.authenticate(request);
    if (
      signedIn.account.mustChangePassword &&
      !ALLOWED_WHILE_TEMPORARY.has(`${request.method} ${request.path}`)
    ) {
      throw new AppError(403, 'password_change_required', 'Choose your own password before continuing.');
    }
    return signedIn;
  };

  const page = {
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(2048).optional(),
  };

  const routes = [
    ...session.routes,
    ...portalMfaRoutes(session),
    ...linkRoutes(deps, session),
    ...profileRoutes(deps),
    route({
      method: 'PUT',
      path: '/api/portal/password',
      summary:
        'Change your portal password (required after a temporary one; currentPassword may be left out within 15 minutes of a sign-in by link); other sessions end',
      body: z.object({
        currentPassword: z.string().min(1).max(1024).optional(),
        newPassword: z.string().min(1).max(1024),
      }),
      async handle(request) {
        const { currentPassword } = request.body;
        // Only a session a sign-in link opened moments ago may skip the current password.
        if (
          currentPassword === undefined &&
          !(request.account as Authenticated<PortalProfile>).passwordResetUntil
        ) {
          throw new AppError(
            400,
            'current_password_required',
            'Enter your current password. Forgotten it? Sign out and use "Email me a sign-in link".',
          );
        }
        const user = await changePortalPassword(
          deps,
          userOf(request).address,
          currentPassword,
          request.body.newPassword,
        );
        const now = deps.clock.now();
        const { token, expiresAt } = await issueSessionToken(
          { subject: user.address, audience: 'portal', tokenVersion: user.tokenVersion },
          await deps.signingKey(),
          now,
        );
        return { status: 204, cookies: [sessionCookie(COOKIE, token, '/api/portal', expiresAt, now)] };
      },
    }),
    route({
      method: 'GET',
      path: '/api/portal/messages',
      summary:
        'A folder page, newest first; q understands from: to: subject: has:attachment is:unread before: after:',
      query: z.object({
        folder: z.enum(['inbox', 'sent']).default('inbox'),
        q: z.string().max(500).optional(),
        ...page,
      }),
      async handle(request) {
        const { folder, q, limit, cursor } = request.query;
        const result = await listMessages(deps, userOf(request).address, folder, { q, limit, cursor });
        return {
          status: 200,
          body: {
            items: (await withDeliveryStates(deps, result.items)).map((m) => ({
              ...m,
              hasAttachments: m.attachments.length > 0,
            })),
            nextCursor: result.nextCursor,
            ...windowFields(mailWindow(deps.clock, userOf(request).xtramailCoverage)),
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/api/portal/messages/{id}',
      summary: 'One message: headers, sanitized HTML, text, attachments with 5-minute download links',
      async handle(request) {
        return { status: 200, body: await readMessage(deps, userOf(request).address, request.params.id) };
      },
    }),
    route({
      method: 'GET',
      path: '/api/portal/messages/{id}/body',
      summary:
        'The message body as a sandboxed HTML document for the reading pane (remote images only with images=1); does not mark it read',
      query: z.object({ images: z.enum(['0', '1']).default('0') }),
      async handle(request) {
        const { document, contentSecurityPolicy } = await messageBodyDocument(
          deps,
          userOf(request).address,
          request.params.id,
          { images: request.query.images === '1' },
        );
        return {
          status: 200,
          raw: { contentType: 'text/html; charset=utf-8', body: document },
          headers: {
            'Content-Security-Policy': contentSecurityPolicy,
            'X-Frame-Options': 'SAMEORIGIN',
            'Cache-Control': 'private, no-store',
            'X-Content-Type-Options': 'nosniff',
            'Referrer-Policy': 'no-referrer',
          },
        };
      },
    }),
    route({
      method: 'PATCH',
      path: '/api/portal/messages/{id}',
      summary: 'Mark a message read or unread',
      body: z.object({ read: z.boolean() }),
      async handle(request) {
        await setRead(deps, userOf(request).address, request.params.id, request.body.read);
        return { status: 204 };
      },
    }),
    route({
      method: 'GET',
      path: '/api/portal/messages/{id}/raw',
      summary: 'The original message (.eml), through a 5-minute download link',
      async handle(request) {
        const message = messageFromItem(await findMessage(deps, userOf(request).address, request.params.id));
        const url = await deps.blobs.downloadUrl(originalKey(message), {
          filename: 'message.eml',
          contentType: 'message/rfc822',
          expiresInSeconds: LINK_TTL_SECONDS,
        });
        return { status: 302, headers: { Location: url } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/portal/uploads',
      summary: 'A 5-minute upload link for one attachment (PUT the bytes to it)',
      body: z.object({
        filename: headerSafe(255).min(1),
        contentType: headerSafe(255).regex(/^[\w.+-]+\/[\w.+-]+$/),
        size: z.number().int().min(0).max(MAX_SEND_BYTES),
      }),
      async handle(request) {
        const uploadId = randomBytes(16).toString('hex');
        const url = await deps.blobs.uploadUrl(uploadKey(userOf(request).address, uploadId), {
          contentType: request.body.contentType,
          expiresInSeconds: LINK_TTL_SECONDS,
        });
        const expiresAt = new Date(deps.clock.now().getTime() + LINK_TTL_SECONDS * 1000).toISOString();
        return { status: 201, body: { uploadId, url, expiresAt } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/portal/messages',
      summary: 'Send (compose, reply, reply-all, forward) from your own address; a copy is filed in Sent',
      body: draftBody,
      async handle(request) {
        const sent = await sendMessage(deps, userOf(request).address, request.body);
        return { status: 201, body: sent };
      },
    }),
    route({
      method: 'GET',
      path: '/api/portal/contacts',
      summary:
        'The people in your recent mail (newest 300 received, 200 sent), most written-to first, for address suggestions',
      async handle(request) {
        return { status: 200, body: { items: await recentContacts(deps, userOf(request).address) } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/portal/export',
      summary: 'Sent as an mbox file, through a 5-minute download link',
      query: z.object({ folder: z.literal('sent').default('sent') }),
      async handle(request) {
        const { url } = await exportSentMbox(deps, userOf(request).address);
        return { status: 302, headers: { Location: url } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/portal/sent/resend',
      summary:
        'Send the next batch of your Sent messages to your own mailbox as attachments (call until remaining is 0)',
      async handle(request) {
        return { status: 200, body: await resendSentItems(deps, userOf(request).address) };
      },
    }),
  ];
  return { routes, authenticate };
}
