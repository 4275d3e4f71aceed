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

export interface DrillParticipant {
  address: string;
  sent: boolean;
  /** Why no link went out. */
  reason?: string;
  completedAt?: string;
}

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
  sent: participant.sent,
  ...(participant.reason ? { reason: participant.reason } : {}),
  ...(participant.completedAt ? { completedAt: participant.completedAt } : {}),
  expiresAt,
});

export const participantFromItem = (item: Item): DrillParticipant => ({
  address: String(item.address),
  sent: item.sent === true,
  ...(typeof item.reason === 'string' ? { reason: item.reason } : {}),
  ...(typeof item.completedAt === 'string' ? { completedAt: item.completedAt } : {}),
});
