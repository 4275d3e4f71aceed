import MailComposer from 'nodemailer/lib/mail-composer';
import type { BlobStore } from '../../adapters/blob-store';
import type { DeliveryJob, DeliveryQueue } from '../../adapters/delivery-queue';
import type { MailSender } from '../../adapters/mail-sender';
import type { RelayDestination, SmtpRelay, SmtpResult } from '../../adapters/smtp-relay';
import type { Table } from '../../adapters/table';
import { listAdmins } from '../admins/admins';
import type { Clock } from '../clock';
import { getDomain, listDomains } from '../domains/domains';
import { normalizeDomain } from '../entities/domain';
import type { Item } from '../entities/keys';
import { logEntryKey, type DeliveryState } from '../entities/log-entry';
import { rawMailKey } from '../ingest/receipt';
import { expiredBefore, heldFromItem, heldKey, heldPartition, heldToItem } from './held';
import { markHeld } from './route-message';
import { classifySmtpResult, expired, nextStep, RETRY_BASE_MS, type NextStep } from './retry';
import { DEFAULT_MAIL_FLOW, type Destination, type MailFlowSettings } from './settings';
import {
  attemptFromItem,
  attemptQuery,
  attemptToItem,
  mailFlowStatus,
  statusChange,
  storedStatusFromItem,
  storedStatusKey,
  storedStatusToItem,
  type MailFlowStatus,
  type StatusReport,
} from './status';

export interface DeliverDeps {
  table: Table;
  blobs: BlobStore;
  clock: Clock;
  relay: SmtpRelay;
  queue: DeliveryQueue;
  sender: MailSender;
  /** Reads a Secrets Manager secret (the destination's SMTP credentials). */
  readSecret(secretId: string): Promise<string>;
  /** The first retry's backoff ceiling; default 60 s. */
  retryBaseMs?: number;
  random?: () => number;
  /** The sender of admin alerts; default `xtramail-alerts@<domain>`. */
  alertFrom?: (domain: string) => string;
}

export type DeliverOutcome =
  'waiting' | 'held' | 'already-done' | 'delivered' | 'deferred' | 'failed' | 'expired';

export interface DeliverResult {
  outcome: DeliverOutcome;
  response?: string;
  code?: number;
  /** Set when this attempt flipped the domain's status (an alert went to its admins). */
  statusChanged?: { from: MailFlowStatus; to: MailFlowStatus };
}

const TERMINAL: ReadonlySet<string> = new Set(['delivered', 'failed', 'expired']);

const logKeys = (job: DeliveryJob) =>
  job.recipients.map((recipient) =>
    logEntryKey({ recipient, receivedAt: new Date(job.receivedAt), sesMessageId: job.sesMessageId }),
  );

/** The SMTP credentials secret holds `{ "user": …, "pass": … }`. */
async function relayDestination(deps: DeliverDeps, destination: Destination): Promise<RelayDestination> {
  const { credentialsSecretArn, ...rest } = destination;
  if (!credentialsSecretArn) return rest;
  const secret = JSON.parse(await deps.readSecret(credentialsSecretArn)) as {
    user?: unknown;
    pass?: unknown;
  };
  if (typeof secret.user !== 'string' || typeof secret.pass !== 'string')
    throw new Error(`Secret ${credentialsSecretArn} must hold {"user": …, "pass": …}`);
  return { ...rest, auth: { user: secret.user, pass: secret.pass } };
}

/** What each recipient's log entry says after this attempt. */
function recipientStates(
  job: DeliveryJob,
  result: SmtpResult,
  step: NextStep,
): Map<string, { state: DeliveryState; reply: string }> {
  const states = new Map<string, { state: DeliveryState; reply: string }>();
  const kind: DeliveryState = step.kind === 'retry' ? 'deferred' : step.kind;
  for (const recipient of job.recipients) states.set(recipient, { state: kind, reply: result.response });
  if (result.ok) {
    for (const rejection of result.rejected ?? []) {
      const reply = `${rejection.code ?? ''} ${rejection.response}`.trim();
      states.set(rejection.recipient.toLowerCase(), { state: 'failed', reply });
    }
  }
  return states;
}

async function updateLogs(
  deps: DeliverDeps,
  logs: Item[],
  states: Map<string, { state: DeliveryState; reply: string }>,
  attempt: number,
) {
  const updated = logs.flatMap((item) => {
    const state = states.get(String(item.recipient));
    if (!state) return [];
    return [{ ...item, delivery: state.state, deliveryReply: state.reply, deliveryAttempts: attempt }];
  });
  if (updated.length > 0) await deps.table.putAll(updated);
}

