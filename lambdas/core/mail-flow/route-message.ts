import type { DeliveryJob, DeliveryQueue } from '../../adapters/delivery-queue';
import type { Table } from '../../adapters/table';
import { normalizeAddress, splitAddress } from '../addresses';
import type { Domain } from '../entities/domain';
import { logEntryKey } from '../entities/log-entry';
import { rawMailKey, type Receipt } from '../ingest/receipt';
import { heldToItem } from './held';
import { DEFAULT_MAIL_FLOW, mailFlowAction, type MailFlowAction } from './settings';

export interface RouteDeps {
  table: Table;
  /** Needed only when a domain delivers; intake without Mail Flow runs without one. */
  queue?: DeliveryQueue;
}

export interface RoutedDomain {
  domain: string;
  action: MailFlowAction;
  recipients: string[];
}

/** The receipt's recipients grouped by managed domain, in first-seen order. */
function byDomain(receipt: Receipt, domains: Map<string, Domain>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const recipient of receipt.recipients) {
    const address = normalizeAddress(recipient);
    let name: string;
    try {
      name = splitAddress(address).domain;
    } catch {
      continue;
    }
    if (!domains.has(name)) continue;
    const group = groups.get(name) ?? [];
    if (!group.includes(address)) group.push(address);
    groups.set(name, group);
  }
  return groups;
}

export const firstJob = (receipt: Receipt, domain: string, recipients: string[]): DeliveryJob => ({
  sesMessageId: receipt.sesMessageId,
  domain,
  recipients,
  envelopeSender: receipt.envelopeSender,
  receivedAt: receipt.receivedAt.toISOString(),
  attempt: 1,
});

/** Marks the recipients' log entries `held`, so the console's log shows why nothing went out yet. */
export async function markHeld(table: Table, sesMessageId: string, receivedAt: Date, recipients: string[]) {
  const logs = await table.getAll(
    recipients.map((recipient) => logEntryKey({ recipient, receivedAt, sesMessageId })),
  );
  const reply = 'Held: inbound delivery is paused';
  if (logs.length > 0)
    await table.putAll(logs.map((item) => ({ ...item, delivery: 'held', deliveryReply: reply })));
}

/**
 * Mail Flow's part of intake, after the log and the copies are written: per recipient domain,
 * queue one delivery to the primary server, hold the message while delivery is paused, or do
 * nothing when Mail Flow is not set up. Keys and jobs derive from the SES message id, so a
 * retried event holds the same item again and the deliver worker skips what already went.
 */
export async function routeMessage(
  deps: RouteDeps,
  receipt: Receipt,
  size: number,
  domains: Map<string, Domain>,
): Promise<RoutedDomain[]> {
  const routed: RoutedDomain[] = [];
  for (const [name, recipients] of byDomain(receipt, domains)) {
    const action = mailFlowAction(domains.get(name)?.mailFlow ?? DEFAULT_MAIL_FLOW);
    if (action !== 'none') routed.push({ domain: name, action, recipients });
    if (action === 'hold') {
      await deps.table.put(
        heldToItem({
          domain: name,
          receivedAt: receipt.receivedAt,
          sesMessageId: receipt.sesMessageId,
          envelopeFrom: receipt.envelopeSender,
          recipients,
          rawKey: rawMailKey(receipt.sesMessageId),
          size,
        }),
      );
      await markHeld(deps.table, receipt.sesMessageId, receipt.receivedAt, recipients);
    } else if (action === 'deliver') {
      if (!deps.queue) throw new Error('Mail Flow delivers for this domain but no delivery queue is set');
      await deps.queue.enqueue(firstJob(receipt, name, recipients));
    }
  }
  return routed;
}
