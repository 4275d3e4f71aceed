import type { BlobStore } from '../../adapters/blob-store';
import type { Table } from '../../adapters/table';
import type { Clock } from '../clock';
import { AppError } from '../errors';
import { rawMailKey } from '../ingest/receipt';
import {
  attachmentObjectKey,
  bodyKey,
  bodyObjectKey,
  inlineBody,
  type MessageBody,
} from '../entities/message-body';
import {
  isLive,
  messageFromItem,
  messageKey,
  parseMessageId,
  type SnapshotMessage,
} from '../entities/message';
import type { Item, ItemKey } from '../entities/keys';
import { deliveryFromItem, deliveryKeyOf, deliveryStates, type MessageDelivery } from './delivery-state';

/** Download links live 5 minutes: long enough to click, short enough not to matter if leaked. */
export const LINK_TTL_SECONDS = 300;

export interface MailboxDeps {
  table: Table;
  blobs: BlobStore;
  clock: Clock;
}

/** Where a message's original bytes are: SES's raw object, or the copy kept when it was sent. */
export const originalKey = (message: Pick<SnapshotMessage, 'folder' | 'sesMessageId'>) =>
  message.folder === 'sent' ? `sent/${message.sesMessageId}` : rawMailKey(message.sesMessageId);

const notFound = () =>
  new AppError(404, 'not_found', 'This message is not in your mailbox (it may be older than 30 days).');

/** The message item in the user's own mailbox, or 404 for anything else (another user's id included). */
export async function findMessage(
  deps: { table: Table; clock: Clock },
  mailbox: string,
  id: string,
): Promise<Item> {
  const key = messageKey(mailbox, id);
  const item = key && (await deps.table.get(key));
  if (!item || !isLive(item, deps.clock.now())) throw notFound();
  return item;
}

/**
 * A live message of the user's own mailbox and its parsed body: one batched read, plus one S3
 * GET for a body too large for the table. Anything else (another user's id included) is a 404.
 * With `withDelivery`, an inbox copy's delivery state comes in the same batch: its log entry's
 * key follows from the id, but for a copy that came for another address (`bob+news@`), which
 * needs a read of its own.
 */
async function loadMessage(deps: MailboxDeps, mailbox: string, id: string, withDelivery = false) {
  const key = messageKey(mailbox, id);
  const parsedId = parseMessageId(id);
  if (!key || !parsedId) throw notFound();
  const guessedDelivery =
    withDelivery && parsedId.folder === 'inbox' ? deliveryKeyOf({ mailbox, ...parsedId }) : undefined;
  const items = await deps.table.getAll([
    key,
    bodyKey(parsedId.sesMessageId),
    ...(guessedDelivery ? [guessedDelivery] : []),
  ]);
  const found = (wanted: ItemKey) => items.find((i) => i.pk === wanted.pk && i.sk === wanted.sk);
  const item = found(key);
  if (!item || !isLive(item, deps.clock.now())) throw notFound();
  const message = messageFromItem(item);
  const bodyItem = items.find((i) => i.type === 'body');
  let body: MessageBody | undefined = bodyItem && inlineBody(bodyItem);
  if (bodyItem && !body) {
    const stored = await deps.blobs.get(bodyObjectKey(message.sesMessageId));
    body = stored && (JSON.parse(stored.toString('utf8')) as MessageBody);
  }
  let delivery: MessageDelivery | undefined;
  if (guessedDelivery) {
    const logKey = deliveryKeyOf(message);
    if (logKey.pk === guessedDelivery.pk && logKey.sk === guessedDelivery.sk) {
      const logItem = found(logKey);
      delivery = logItem && deliveryFromItem(logItem);
    } else delivery = (await deliveryStates(deps, [message])).get(message.id);
  }
  return { item, message, body, delivery };
}

/**
 * The message's attachments, each with a 5-minute download link unless it is withheld. The body
 * lists them all; the copy only the first 200 (MAX_LISTED_ATTACHMENTS).
 */
const attachmentLinks = (deps: MailboxDeps, message: SnapshotMessage, body: MessageBody | undefined) =>
  Promise.all(
    (body?.attachments ?? message.attachments).map(async (attachment) => ({
      ...attachment,
      ...(attachment.withheld
        ? {}
        : {
            url: await deps.blobs.downloadUrl(attachmentObjectKey(message.sesMessageId, attachment.index), {
              filename: attachment.filename,
              contentType: attachment.contentType,
              expiresInSeconds: LINK_TTL_SECONDS,
            }),
          }),
    })),
  );

/**
 * One message to read: its summary, delivery state, body and attachment links. The message, its
 * body and its delivery state come in one batched read; a body too large for the table adds one
 * S3 GET. Opening marks it read.
 */
export async function readMessage(deps: MailboxDeps, mailbox: string, id: string) {
  const { item, message, body, delivery } = await loadMessage(deps, mailbox, id, true);
  if (!message.read) await deps.table.put({ ...item, read: true });

  const attachments = await attachmentLinks(deps, message, body);
  const rawUrl = await deps.blobs.downloadUrl(originalKey(message), {
    filename: `${
      (message.subject || 'message')
        .replace(/[\\/:*?"<>|\r\n]+/g, ' ')
        .slice(0, 80)
        .trim() || 'message'
    }.eml`,
    contentType: 'message/rfc822',
    expiresInSeconds: LINK_TTL_SECONDS,
  });
  return {
    message: { ...message, read: true, headers: body?.headers ?? {}, delivery: delivery ?? null },
    text: body?.text ?? '',
    ...(body?.html ? { html: body.html } : {}),
    attachments,
    rawUrl,
  };
}

/** The body and attachment links of a message, as `readMessage` has them, without marking it read. */
export async function messageContent(deps: MailboxDeps, mailbox: string, id: string) {
  const { message, body } = await loadMessage(deps, mailbox, id);
  return {
    text: body?.text ?? '',
    html: body?.html,
    attachments: await attachmentLinks(deps, message, body),
  };
}

export async function setRead(
  deps: { table: Table; clock: Clock },
  mailbox: string,
  id: string,
  read: boolean,
) {
  const item = await findMessage(deps, mailbox, id);
  if (item.read !== read) await deps.table.put({ ...item, read });
}