const adminsOf = async (deps: DeliverDeps, domain: string): Promise<string[]> =>
  (await listAdmins(deps))
    .filter((admin) => admin.role === 'partner' || admin.domains.map(normalizeDomain).includes(domain))
    .map((admin) => admin.email);

async function tellAdmins(deps: DeliverDeps, domain: string, subject: string, text: string) {
  const to = await adminsOf(deps, domain);
  if (to.length === 0) return;
  const from = deps.alertFrom?.(domain) ?? `xtramail-alerts@${domain}`;
  const raw = await new MailComposer({ from, to, subject, text }).compile().build();
  await deps.sender.sendRaw(raw, { from, to });
}

const describeReplies = (report: StatusReport) =>
  report.lastReplies.map((r) => `  ${r.at}  ${r.outcome}  ${r.code ?? ''} ${r.response}`).join('\n');

/** Recomputes the status from the last attempts; on a flip, alerts the admins and stores it. */
export async function refreshStatus(
  deps: DeliverDeps,
  domain: string,
  settings: MailFlowSettings,
): Promise<DeliverResult['statusChanged']> {
  const q = attemptQuery(domain);
  const page = await deps.table.query(q.pk, {
    beginsWith: q.skPrefix,
    descending: q.newestFirst,
    limit: q.limit,
  });
  const report = mailFlowStatus(page.items.map(attemptFromItem), settings.goodThreshold);
  const storedItem = await deps.table.get(storedStatusKey(domain));
  const stored = storedItem ? storedStatusFromItem(storedItem) : undefined;
  const change = statusChange(stored?.status, report.status);
  if (!change.alert) return undefined;
  // Concurrent workers can see the same flip; the write lands only on the version this one read,
  // so exactly one of them stores the new status and sends the alert.
  const stores = await deps.table.put(
    storedStatusToItem({
      domain,
      status: report.status,
      changedAt: deps.clock.now(),
      version: (stored?.version ?? 0) + 1,
    }),
    { ifMatches: { version: stored?.version ?? null } },
  );
  if (!stores) return undefined;
  const pct = Math.round(report.successRate * 100);
  await tellAdmins(
    deps,
    domain,
    `Mail Flow for ${domain} is ${report.status}`,
    `Mail Flow status for ${domain} changed from ${change.from} to ${change.to}: ` +
      `${report.succeeded} of the last ${report.attempts} delivery attempts succeeded (${pct}%).\n\n` +
      `Last SMTP replies:\n${describeReplies(report)}\n`,
  );
  return { from: change.from, to: change.to };
}

/**
 * One delivery job: one SMTP transaction to the domain's primary mail server for the domain's
 * recipients of one message. Every attempt is recorded and logged; deferrals come back with
 * backoff until the 14 days run out. A job whose recipients are all settled does nothing, so a
 * redelivered SQS message or a retried intake never sends twice.
 */
