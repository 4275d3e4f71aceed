import type { Readable } from 'node:stream';
import type { BlobStore } from '../../adapters/blob-store';
import type { DeliveryQueue } from '../../adapters/delivery-queue';
import type { Table } from '../../adapters/table';
import { normalizeAddress, splitAddress } from '../addresses';
import type { Clock } from '../clock';
import type { Domain } from '../entities/domain';
import type { Item } from '../entities/keys';
import { routeMessage, type RoutedDomain } from '../mail-flow/route-message';
import { logEntryToItem } from '../entities/log-entry';
import { attachmentObjectKey, bodyObjectKey, bodyToItem } from '../entities/message-body';
import { messageId, messageToItem } from '../entities/message';
import { portalUserToItem, type PortalUser } from '../entities/portal-user';
import { decideRecipient, type RecipientAction, type RecipientDecision } from './eligibility';
import { parseMessage, type ParsedMessage } from './parse-message';
import { rawMailKey, SES_SETUP_NOTIFICATION_ID, type Receipt } from './receipt';
import {
  baseAddress,
  loadRecipientAccounts,
  type RecipientAccount,
  type RecipientAccounts,
} from './recipients';

export interface IngestDeps {
  table: Table;
  blobs: BlobStore;
  clock: Clock;
  /** Where Mail Flow queues deliveries to the primary server (only domains that deliver need it). */
  queue?: DeliveryQueue;
}

export interface IngestResult {
  sesMessageId: string;
  skipped?: 'setup-notification';
  size: number;
  recipients: Array<{ address: string; action: RecipientAction }>;
  unparseable: boolean;
  parseError?: string;
  /** What Mail Flow did per recipient domain (queued, held, nothing). */
  mailFlow?: RoutedDomain[];
}

const drain = (stream: Readable) =>
  new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('end', resolve);
    stream.resume();
  });

interface Decided {
  /** The envelope recipient, as logged. */
  address: string;
  /** Whose snapshot gets the copy: the recipient, or the base mailbox of a `+` tagged address. */
  mailbox: string;
  decision: RecipientDecision;
}

/** A retried event finds the user its first attempt discovered: still report the discovery. */
function reportDiscovery(decision: RecipientDecision, user: RecipientAccount | undefined, receipt: Receipt) {
  if (decision.action === 'snapshot' && user?.discoveredBy === receipt.sesMessageId)
    decision.action = 'discovered';
  return decision;
}

function decide(receipt: Receipt, accounts: RecipientAccounts): Decided[] {
  return receipt.recipients.map((recipient) => {
    const address = normalizeAddress(recipient);
    let domain: string | undefined;
    try {
      domain = splitAddress(address).domain;
    } catch {
      domain = undefined;
    }
    // An address with no account of its own but a `+` tag is its base mailbox's (known or discovered).
    const mailbox = accounts.users.has(address) ? address : (baseAddress(address) ?? address);
    const user = accounts.users.get(mailbox);
    const decision = decideRecipient(
      domain ? accounts.domains.get(domain) : undefined,
      user,
      receipt.receivedAt,
    );
    return { address, mailbox, decision: reportDiscovery(decision, user, receipt) };
  });
}

/**
 * Creates Discovered Users that do not exist yet. The write is conditional, so an account an
 * admin created meanwhile is never overwritten; such an address is decided again from it.
 */
async function discoverUsers(
  deps: IngestDeps,
  receipt: Receipt,
  accounts: RecipientAccounts,
  decisions: Decided[],
) {
  const now = deps.clock.now().toISOString();
  for (const entry of decisions.filter((d) => d.decision.discover)) {
    const user: PortalUser = {
      address: entry.mailbox,
      type: 'discovered',
      mustChangePassword: false,
      tokenVersion: 0,
      createdAt: now,
      discoveredBy: receipt.sesMessageId,
    };
    if (await deps.table.put(portalUserToItem(user), { ifAbsent: true })) continue;
    // Taken meanwhile: by an admin, or by another recipient of this message with the same mailbox.
    const current = (await loadRecipientAccounts(deps.table, [entry.mailbox])).users.get(entry.mailbox);
    const domain = accounts.domains.get(splitAddress(entry.mailbox).domain);
    entry.decision = reportDiscovery(decideRecipient(domain, current, receipt.receivedAt), current, receipt);
    entry.decision.discover = false;
  }
}

interface Outcome {
  address: string;
  mailbox: string;
  action: RecipientAction;
  copy: boolean;
}

