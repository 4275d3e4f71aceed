import { addDays, epochSeconds } from '../clock';
import type { Item, ItemKey } from './keys';
import { SNAPSHOT_RETENTION_DAYS, type AttachmentInfo } from './message';

/** The parsed content of one message, stored once and shared by all its recipients' copies. */
export interface MessageBody {
  text: string;
  /** Sanitized: no scripts, no event handlers, no forms; remote images still referenced. */
  html?: string;
  headers: Record<string, string>;
  attachments: AttachmentInfo[];
}

/**
 * Bodies up to this size ride in the same DynamoDB batch as the message's other items (one
 * request fewer per message); larger ones go to S3 (`body/<id>.json`) and the item points there.
 */
export const INLINE_BODY_LIMIT_BYTES = 64 * 1024;

export const bodyKey = (sesMessageId: string): ItemKey => ({ pk: `MSG#${sesMessageId}`, sk: 'BODY' });
export const bodyObjectKey = (sesMessageId: string) => `body/${sesMessageId}.json`;
export const attachmentObjectKey = (sesMessageId: string, index: number) => `att/${sesMessageId}/${index}`;

export function bodyToItem(
  sesMessageId: string,
  receivedAt: Date,
  body: MessageBody,
): { item: Item; overflow?: string } {
  const json = JSON.stringify(body);
  const base = {
    ...bodyKey(sesMessageId),
    type: 'body',
    expiresAt: epochSeconds(addDays(receivedAt, SNAPSHOT_RETENTION_DAYS)),
  };
  const bytes = Buffer.from(json);
  // Binary, not a string attribute: the SDK base64-encodes bytes natively, but escapes a JSON
  // string character by character (the body JSON inside the request JSON), which cost more CPU
  // than parsing the message.
  if (bytes.length <= INLINE_BODY_LIMIT_BYTES) return { item: { ...base, body: bytes } };
  return { item: { ...base, bodyObject: bodyObjectKey(sesMessageId) }, overflow: json };
}

/** The body an item holds inline (bytes, as written), or undefined when it lives in S3. */
export function inlineBody(item: Item): MessageBody | undefined {
  const raw = item.body;
  if (raw instanceof Uint8Array) return JSON.parse(Buffer.from(raw).toString('utf8')) as MessageBody;
  if (typeof raw === 'string') return JSON.parse(raw) as MessageBody;
  return undefined;
}
