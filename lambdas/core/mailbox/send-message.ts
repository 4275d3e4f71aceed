import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import type { MailSender } from '../../adapters/mail-sender';
import { normalizeAddress, splitAddress } from '../addresses';
import { AppError } from '../errors';
import {
  bodyObjectKey,
  bodyToItem,
  attachmentObjectKey,
  inlineBody,
  bodyKey,
  type MessageBody,
} from '../entities/message-body';
import { messageFromItem, messageId, messageToItem } from '../entities/message';
import { parseMessage } from '../ingest/parse-message';
import { findMessage, type MailboxDeps } from './read-message';

/** SES v2 sends raw messages up to 40 MB. */
export const MAX_SEND_BYTES = 40 * 1024 * 1024;
export const MAX_RECIPIENTS = 50;

export interface Draft {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  html?: string;
  inReplyTo?: string;
  forwardOf?: string;
  includeOriginalAttachments?: boolean;
  attachments: Array<{ uploadId: string; filename: string; contentType: string }>;
}

export interface SendDeps extends MailboxDeps {
  sender: MailSender;
}

/** Uploads live under a per-user prefix, so one user can never attach another's upload. */
export const uploadKey = (mailbox: string, uploadId: string) =>
  `uploads/${createHash('sha256').update(normalizeAddress(mailbox)).digest('hex').slice(0, 24)}/${uploadId}`;

async function originalBody(deps: MailboxDeps, sesMessageId: string): Promise<MessageBody | undefined> {
  const item = await deps.table.get(bodyKey(sesMessageId));
  const inline = item && inlineBody(item);
  if (inline || !item) return inline;
  const stored = await deps.blobs.get(bodyObjectKey(sesMessageId));
  return stored && JSON.parse(stored.toString('utf8'));
}

/** Threading headers for a reply: In-Reply-To the original, References its chain plus it. */
async function threading(deps: MailboxDeps, mailbox: string, draft: Draft) {
  if (!draft.inReplyTo) return {};
  const original = messageFromItem(await findMessage(deps, mailbox, draft.inReplyTo));
  const headers = (await originalBody(deps, original.sesMessageId))?.headers ?? {};
  const parent = headers['message-id'];
  if (!parent) return {};
  const references = [...(headers.references ?? '').split(/\s+/).filter(Boolean), parent];
  return { inReplyTo: parent, references: references.join(' ') };
}

async function attachmentsOf(deps: MailboxDeps, mailbox: string, draft: Draft): Promise<Mail.Attachment[]> {
  const uploaded = await Promise.all(
    draft.attachments.map(async (attachment) => {
      const content = await deps.blobs.get(uploadKey(mailbox, attachment.uploadId));
      if (!content) {
        throw new AppError(
          400,
          'upload_missing',
          `The upload of ${attachment.filename} is missing or expired; attach it again.`,
        );
      }
      return { filename: attachment.filename, contentType: attachment.contentType, content };
    }),
  );
  if (!draft.forwardOf || !draft.includeOriginalAttachments) return uploaded;
  const original = messageFromItem(await findMessage(deps, mailbox, draft.forwardOf));
  const forwarded = await Promise.all(
    original.attachments
      .filter((a) => !a.withheld)
      .map(async (a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content:
          (await deps.blobs.get(attachmentObjectKey(original.sesMessageId, a.index))) ?? Buffer.alloc(0),
      })),
  );
  return [...uploaded, ...forwarded];
}

/**
 * Sends a message from the user's own address through SES and files a copy in Sent, parsed and
 * stored like received mail (so it reads, searches and exports the same way, and expires in 30
 * days). The raw message is kept as sent, for export and re-sending.
 */
export async function sendMessage(deps: SendDeps, mailbox: string, draft: Draft): Promise<{ id: string }> {
  const from = normalizeAddress(mailbox);
  const recipients = [...draft.to, ...draft.cc, ...draft.bcc].map(normalizeAddress);
  if (recipients.length === 0) throw new AppError(400, 'no_recipients', 'Add at least one recipient.');
  if (recipients.length > MAX_RECIPIENTS) {
    throw new AppError(
      400,
      'too_many_recipients',
      `A message can have at most ${MAX_RECIPIENTS} recipients.`,
    );
  }
  const sentId = randomBytes(20).toString('hex');
  const now = deps.clock.now();
  const composed = new MailComposer({
    from,
    to: draft.to,
    cc: draft.cc,
    // Bcc goes in the envelope only (MailComposer leaves it out of the headers).
    subject: draft.subject,
    text: draft.text,
    ...(draft.html ? { html: draft.html } : {}),
    date: now,
    messageId: `<${sentId}@${splitAddress(from).domain}>`,
    ...(await threading(deps, mailbox, draft)),
    attachments: await attachmentsOf(deps, mailbox, draft),
  });
  const raw = await composed.compile().build();
  if (raw.length > MAX_SEND_BYTES) {
    throw new AppError(
      413,
      'message_too_large',
      'The message with its attachments is larger than 40 MB; remove some.',
    );
  }

  await deps.sender.sendRaw(raw, { from, to: recipients });

  // File the Sent copy: the raw as sent, then parsed into the same shape as received mail.
  await deps.blobs.put(`sent/${sentId}`, raw, 'message/rfc822');
  const parsed = await parseMessage(Readable.from([raw]), {
    withhold: false,
    store: (index, content, contentType) =>
      deps.blobs.putStream(attachmentObjectKey(sentId, index), content, contentType),
  });
  const id = messageId('sent', now, sentId);
  const body = bodyToItem(sentId, now, {
    text: parsed.text,
    html: parsed.html,
    headers: parsed.headers,
    attachments: parsed.attachments,
  });
  if (body.overflow) await deps.blobs.put(bodyObjectKey(sentId), body.overflow, 'application/json');
  await deps.table.putAll([
    messageToItem({
      id,
      mailbox: from,
      folder: 'sent',
      sesMessageId: sentId,
      receivedAt: now,
      from: parsed.from,
      to: parsed.to,
      cc: parsed.cc,
      unlisted: parsed.unlisted,
      subject: parsed.subject,
      date: parsed.date,
      snippet: parsed.snippet,
      size: raw.length,
      attachments: parsed.attachments,
      verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
      flags: { spam: false, virus: false, unparseable: parsed.unparseable },
      read: true,
    }),
    body.item,
  ]);
  await Promise.all(draft.attachments.map((a) => deps.blobs.delete(uploadKey(mailbox, a.uploadId))));
  return { id };
}
