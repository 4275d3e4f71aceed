import { createHash, randomBytes } from 'node:crypto';
import type { Table } from '../../adapters/table';
import { normalizeAddress } from '../addresses';
import { epochSeconds, type Clock } from '../clock';
import type { Item, ItemKey } from '../entities/keys';
import { portalUserFromItem, portalUserKey } from '../entities/portal-user';
import { AppError } from '../errors';

/**
 * Single-use links that prove control of a user's backup address: a sign-in link, a portal
 * invitation (set your own password), or a fire-drill test sign-in.
 */
export type LinkPurpose = 'sign-in' | 'invite' | 'drill';

export const LINK_LIFETIME_SECONDS: Record<LinkPurpose, number> = {
  'sign-in': 15 * 60,
  invite: 7 * 24 * 3600,
  drill: 7 * 24 * 3600,
};

/** 32 random bytes as base64url: 43 characters, 256 bits. */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface LinkDeps {
  table: Table;
  clock: Clock;
}

export interface IssuedLink {
  token: string;
  expiresAt: Date;
}

export interface ConsumedLink {
  purpose: LinkPurpose;
  address: string;
  drillId?: string;
}

/** Only the hash is stored: a copy of the table does not hold a usable link. */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const linkKey = (tokenHash: string): ItemKey => ({ pk: `LINK#${tokenHash}`, sk: 'LINK' });
/** The newest link of each purpose per user; issuing another supersedes the one it names. */
const latestLinkKey = (address: string, purpose: LinkPurpose): ItemKey => ({
  pk: `LINKS#${normalizeAddress(address)}`,
  sk: purpose,
});

/**
 * One answer for every link that cannot be used (never existed, used, expired, superseded,
 * password changed), so the answer reveals nothing about which it was.
 */
export const linkUnusable = () =>
  new AppError(
    410,
    'link_unusable',
    'This link has expired or has already been used. Request a new one from the sign-in page or your administrator.',
  );

export const isWellFormedToken = (token: string) => TOKEN_PATTERN.test(token);

/**
 * Issues a link for `address`, carrying the user's current tokenVersion so a password change
 * invalidates it. The previous link of the same purpose stops working.
 */
export async function issueLink(
  deps: LinkDeps,
  request: {
    address: string;
    purpose: LinkPurpose;
    tokenVersion: number;
    /** The backup address the link is mailed to; the link dies if the user's changes. */
    sentTo: string;
    drillId?: string;
  },
): Promise<IssuedLink> {
  const address = normalizeAddress(request.address);
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const tokenHash = hashToken(token);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + LINK_LIFETIME_SECONDS[request.purpose] * 1000);
  const latestKey = latestLinkKey(address, request.purpose);
  const previous = await deps.table.get(latestKey);
  await deps.table.putAll([
    {
      ...linkKey(tokenHash),
      type: 'link',
      purpose: request.purpose,
      address,
      tokenVersion: request.tokenVersion,
      sentTo: normalizeAddress(request.sentTo),
      ...(request.drillId ? { drillId: request.drillId } : {}),
      createdAt: now.toISOString(),
      expiresAt: epochSeconds(expiresAt),
    },
    { ...latestKey, type: 'latest-link', tokenHash, expiresAt: epochSeconds(expiresAt) },
  ]);
  if (typeof previous?.tokenHash === 'string') await deps.table.delete(linkKey(previous.tokenHash));
  return { token, expiresAt };
}

const purposeOf = (item: Item): LinkPurpose | undefined =>
  (['sign-in', 'invite', 'drill'] as const).find((p) => p === item.purpose);

/** What a link is for, without using it (an invitation checks the new password first). */
export async function peekLink(deps: LinkDeps, token: string): Promise<ConsumedLink> {
  if (!isWellFormedToken(token)) throw linkUnusable();
  const item = await deps.table.get(linkKey(hashToken(token)));
  const purpose = item && purposeOf(item);
  if (!item || !purpose || Number(item.expiresAt) <= epochSeconds(deps.clock.now())) throw linkUnusable();
  return {
    purpose,
    address: String(item.address),
    ...(typeof item.drillId === 'string' ? { drillId: item.drillId } : {}),
  };
}

/**
 * Uses a link up. The conditional delete is the claim: of two concurrent uses exactly one wins.
 * It is refused when expired (DynamoDB's TTL deletes late), superseded by a newer link of the
 * same purpose, issued before the user's password last changed, or mailed to a backup address
 * the user no longer has (whoever reads the old mailbox may be why it was changed).
 */
export async function consumeLink(
  deps: LinkDeps,
  token: string,
  expected?: LinkPurpose[],
): Promise<ConsumedLink> {
  if (!isWellFormedToken(token)) throw linkUnusable();
  const tokenHash = hashToken(token);
  const item = await deps.table.get(linkKey(tokenHash));
  const purpose = item && purposeOf(item);
  if (!item || !purpose) throw linkUnusable();
  if (expected && !expected.includes(purpose)) throw linkUnusable();
  const address = String(item.address);
  const [latest, userItem] = await Promise.all([
    deps.table.get(latestLinkKey(address, purpose)),
    deps.table.get(portalUserKey(address)),
  ]);
  if (!(await deps.table.delete(linkKey(tokenHash), { ifExists: true }))) throw linkUnusable();
  const user = userItem && portalUserFromItem(userItem);
  const stillValid =
    Number(item.expiresAt) > epochSeconds(deps.clock.now()) &&
    latest?.tokenHash === tokenHash &&
    user !== undefined &&
    user.tokenVersion === Number(item.tokenVersion) &&
    (item.sentTo === undefined || normalizeAddress(user.backupAddress ?? '') === item.sentTo);
  if (!stillValid) throw linkUnusable();
  await deps.table.delete(latestLinkKey(address, purpose));
  return { purpose, address, ...(typeof item.drillId === 'string' ? { drillId: item.drillId } : {}) };
}
