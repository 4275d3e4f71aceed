import { normalizeAddress } from '../addresses';
import { addDays, epochSeconds } from '../clock';
import type { Item, ItemKey } from './keys';
import type { Verdicts } from './log-entry';

/** Every snapshot copy lives 30 days from receipt; reads also filter on `expiresAt`. */
export const SNAPSHOT_RETENTION_DAYS = 30;

/**
 * The copy lists this many attachments at most, so its item stays under DynamoDB's 400 KB
 * whatever a message carries; the body lists them all, and the reader links every one.
 */
export const MAX_LISTED_ATTACHMENTS = 200;

export type Folder = 'inbox' | 'sent';
const FOLDER_PREFIX: Record<Folder, string> = { inbox: 'INBOX', sent: 'SENT' };
const FOLDER_LETTER: Record<Folder, string> = { inbox: 'i', sent: 's' };

export interface AttachmentInfo {
  /** Position in the message; the object key is `att/<sesMessageId>/<index>`. */
  index: number;
  filename: string;
  contentType: string;
  size: number;
  /** Not stored and not downloadable (the virus scan failed). */
  withheld: boolean;
  /** For inline images the HTML references as `cid:…`. */
  contentId?: string;
}

export interface MessageFlags {
  spam: boolean;
  virus: boolean;
  /** The MIME structure could not be read: the portal shows the raw source instead. */
  unparseable: boolean;
}

export interface SnapshotMessage {
  /** Stable across retries: the folder, the receipt time and the SES message id. */
  id: string;
  mailbox: string;
  /** The envelope address the copy came for, when not the mailbox's own (`bob+news@`). */
  recipient?: string;
  folder: Folder;
  sesMessageId: string;
  receivedAt: Date;
  from: string;
  to: string[];
  cc: string[];
  /** To and Cc addresses beyond those listed: the body's headers and the original keep them all. */
  unlisted?: number;
  subject: string;
  /** The Date header, when it parsed. */
  date?: string;
  snippet: string;
  size: number;
  attachments: AttachmentInfo[];
  verdicts: Verdicts;
  flags: MessageFlags;
  read: boolean;
}

/** `i<receivedAt ms, base 36>.<sesMessageId>`: enough to find the item in its mailbox without an index. */
export const messageId = (folder: Folder, receivedAt: Date, sesMessageId: string) =>
  `${FOLDER_LETTER[folder]}${receivedAt.getTime().toString(36)}.${sesMessageId}`;

export function parseMessageId(
  id: string,
): { folder: Folder; receivedAt: Date; sesMessageId: string } | undefined {
  const match = /^([is])([0-9a-z]{1,12})\.([A-Za-z0-9_-]{1,100})$/.exec(id);
  if (!match) return undefined;
  const folder: Folder = match[1] === 'i' ? 'inbox' : 'sent';
  const receivedAt = new Date(parseInt(match[2], 36));
  if (Number.isNaN(receivedAt.getTime())) return undefined;
  return { folder, receivedAt, sesMessageId: match[3] };
}

export const mailboxPartition = (address: string) => `MBX#${normalizeAddress(address)}`;
export const folderPrefix = (folder: Folder) => `${FOLDER_PREFIX[folder]}#`;

export function messageKey(mailbox: string, id: string): ItemKey | undefined {
  const parsed = parseMessageId(id);
  if (!parsed) return undefined;
  return {
    pk: mailboxPartition(mailbox),
    sk: `${folderPrefix(parsed.folder)}${parsed.receivedAt.toISOString()}#${id}`,
  };
}

export const messageToItem = (message: SnapshotMessage): Item => ({
  ...messageKey(message.mailbox, message.id)!,
  type: 'message',
  id: message.id,
  mailbox: normalizeAddress(message.mailbox),
  ...(message.recipient ? { recipient: normalizeAddress(message.recipient) } : {}),
  folder: message.folder,
  sesMessageId: message.sesMessageId,
  receivedAt: message.receivedAt.toISOString(),
  from: message.from,
  to: message.to,
  cc: message.cc,
  ...(message.unlisted ? { unlisted: message.unlisted } : {}),
  subject: message.subject,
  ...(message.date ? { date: message.date } : {}),
  snippet: message.snippet,
  size: message.size,
  attachments: message.attachments.slice(0, MAX_LISTED_ATTACHMENTS),
  verdicts: message.verdicts,
  flags: message.flags,
  read: message.read,
  expiresAt: epochSeconds(addDays(message.receivedAt, SNAPSHOT_RETENTION_DAYS)),
  ...searchAttributes(message),
});

/**
 * Lower-cased copies the search filters match against (DynamoDB's `contains` is case-sensitive),
 * so a search stays one Query on the user's own partition.
 */
function searchAttributes(message: SnapshotMessage) {
  const to = [...message.to, ...message.cc].join(', ').toLowerCase();
  return {
    fromLc: message.from.toLowerCase(),
    toLc: to,
    subjectLc: message.subject.toLowerCase(),
    textLc: [message.from, to, message.subject, message.snippet].join('\n').toLowerCase(),
    hasAttachments: message.attachments.length > 0,
  };
}

export const messageFromItem = (item: Item): SnapshotMessage => ({
  id: String(item.id),
  mailbox: String(item.mailbox),
  ...(typeof item.recipient === 'string' ? { recipient: item.recipient } : {}),
  folder: item.folder === 'sent' ? 'sent' : 'inbox',
  sesMessageId: String(item.sesMessageId),
  receivedAt: new Date(String(item.receivedAt)),
  from: String(item.from ?? ''),
  to: (item.to as string[]) ?? [],
  cc: (item.cc as string[]) ?? [],
  ...(typeof item.unlisted === 'number' && item.unlisted > 0 ? { unlisted: item.unlisted } : {}),
  subject: String(item.subject ?? ''),
  date: typeof item.date === 'string' ? item.date : undefined,
  snippet: String(item.snippet ?? ''),
  size: Number(item.size ?? 0),
  attachments: (item.attachments as AttachmentInfo[]) ?? [],
  verdicts: item.verdicts as Verdicts,
  flags: item.flags as MessageFlags,
  read: item.read === true,
});

/** DynamoDB deletes expired items late (up to ~48 h): every read must check this too. */
export const isLive = (item: Item, now: Date): boolean =>
  Number(item.expiresAt ?? Infinity) > epochSeconds(now);
