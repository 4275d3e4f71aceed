import { normalizeAddress } from '../addresses';
import { normalizeDomain } from '../entities/domain';
import type { Item, ItemKey } from '../entities/keys';

export interface Drill {
  drillId: string;
  domain: string;
  startedAt: string;
  startedBy: string;
  participants: number;
  sent: number;
}

/** Where a participant's link is; `queued` until the deliver function mails it (large drills). */
export type ParticipantStatus = 'sent' | 'queued' | 'refused' | 'failed';

export interface DrillParticipant {
  address: string;
  status: ParticipantStatus;
  /** `status === 'sent'`, kept for older callers. */
  sent: boolean;
  /** Why no link went out. */
  reason?: string;
  /** When the link was mailed (queued sends record it; in-request sends did not). */
  sentAt?: string;
  completedAt?: string;
}

/**
 * The stored status: a queued participant is claimed (`sending`) by the job that mails the link
 * before it is mailed, so a redelivered job does not mail it again.
 */
export type StoredParticipantStatus = ParticipantStatus | 'sending';

/** Drills of a domain, one partition; drill ids sort by start time, so newest first is one Query. */
export const drillKey = (domain: string, drillId: string): ItemKey => ({
  pk: `DRILLS#${normalizeDomain(domain)}`,
  sk: drillId,
});
export const participantPartition = (domain: string, drillId: string) =>
  `DRILL#${normalizeDomain(domain)}#${drillId}`;
export const participantKey = (domain: string, drillId: string, address: string): ItemKey => ({
  pk: participantPartition(domain, drillId),
  sk: normalizeAddress(address),
});

export const drillToItem = (drill: Drill, expiresAt: number): Item => ({
  ...drillKey(drill.domain, drill.drillId),
  type: 'drill',
  ...drill,
  expiresAt,
});

export const drillFromItem = (item: Item): Drill => ({
  drillId: String(item.drillId),
  domain: String(item.domain),
  startedAt: String(item.startedAt),
  startedBy: String(item.startedBy),
  participants: Number(item.participants ?? 0),
  sent: Number(item.sent ?? 0),
});

export const participantToItem = (
  domain: string,
  drillId: string,
  participant: DrillParticipant,
  expiresAt: number,
): Item => ({
  ...participantKey(domain, drillId, participant.address),
  type: 'drill-participant',
  address: normalizeAddress(participant.address),
  status: participant.status,
  sent: participant.sent,
  ...(participant.reason ? { reason: participant.reason } : {}),
  ...(participant.sentAt ? { sentAt: participant.sentAt } : {}),
  ...(participant.completedAt ? { completedAt: participant.completedAt } : {}),
  expiresAt,
});

/** Drills from before queued sends have no status: `sent` or a reason said it all. */
function participantStatus(item: Item): ParticipantStatus {
  if (item.status === 'sending') return 'queued';
  if (
    item.status === 'sent' ||
    item.status === 'queued' ||
    item.status === 'refused' ||
    item.status === 'failed'
  ) {
    return item.status;
  }
  return item.sent === true ? 'sent' : 'refused';
}

export const participantFromItem = (item: Item): DrillParticipant => ({
  address: String(item.address),
  status: participantStatus(item),
  sent: item.sent === true,
  ...(typeof item.reason === 'string' ? { reason: item.reason } : {}),
  ...(typeof item.sentAt === 'string' ? { sentAt: item.sentAt } : {}),
  ...(typeof item.completedAt === 'string' ? { completedAt: item.completedAt } : {}),
});
