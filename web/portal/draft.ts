/**
 * Drafts: what the compose form holds, how replies and forwards fill it in, and keeping it in
 * localStorage (one per signed-in address) so a reload or a dropped session doesn't lose it.
 */
import { splitAddresses } from './address-list';
import type { MessageDetail } from './model';

export const MAX_RECIPIENTS = 50;
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export interface DraftAttachment {
  /** A local key, stable while the file uploads and after. */
  key: string;
  filename: string;
  contentType: string;
  size: number;
  /** Set once the file is stored; only finished uploads survive a reload. */
  uploadId?: string;
}

export interface OriginalAttachment {
  filename: string;
  contentType: string;
  size: number;
}

export interface Draft {
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  text: string;
  inReplyTo?: string;
  forwardOf?: string;
  /** Forwarding: the original's attachments, sent along unless the person unticks them. */
  originalAttachments?: OriginalAttachment[];
  includeOriginalAttachments?: boolean;
  attachments: DraftAttachment[];
  /** Where to go after sending or discarding. */
  returnTo?: string;
}

export function emptyDraft(returnTo?: string): Draft {
  return { to: '', cc: '', bcc: '', subject: '', text: '', attachments: [], returnTo };
}

function storageKey(address: string): string {
  return `xtramail.portal.draft.${address.toLowerCase()}`;
}

export function loadDraft(address: string): Draft | undefined {
  try {
    const raw = localStorage.getItem(storageKey(address));
    if (!raw) return undefined;
    const draft = JSON.parse(raw) as Draft;
    if (typeof draft !== 'object' || draft === null || typeof draft.text !== 'string') return undefined;
    // An upload cut short by the reload can't resume: the file is gone with the page.
    return { ...draft, attachments: (draft.attachments ?? []).filter((a) => a.uploadId) };
  } catch {
    return undefined;
  }
}

export function saveDraft(address: string, draft: Draft): void {
  try {
    localStorage.setItem(storageKey(address), JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the draft still lives in the page until it is sent.
  }
}

export function clearDraft(address: string): void {
  try {
    localStorage.removeItem(storageKey(address));
  } catch {
    // Nothing to do.
  }
}

/** A draft worth asking about before replacing it. */
export function hasContent(draft: Draft | undefined): boolean {
  if (!draft) return false;
  return Boolean(
    draft.to.trim() ||
    draft.cc.trim() ||
    draft.bcc.trim() ||
    draft.subject.trim() ||
    draft.text.trim() ||
    draft.attachments.length,
  );
}

/* Addresses */

/** The bare address of "Ann <ann@x.org>" or "ann@x.org". */
export function bareAddress(entry: string): string {
  const match = /<([^<>]*)>\s*$/.exec(entry);
  return (match ? match[1] : entry).trim();
}

const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\.]{2,}$/;

export function isAddress(value: string): boolean {
  return ADDRESS.test(value);
}

export interface ParsedRecipients {
  addresses: string[];
  invalid: string[];
}

export function parseRecipients(value: string): ParsedRecipients {
  const addresses: string[] = [];
  const invalid: string[] = [];
  for (const entry of splitAddresses(value)) {
    const address = bareAddress(entry);
    if (isAddress(address)) addresses.push(address);
    else invalid.push(entry);
  }
  return { addresses, invalid };
}

function uniqueAddresses(entries: string[], exclude: string[]): string[] {
  const seen = new Set(exclude.map((a) => a.toLowerCase()));
  const out: string[] = [];
  for (const entry of entries) {
    const address = bareAddress(entry).toLowerCase();
    if (!address || seen.has(address)) continue;
    seen.add(address);
    out.push(entry.trim());
  }
  return out;
}

/* Replies and forwards */

const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function when(detail: MessageDetail): string {
  const date = new Date(detail.message.date ?? detail.message.receivedAt);
  return Number.isNaN(date.getTime()) ? (detail.message.date ?? '') : absolute.format(date);
}

export function prefixed(prefix: 'Re' | 'Fwd', subject: string): string {
  const trimmed = subject.trim();
  const already = prefix === 'Re' ? /^re\s*:/i : /^(fwd?|fw)\s*:/i;
  if (already.test(trimmed)) return trimmed;
  return `${prefix}: ${trimmed}`;
}

function quote(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => (line.startsWith('>') ? `>${line}` : `> ${line}`))
    .join('\n');
}

function header(detail: MessageDetail, name: string): string | undefined {
  const headers = detail.message.headers ?? {};
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

export type ReplyMode = 'reply' | 'replyAll' | 'forward';

/** The draft for replying to, replying to all of, or forwarding `detail`, as `self`. */
export function draftFor(mode: ReplyMode, detail: MessageDetail, self: string, returnTo: string): Draft {
  const { message } = detail;
  const me = self.toLowerCase();
  const body = detail.text || '';
  if (mode === 'forward') {
    const lines = [
      '---------- Forwarded message ----------',
      `From: ${message.from}`,
      `Date: ${when(detail)}`,
      `Subject: ${message.subject}`,
      `To: ${message.to.join(', ')}`,
      ...(message.cc.length ? [`Cc: ${message.cc.join(', ')}`] : []),
      '',
      body,
    ];
    const originals = detail.attachments
      .filter((a) => !a.withheld)
      .map(({ filename, contentType, size }) => ({ filename, contentType, size }));
    return {
      ...emptyDraft(returnTo),
      subject: prefixed('Fwd', message.subject),
      text: `\n\n${lines.join('\n')}`,
      forwardOf: message.id,
      originalAttachments: originals,
      includeOriginalAttachments: originals.length > 0,
    };
  }

  // Replying to our own sent message goes to its recipients, as mail programs do.
  const fromSelf = bareAddress(message.from).toLowerCase() === me;
  const replyTo = header(detail, 'reply-to');
  const primary = fromSelf ? message.to : replyTo ? splitAddresses(replyTo) : [message.from];
  let to = uniqueAddresses(primary, fromSelf ? [] : [me]);
  let cc: string[] = [];
  if (mode === 'replyAll') {
    to = uniqueAddresses([...primary, ...(fromSelf ? [] : message.to)], [me]);
    cc = uniqueAddresses(message.cc, [me, ...to.map(bareAddress)]);
  }
  if (to.length === 0) to = uniqueAddresses(primary, []);
  return {
    ...emptyDraft(returnTo),
    to: to.join(', '),
    cc: cc.join(', '),
    subject: prefixed('Re', message.subject),
    text: `\n\nOn ${when(detail)}, ${message.from} wrote:\n${quote(body)}\n`,
    inReplyTo: message.id,
  };
}
