import type { Table } from '../../adapters/table';
import type { Item } from '../entities/keys';
import { logEntryKey, type DeliveryState } from '../entities/log-entry';
import type { SnapshotMessage } from '../entities/message';

/** Where a copy stands on its way to the user's main mailbox, as the portal shows it. */
export interface MessageDelivery {
  state: DeliveryState;
  attempts?: number;
}

type Keyed = Pick<SnapshotMessage, 'mailbox' | 'recipient' | 'folder' | 'receivedAt' | 'sesMessageId'>;

/** The recipient's log entry, which holds the copy's delivery state. */
export const deliveryKeyOf = (message: Keyed) =>
  logEntryKey({
    recipient: message.recipient ?? message.mailbox,
    receivedAt: message.receivedAt,
    sesMessageId: message.sesMessageId,
  });

/**
 * The delivery state of each inbox message, read from the recipient's log entry: the one record
 * ingest, the hold, the deliver handler and the expiry sweep already keep up to date. One batched
 * read per page, and nothing written twice. Log entries live 14 days; an older message (or one
 * of a domain without Mail Flow) simply has no state, and Sent items never have one.
 * Returns a map from message id to its delivery.
 */
export async function deliveryStates<M extends Keyed & { id: string }>(
  deps: { table: Table },
  messages: readonly M[],
): Promise<Map<string, MessageDelivery>> {
  const inbox = messages.filter((m) => m.folder === 'inbox');
  const states = new Map<string, MessageDelivery>();
  if (inbox.length === 0) return states;
  const byKey = new Map(inbox.map((m) => [`${deliveryKeyOf(m).pk}\n${deliveryKeyOf(m).sk}`, m.id]));
  for (const item of await deps.table.getAll(inbox.map(deliveryKeyOf))) {
    const id = byKey.get(`${item.pk}\n${item.sk}`);
    const delivery = id && deliveryFromItem(item);
    if (delivery) states.set(id, delivery);
  }
  return states;
}

/** The delivery state a log entry item holds, if any. */
export function deliveryFromItem(item: Item): MessageDelivery | undefined {
  if (typeof item.delivery !== 'string') return undefined;
  return {
    state: item.delivery as DeliveryState,
    ...(typeof item.deliveryAttempts === 'number' ? { attempts: item.deliveryAttempts } : {}),
  };
}

/** Adds `delivery` (or null) to each message of a page. */
export async function withDeliveryStates<M extends Keyed & { id: string }>(
  deps: { table: Table },
  messages: readonly M[],
): Promise<Array<M & { delivery: MessageDelivery | null }>> {
  const states = await deliveryStates(deps, messages);
  return messages.map((m) => ({ ...m, delivery: states.get(m.id) ?? null }));
}