function items(receipt: Receipt, parsed: ParsedMessage, size: number, outcomes: Outcome[]) {
  const out: Item[] = [];
  let copies = 0;
  for (const { address, mailbox, action, copy } of outcomes) {
    out.push(
      logEntryToItem({
        sesMessageId: receipt.sesMessageId,
        receivedAt: receipt.receivedAt,
        envelopeSender: receipt.envelopeSender,
        recipient: address,
        from: parsed.from,
        subject: parsed.subject,
        size,
        verdicts: receipt.verdicts,
        action,
      }),
    );
    if (!copy) continue;
    copies++;
    out.push(
      messageToItem({
        id: messageId('inbox', receipt.receivedAt, receipt.sesMessageId),
        mailbox,
        ...(mailbox !== address ? { recipient: address } : {}),
        folder: 'inbox',
        sesMessageId: receipt.sesMessageId,
        receivedAt: receipt.receivedAt,
        from: parsed.from,
        to: parsed.to,
        cc: parsed.cc,
        unlisted: parsed.unlisted,
        subject: parsed.subject,
        date: parsed.date,
        snippet: parsed.snippet,
        size,
        attachments: parsed.attachments,
        verdicts: receipt.verdicts,
        flags: {
          spam: receipt.verdicts.spam === 'FAIL',
          virus: receipt.verdicts.virus === 'FAIL',
          unparseable: parsed.unparseable,
        },
        read: false,
      }),
    );
  }
  return { items: out, copies };
}

/**
 * Takes one received message through intake: a 14-day log entry for every envelope recipient,
 * and a 30-day snapshot copy for each one XtraMail covers. Body and attachments are stored once
 * for all recipients. Every key derives from the SES message id (and the recipient), so a
 * retried event rewrites the same items and never adds a copy.
 */
export async function ingestMessage(deps: IngestDeps, received: Receipt): Promise<IngestResult> {
  // SES passes the envelope on as the client sent it, so one mailbox can be named twice, in any case.
  const receipt = { ...received, recipients: [...new Set(received.recipients.map(normalizeAddress))] };
  const base = { sesMessageId: receipt.sesMessageId, size: 0, recipients: [], unparseable: false };
  if (receipt.sesMessageId === SES_SETUP_NOTIFICATION_ID) return { ...base, skipped: 'setup-notification' };

  const raw = await deps.blobs.getStream(rawMailKey(receipt.sesMessageId));
  if (!raw) throw new Error(`Raw message ${rawMailKey(receipt.sesMessageId)} is missing`);

  // The account lookup runs while the message streams in; attachments wait for its answer, so
  // nothing is stored for a message no one gets a copy of.
  let domains = new Map<string, Domain>();
  const decided = loadRecipientAccounts(deps.table, receipt.recipients).then(async (accounts) => {
    domains = accounts.domains;
    const decisions = decide(receipt, accounts);
    await discoverUsers(deps, receipt, accounts, decisions);
    return decisions;
  });
  decided.catch(() => undefined); // awaited below; this only stops an unhandled-rejection warning
  const parsed = await parseMessage(raw.body, {
    withhold: receipt.verdicts.virus === 'FAIL',
    async store(index, content, contentType) {
      const anyCopy = (await decided).some((d) => d.decision.copy);
      if (!anyCopy) return drain(content);
      await deps.blobs.putStream(attachmentObjectKey(receipt.sesMessageId, index), content, contentType);
    },
  });
  const outcomes: Outcome[] = (await decided).map(({ address, mailbox, decision }) => ({
    address,
    mailbox,
    copy: decision.copy,
    action: decision.copy && parsed.unparseable ? 'unparseable' : decision.action,
  }));

  const { items: written, copies } = items(receipt, parsed, raw.size, outcomes);
  if (copies > 0) {
    const body = bodyToItem(receipt.sesMessageId, receipt.receivedAt, {
      text: parsed.text,
      html: parsed.html,
      headers: parsed.headers,
      attachments: parsed.attachments,
    });
    if (body.overflow)
      await deps.blobs.put(bodyObjectKey(receipt.sesMessageId), body.overflow, 'application/json');
    written.push(body.item);
  }
  await deps.table.putAll(written);
  // Only after the log and the copies exist: a delivery then always has a log entry to update.
  const mailFlow = await routeMessage(deps, receipt, raw.size, domains);

  return {
    ...base,
    size: raw.size,
    unparseable: parsed.unparseable,
    parseError: parsed.parseError,
    recipients: outcomes.map(({ address, action }) => ({ address, action })),
    ...(mailFlow.length > 0 ? { mailFlow } : {}),
  };
}
