import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import { normalizeAddress, splitAddress } from '../addresses';
import { folderPrefix, mailboxPartition, messageFromItem, type SnapshotMessage } from '../entities/message';
import type { Item } from '../entities/keys';
import { LINK_TTL_SECONDS, originalKey, type MailboxDeps } from './read-message';
import type { SendDeps } from './send-message';

/** Every live Sent item, oldest first. */
async function sentItems(deps: MailboxDeps, mailbox: string): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.table.query(mailboxPartition(mailbox), {
      beginsWith: folderPrefix('sent'),
      cursor,
      liveAt: deps.clock.now(),
    });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** mboxrd: "From " separator lines, and any body line starting with (>*)From quoted once more. */
function mboxEntry(message: SnapshotMessage, raw: Buffer, sender: string): string {
  const text = raw.toString('latin1').replace(/\r\n/g, '\n');
  const quoted = text.replace(/^(>*From )/gm, '>$1');
  return `From ${sender} ${message.receivedAt.toUTCString().replace(/,/g, '')}\n${quoted}${quoted.endsWith('\n') ? '' : '\n'}\n`;
}

/**
 * The Sent folder as one mbox file, written to S3 (exports/, kept a day) and returned as a
 * short-lived download link: a Lambda response could not carry more than 6 MB.
 */
export async function exportSentMbox(
  deps: MailboxDeps,
  mailbox: string,
): Promise<{ url: string; count: number }> {
  const items = await sentItems(deps, mailbox);
  const sender = normalizeAddress(mailbox);
  async function* entries() {
    for (const item of items) {
      const message = messageFromItem(item);
      const raw = await deps.blobs.get(originalKey(message));
      if (raw) yield Buffer.from(mboxEntry(message, raw, sender), 'latin1');
    }
  }
  const key = `exports/${randomBytes(16).toString('hex')}.mbox`;
  await deps.blobs.putStream(key, Readable.from(entries()), 'application/mbox');
  const day = deps.clock.now().toISOString().slice(0, 10);
  const url = await deps.blobs.downloadUrl(key, {
    filename: `xtramail-sent-${day}.mbox`,
    contentType: 'application/mbox',
    expiresInSeconds: LINK_TTL_SECONDS,
  });
  return { url, count: items.length };
}

/** How many Sent messages one request re-sends; the portal calls again until none remain. */
export const RESEND_BATCH = 10;

/**
 * "Send my sent items to my mailbox": each Sent message goes to the user's own address as a
 * message/rfc822 attachment, so it can be filed once the primary system is back. Each item is
 * claimed before it is sent (a conditional write), so clicking twice never sends one twice.
 */
export async function resendSentItems(deps: SendDeps, mailbox: string) {
  const address = normalizeAddress(mailbox);
  const items = await sentItems(deps, mailbox);
  const pending = items.filter((item) => item.resentAt === undefined);
  let resent = 0;
  for (const item of pending.slice(0, RESEND_BATCH)) {
    const claimed = await deps.table.put({ ...item, resentAt: 'pending' }, { ifMissing: 'resentAt' });
    if (!claimed) continue;
    const message = messageFromItem(item);
    try {
      const raw = await deps.blobs.get(originalKey(message));
      if (!raw) throw new Error(`The original of sent message ${message.id} is missing`);
      const sentOn = message.receivedAt.toISOString().slice(0, 16).replace('T', ' ');
      const wrapper = await new MailComposer({
        from: address,
        to: address,
        subject: `[Sent ${sentOn} UTC] ${message.subject}`,
        text: `A copy of a message you sent from XtraMail on ${sentOn} UTC, to ${message.to.join(', ')}.\nThe original is attached.`,
        messageId: `<resend-${message.sesMessageId}@${splitAddress(address).domain}>`,
        attachments: [{ filename: 'original.eml', contentType: 'message/rfc822', content: raw }],
      })
        .compile()
        .build();
      await deps.sender.sendRaw(wrapper, { from: address, to: [address] });
      await deps.table.put({ ...item, resentAt: deps.clock.now().toISOString() });
      resent++;
    } catch (error) {
      await deps.table.put(item); // release the claim so a later click retries it
      throw error;
    }
  }
  const remaining = items.filter((item) => item.resentAt === undefined).length - resent;
  return { total: items.length, resent, remaining: Math.max(0, remaining) };
}