export async function deliverMessage(deps: DeliverDeps, job: DeliveryJob): Promise<DeliverResult> {
  const now = deps.clock.now();
  if (job.notBefore && now.getTime() < Date.parse(job.notBefore)) {
    await deps.queue.enqueue(job, (Date.parse(job.notBefore) - now.getTime()) / 1000);
    return { outcome: 'waiting' };
  }
  const domainName = normalizeDomain(job.domain);
  const settings = (await getDomain(deps, domainName))?.mailFlow ?? DEFAULT_MAIL_FLOW;
  const receivedAt = new Date(job.receivedAt);
  const logs = await deps.table.getAll(logKeys(job));
  if (logs.length > 0 && logs.every((item) => TERMINAL.has(String(item.delivery)))) {
    return { outcome: 'already-done' };
  }

  // A released message goes out even if the domain was paused again: the admin asked for it.
  if (settings.inbound === 'paused' && !job.released) {
    await deps.table.put(
      heldToItem({
        domain: domainName,
        receivedAt,
        sesMessageId: job.sesMessageId,
        envelopeFrom: job.envelopeSender,
        recipients: job.recipients,
        rawKey: rawMailKey(job.sesMessageId),
        size: Number(logs[0]?.size ?? 0),
      }),
    );
    await markHeld(deps.table, job.sesMessageId, receivedAt, job.recipients);
    return { outcome: 'held' };
  }

  let result: SmtpResult;
  if (expired(receivedAt, now)) {
    result = { ok: false, response: 'Not delivered within 14 days', transient: true };
  } else if (!settings.destination) {
    result = { ok: false, response: 'No Mail Flow destination is configured', transient: true };
  } else {
    const raw = await deps.blobs.get(rawMailKey(job.sesMessageId));
    if (!raw) throw new Error(`Raw message ${rawMailKey(job.sesMessageId)} is missing`);
    result = await deps.relay.deliver(
      raw,
      { from: job.envelopeSender, to: job.recipients },
      await relayDestination(deps, settings.destination),
    );
  }
  const at = deps.clock.now();
  const step: NextStep = expired(receivedAt, now)
    ? { kind: 'expired' }
    : nextStep(result, job.attempt, receivedAt, at, deps.random, deps.retryBaseMs ?? RETRY_BASE_MS);

  await deps.table.put(
    attemptToItem({
      domain: domainName,
      at,
      id: `${job.sesMessageId}#${job.attempt}`,
      outcome: classifySmtpResult(result),
      ...(!result.ok && result.code !== undefined ? { code: result.code } : {}),
      response: result.response,
      sesMessageId: job.sesMessageId,
    }),
  );
  await updateLogs(deps, logs, recipientStates(job, result, step), job.attempt);

  if (step.kind === 'retry') {
    const notBefore = new Date(at.getTime() + step.delayMs).toISOString();
    await deps.queue.enqueue({ ...job, attempt: job.attempt + 1, notBefore }, step.delayMs / 1000);
  } else if (step.kind === 'expired') {
    await tellAdmins(
      deps,
      domainName,
      `Mail for ${domainName} could not be delivered within 14 days`,
      `The message ${job.sesMessageId} from ${job.envelopeSender} to ${job.recipients.join(', ')}, ` +
        `received ${job.receivedAt}, was not delivered to your mail server within 14 days and has ` +
        `expired. Last reply: ${result.response}\n`,
    );
  }
  const statusChanged = await refreshStatus(deps, domainName, settings);
  return {
    outcome: step.kind === 'retry' ? 'deferred' : step.kind,
    response: result.response,
    ...(!result.ok && result.code !== undefined ? { code: result.code } : {}),
    ...(statusChanged ? { statusChanged } : {}),
  };
}

/**
 * Held mail past its 14 days (the pause was never lifted): each item is claimed with a
 * conditional delete, its recipients' log entries say `expired`, and the domain's admins get one
 * email per sweep listing what expired. DynamoDB's TTL removes held items only a day later, so
 * nothing disappears before this has run. Returns how many messages expired.
 */
export async function expireHeld(deps: DeliverDeps): Promise<number> {
  const now = deps.clock.now();
  const cutoff = expiredBefore(now);
  let total = 0;
  let domainCursor: string | undefined;
  do {
    const domains = await listDomains(deps, { cursor: domainCursor, limit: 200 });
    for (const domain of domains.items) {
      const expiredIds: string[] = [];
      let cursor: string | undefined;
      scan: do {
        const page = await deps.table.query(heldPartition(domain.name), { cursor, limit: 100 });
        for (const item of page.items) {
          if (item.sk >= cutoff) break scan;
          const held = heldFromItem(item);
          if (!(await deps.table.delete(heldKey(held), { ifExists: true }))) continue;
          const job: DeliveryJob = {
            sesMessageId: held.sesMessageId,
            domain: domain.name,
            recipients: held.recipients,
            envelopeSender: held.envelopeFrom,
            receivedAt: held.receivedAt.toISOString(),
            attempt: 0,
          };
          const states = new Map(
            held.recipients.map((r) => [
              r,
              { state: 'expired' as DeliveryState, reply: 'Held for 14 days while delivery was paused' },
            ]),
          );
          await updateLogs(deps, await deps.table.getAll(logKeys(job)), states, 0);
          expiredIds.push(`${held.sesMessageId} from ${held.envelopeFrom}, received ${job.receivedAt}`);
        }
        cursor = page.nextCursor;
      } while (cursor);
      if (expiredIds.length === 0) continue;
      total += expiredIds.length;
      await tellAdmins(
        deps,
        domain.name,
        `Held mail for ${domain.name} expired after 14 days`,
        `Inbound delivery for ${domain.name} stayed paused, and these ${expiredIds.length} held ` +
          `messages reached 14 days without being released; they have expired:\n\n` +
          `${expiredIds.map((line) => `  ${line}`).join('\n')}\n`,
      );
    }
    domainCursor = domains.nextCursor;
  } while (domainCursor);
  return total;
}
