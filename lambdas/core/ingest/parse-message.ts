import { PassThrough, type Readable } from 'node:stream';
import libmime from 'libmime';
import {
  MailParser,
  type AddressObject,
  type AttachmentStream,
  type HeaderValue,
  type MessageText,
} from 'mailparser';
import type { AttachmentInfo } from '../entities/message';
import { sanitizeMailHtml } from './sanitize-html';

export interface ParsedMessage {
  /** At most {@link MAX_LISTED_ADDRESSES} each; `unlisted` counts the rest. */
  to: string[];
  cc: string[];
  unlisted: number;
  /** At most {@link MAX_HEADER_CHARS}; `headers` keeps them whole. */
  from: string;
  subject: string;
  date?: string;
  text: string;
  html?: string;
  snippet: string;
  /** Headers a reader or a reply needs, as plain strings. */
  headers: Record<string, string>;
  attachments: AttachmentInfo[];
  /** The parser failed part-way: whatever was read is kept, and the raw message stays available. */
  unparseable: boolean;
  parseError?: string;
}

/** Where attachment bytes go; `withhold` (virus verdict FAIL) discards them unread. */
export interface AttachmentSink {
  withhold: boolean;
  store(index: number, content: Readable, contentType: string): Promise<void>;
}

const SNIPPET_LENGTH = 200;
/**
 * What the snapshot and log items hold of long headers. A message can name thousands of
 * addresses or carry a subject of any length, and DynamoDB refuses an item over 400 KB; the body
 * (stored in S3 when large) keeps the headers whole, and the original is always downloadable.
 */
export const MAX_LISTED_ADDRESSES = 100;
export const MAX_HEADER_CHARS = 2000;
const clip = (text: string) =>
  text.length > MAX_HEADER_CHARS ? `${text.slice(0, MAX_HEADER_CHARS - 1)}…` : text;
/** A valid address has at most 254 characters; a broken header can make one "address" of any size. */
const MAX_ADDRESS_CHARS = 320;
const clipAddress = (address: string) => address.slice(0, MAX_ADDRESS_CHARS);
/** As long as file systems allow; a longer name keeps its start and its extension. */
export const MAX_FILENAME_CHARS = 255;
function fileName(name: string): string {
  if (name.length <= MAX_FILENAME_CHARS) return name;
  const extension = /\.[^.\s]{1,16}$/.exec(name)?.[0] ?? '';
  return `${name.slice(0, MAX_FILENAME_CHARS - extension.length - 1)}…${extension}`;
}
/**
 * A part without a file name gets one with the extension its type calls for, as mail clients
 * name them: a message forwarded as an attachment downloads as .eml and an invitation as .ics,
 * so the download opens in the right program. Text of a type with no extension of its own
 * reads as .txt.
 */
function unnamedPartName(index: number, contentType: string): string {
  const extension = libmime.detectExtension(contentType);
  const readable = extension === 'bin' && /^(text|message)\//i.test(contentType) ? 'txt' : extension;
  return `attachment-${index + 1}.${readable}`;
}
const HEADERS_OF_INTEREST = [
  'from',
  'to',
  'cc',
  'reply-to',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'subject',
];

const addressList = (value: HeaderValue | undefined): AddressObject[] =>
  value === undefined ? [] : ((Array.isArray(value) ? value : [value]) as AddressObject[]);

const addressText = (value: HeaderValue | undefined): string =>
  addressList(value)
    .map((list) => list?.text ?? '')
    .filter(Boolean)
    .join(', ');

const addresses = (value: HeaderValue | undefined): string[] =>
  addressList(value).flatMap((list) =>
    (list?.value ?? []).flatMap(function flatten(entry): string[] {
      return entry.group ? entry.group.flatMap(flatten) : entry.address ? [entry.address] : [];
    }),
  );

function headerString(value: HeaderValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => headerString(v as HeaderValue)).join(', ');
  if (typeof value === 'object' && 'text' in value) return String(value.text);
  if (typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value);
  return String(value);
}

class ParseAborted extends Error {}

/**
 * What the text of an HTML-only message holds for links and images: their targets in brackets
 * (`[https://…]`, `[cid:…]`, `[name@host]`), one or more in a row, maybe with punctuation after.
 * A bracketed word that is no address, like `[URGENT]`, is not one.
 */
const BRACKETED_TARGETS =
  /^(?:\[(?:[a-z][a-z0-9+.-]*:[^[\]\s]+|www\.[^[\]\s]+|[^[\]\s@]+@[^[\]\s]+)\])+[.,;:!?)]*$/i;

/**
 * The text's first words, whitespace collapsed, as a mail list previews it. Link and image
 * targets are left out: a newsletter's text often opens with a tracking pixel's URL, which said
 * nothing a reader could use. Reads only as far as the snippet needs: a text body can run to
 * megabytes, and collapsing all of it to keep 200 characters was wasted work.
 */
