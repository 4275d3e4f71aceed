import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Table } from '../../adapters/table';
import { normalizeAddress } from '../addresses';
import type { Clock } from '../clock';
import { adminFromItem, adminKey } from '../entities/admin';
import { AppError, unauthorized } from '../errors';
import type { AdminProfile } from './admin-sessions';

/**
 * API tokens for automation: `xmt_<id>_<secret>`, shown once. Only a SHA-256 of the secret is
 * kept: the secret is 256 random bits, so a fast hash is as safe as a slow one here.
 */
export const API_TOKEN_PREFIX = 'xmt_';
const TOKEN_PATTERN = /^xmt_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_RESOLUTION_MS = 3_600_000;

export interface ApiTokenInfo {
  id: string;
  name: string;
  /** The visible start of the token, to tell tokens apart in a list. */
  prefix: string;
  createdAt: string;
  lastUsedAt?: string;
}

const lookupKey = (id: string) => ({ pk: `TOKEN#${id}`, sk: 'TOKEN' });
const ownerKey = (owner: string, id: string) => ({
  pk: `ADMIN#${normalizeAddress(owner)}`,
  sk: `TOKEN#${id}`,
});
const digest = (secret: string) => createHash('sha256').update(secret).digest();

export const isApiToken = (token: string) => token.startsWith(API_TOKEN_PREFIX);

export class ApiTokens {
  constructor(private readonly deps: { table: Table; clock: Clock }) {}

  async create(owner: string, name: string): Promise<ApiTokenInfo & { token: string }> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const token = `${API_TOKEN_PREFIX}${id}_${secret}`;
    const info: ApiTokenInfo = {
      id,
      name,
      prefix: token.slice(0, API_TOKEN_PREFIX.length + 8),
      createdAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.table.putAll([
      {
        ...lookupKey(id),
        type: 'api-token',
        owner: normalizeAddress(owner),
        secretHash: digest(secret).toString('hex'),
        ...info,
      },
      { ...ownerKey(owner, id), type: 'api-token-ref', ...info },
    ]);
    return { ...info, token };
  }

  async list(owner: string): Promise<ApiTokenInfo[]> {
    const refs = await this.deps.table.query(`ADMIN#${normalizeAddress(owner)}`, { beginsWith: 'TOKEN#' });
    const live = await this.deps.table.getAll(refs.items.map((ref) => lookupKey(String(ref.id))));
    return live
      .map((item) => ({
        id: String(item.id),
        name: String(item.name),
        prefix: String(item.prefix),
        createdAt: String(item.createdAt),
        ...(item.lastUsedAt ? { lastUsedAt: String(item.lastUsedAt) } : {}),
      }))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async revoke(owner: string, id: string): Promise<void> {
    const item = await this.deps.table.get(lookupKey(id));
    if (!item || item.owner !== normalizeAddress(owner))
      throw new AppError(404, 'not_found', 'No such token.');
    await this.deps.table.delete(lookupKey(id));
    await this.deps.table.delete(ownerKey(owner, id));
  }

  /** The admin a token acts for, with that admin's current scope; 401 for anything else. */
  async authenticate(token: string): Promise<{ account: AdminProfile; tokenId: string }> {
    const match = TOKEN_PATTERN.exec(token);
    const item = match ? await this.deps.table.get(lookupKey(match[1])) : undefined;
    const expected = Buffer.from(String(item?.secretHash ?? ''), 'hex');
    const given = digest(match?.[2] ?? '');
    if (!item || expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw unauthorized('This API token is not valid (revoked, or mistyped).');
    }
    const ownerItem = await this.deps.table.get(adminKey(String(item.owner)));
    if (!ownerItem) throw unauthorized('The admin this token belonged to no longer exists.');
    const admin = adminFromItem(ownerItem);
    const now = this.deps.clock.now();
    if (!item.lastUsedAt || now.getTime() - Date.parse(String(item.lastUsedAt)) > LAST_USED_RESOLUTION_MS) {
      await this.deps.table.put({ ...item, lastUsedAt: now.toISOString() });
    }
    return { account: { email: admin.email, role: admin.role, domains: admin.domains }, tokenId: match![1] };
  }
}
