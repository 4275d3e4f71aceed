/** The portal's view of the API (see the portal API contract). */
import type { Delivery } from './DeliveryState';

export const APP = 'XtraMail Mail';

/** What the user's mail covers, as the session and each list page answer it. */
export interface MailWindowFields {
  /** ISO: the oldest mail kept (30 days, or since XtraMail was turned on). */
  windowStart?: string;
  /** XtraMail was turned on less than 30 days ago, so the window starts then. */
  windowStartsWhenEnabled?: boolean;
  /** Times within the window when XtraMail was off: mail received then was not copied. */
  windowGaps?: Array<{ from: string; to: string }>;
}

export const windowFieldsOf = (source: MailWindowFields): MailWindowFields => ({
  windowStart: source.windowStart,
  windowStartsWhenEnabled: source.windowStartsWhenEnabled,
  windowGaps: source.windowGaps,
});

/**
 * `GET /api/portal/session` → 200, and `POST` of the same path without its `token` or mail
 * window (only `GET` answers that).
 */
export interface PortalSession extends MailWindowFields {
  user: { address: string };
  mustChangePassword: boolean;
  expiresAt: string;
  /** The domain requires two-step sign-in and this account has none yet. */
  mfaEnrolmentRequired?: boolean;
  /** ISO: signed in with a link, a new password needs no old one until then. */
  passwordResetUntil?: string;
  /** An administrator's notice for every portal user, e.g. "Our mail is down until 3 pm". */
  notice?: string;
}

export type Folder = 'inbox' | 'sent';
export const FOLDERS: readonly { id: Folder; label: string }[] = [
  { id: 'inbox', label: 'Inbox' },
  { id: 'sent', label: 'Sent' },
];

export function isFolder(value: string | undefined): value is Folder {
  return value === 'inbox' || value === 'sent';
}

export function folderLabel(folder: Folder): string {
  return folder === 'sent' ? 'Sent' : 'Inbox';
}

export interface Summary {
  id: string;
  folder: Folder;
  from: string;
  to: string[];
  cc: string[];
  /** To and Cc addresses beyond those listed (the original message has them all). */
  unlisted?: number;
  subject: string;
  date?: string;
  receivedAt: string;
  snippet: string;
  size: number;
  hasAttachments: boolean;
  read: boolean;
  flags: { spam: boolean; virus: boolean; unparseable: boolean };
  /** Inbox only: where the copy sent on to the user's usual mailbox stands (null: no record). */
  delivery?: Delivery | null;
}

export interface MessagePage extends MailWindowFields {
  items: Summary[];
  nextCursor: string | null;
}

export interface Attachment {
  index: number;
  filename: string;
  contentType: string;
  size: number;
  withheld: boolean;
  contentId?: string;
  url?: string;
}

export interface MessageDetail {
  message: Summary & { headers: Record<string, string> };
  text: string;
  html?: string;
  attachments: Attachment[];
  rawUrl: string;
}

export interface UploadTicket {
  uploadId: string;
  url: string;
  expiresAt: string;
}

export interface ResendProgress {
  total: number;
  resent: number;
  remaining: number;
}

/** What the list and the reading pane show for a message's time. */
export function messageTime(message: Pick<Summary, 'date' | 'receivedAt'>): string {
  return message.date && !Number.isNaN(Date.parse(message.date)) ? message.date : message.receivedAt;
}

export function subjectOf(message: Pick<Summary, 'subject'>): string {
  return message.subject.trim() || '(no subject)';
}

const UNITS = ['bytes', 'KB', 'MB', 'GB'];

export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** The URL of a folder, a message in it, with the current search kept. */
export function mailUrl(folder: Folder, q: string, id?: string): string {
  const path = `/portal/${folder}${id ? `/${encodeURIComponent(id)}` : ''}`;
  return q ? `${path}?q=${encodeURIComponent(q)}` : path;
}