export function makeSnippet(text: string): string {
  let snippet = '';
  for (const [word] of text.matchAll(/\S+/g)) {
    if (BRACKETED_TARGETS.test(word)) continue;
    snippet = snippet ? `${snippet} ${word}` : word;
    if (snippet.length >= SNIPPET_LENGTH) break;
  }
  return snippet.slice(0, SNIPPET_LENGTH);
}

/** Counts bytes on their way through, so an attachment's size is known without holding it. */
function counted(source: Readable): { stream: PassThrough; bytes: () => number } {
  let bytes = 0;
  const stream = new PassThrough();
  source.on('data', (chunk: Buffer) => (bytes += chunk.length));
  source.on('error', (error) => stream.destroy(error));
  source.pipe(stream);
  return { stream, bytes: () => bytes };
}

/**
 * Parses a message as it streams in. Attachments go straight to the sink one at a time (each
 * released before the next is read), so memory stays bounded however large the message is.
 */
export function parseMessage(raw: Readable, sink: AttachmentSink): Promise<ParsedMessage> {
  return new Promise((resolve) => {
    const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
    const result: ParsedMessage = {
      from: '',
      to: [],
      cc: [],
      unlisted: 0,
      subject: '',
      text: '',
      snippet: '',
      headers: {},
      attachments: [],
      unparseable: false,
    };
    const pending: Promise<void>[] = [];
    const inFlight = new Set<Readable>();
    let settled = false;

    const finish = async (error?: Error) => {
      if (settled) return;
      settled = true;
      raw.unpipe(parser);
      // A parse error leaves attachments half-read: abandon them rather than wait forever.
      if (error) inFlight.forEach((content) => content.destroy(new ParseAborted()));
      const storeErrors = (await Promise.allSettled(pending)).filter(
        (r) => r.status === 'rejected' && !(r.reason instanceof ParseAborted),
      );
      if (storeErrors.length) {
        // Storage failures are not parse failures: the whole event must be retried.
        return resolve(Promise.reject((storeErrors[0] as PromiseRejectedResult).reason));
      }
      if (error) {
        result.unparseable = true;
        result.parseError = error.message;
        raw.resume(); // drain, so the S3 connection is released
      }
      result.snippet = makeSnippet(result.text);
      resolve(result);
    };

    parser.on('headers', (headers: Map<string, HeaderValue>) => {
      result.from = clip(addressText(headers.get('from')));
      const to = addresses(headers.get('to'));
      const cc = addresses(headers.get('cc'));
      result.to = to.slice(0, MAX_LISTED_ADDRESSES).map(clipAddress);
      result.cc = cc.slice(0, MAX_LISTED_ADDRESSES).map(clipAddress);
      result.unlisted = to.length + cc.length - result.to.length - result.cc.length;
      result.subject = clip(headerString(headers.get('subject')));
      const date = headers.get('date');
      if (date instanceof Date && !Number.isNaN(date.getTime())) result.date = date.toISOString();
      for (const name of HEADERS_OF_INTEREST) {
        const value = headerString(headers.get(name));
        if (value) result.headers[name] = value;
      }
    });

    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        result.text = data.text ?? '';
        if (typeof data.html === 'string' && data.html) result.html = sanitizeMailHtml(data.html);
        return;
      }
      const index = result.attachments.length;
      const contentType = (data.contentType || 'application/octet-stream').slice(0, MAX_FILENAME_CHARS);
      const info: AttachmentInfo = {
        index,
        filename: fileName(data.filename || unnamedPartName(index, contentType)),
        contentType,
        size: 0,
        withheld: sink.withhold,
        ...(data.cid ? { contentId: data.cid.slice(0, MAX_FILENAME_CHARS) } : {}),
      };
      result.attachments.push(info);
      const content = data.content as Readable;
      inFlight.add(content);
      const done = sink.withhold
        ? new Promise<void>((resolve, reject) => {
            content.on('data', (chunk: Buffer) => (info.size += chunk.length));
            content.on('end', resolve);
            content.on('error', reject);
          })
        : (() => {
            const { stream, bytes } = counted(content);
            return sink.store(index, stream, info.contentType).then(() => {
              info.size = bytes();
            });
          })();
      const settledStore = done.finally(() => {
        inFlight.delete(content);
        data.release?.();
      });
      // Inspected in finish(); until then a failure must not count as unhandled (it would
      // crash the process before the caller could retry).
      settledStore.catch(() => undefined);
      pending.push(settledStore);
    });

    parser.on('end', () => void finish());
    parser.on('error', (error: Error) => void finish(error));
    raw.on('error', (error) => {
      if (settled) return;
      settled = true;
      resolve(Promise.reject(error));
    });
    raw.pipe(parser);
  });
}
