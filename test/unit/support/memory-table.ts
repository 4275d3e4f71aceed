import type {
  DeleteOptions,
  GetAllOptions,
  Page,
  PutOptions,
  QueryOptions,
  Table,
} from '../../../lambdas/adapters/table';
import type { Item, ItemKey } from '../../../lambdas/core/entities/keys';
import { AppError } from '../../../lambdas/core/errors';

/** DynamoDB orders string sort keys by their UTF-8 bytes, not by UTF-16 code units. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

const encodeCursor = (key: ItemKey) =>
  Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk })).toString('base64url');

function decodeCursor(cursor: string, pk: string): ItemKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key?.pk === pk && typeof key?.sk === 'string') return { pk: key.pk, sk: key.sk };
  } catch {
    // fall through
  }
  throw new AppError(
    400,
    'invalid_cursor',
    'The cursor is not valid for this list. Start again from the first page.',
  );
}

/**
 * An in-memory `Table` with DynamoDB's semantics: items are copied in and out (no shared
 * references), a partition is ordered by sort key, a page that reaches `limit` carries a
 * cursor (even when nothing follows, as DynamoDB's LastEvaluatedKey does), and TTL is not
 * applied on read (DynamoDB deletes expired items late, so callers must filter).
 */
export class MemoryTable implements Table {
  private readonly partitions = new Map<string, Map<string, Item>>();

  async get(key: ItemKey): Promise<Item | undefined> {
    const item = this.partitions.get(key.pk)?.get(key.sk);
    return item && structuredClone(item);
  }

  async getAll(keys: ItemKey[], options: GetAllOptions = {}): Promise<Item[]> {
    const found = new Map<string, Item>();
    const wanted = options.attributes && new Set(['pk', 'sk', ...options.attributes]);
    for (const key of keys) {
      const item = this.partitions.get(key.pk)?.get(key.sk);
      if (!item) continue;
      const copy = structuredClone(item);
      if (wanted) for (const name of Object.keys(copy)) if (!wanted.has(name)) delete copy[name];
      found.set(`${key.pk}\u0000${key.sk}`, copy);
    }
    return [...found.values()];
  }

  async put(item: Item, options: PutOptions = {}): Promise<boolean> {
    const existing = this.partitions.get(item.pk)?.get(item.sk);
    if (options.ifAbsent && existing) return false;
    if (options.ifMissing && (!existing || existing[options.ifMissing] !== undefined)) return false;
    for (const [attribute, value] of Object.entries(options.ifMatches ?? {})) {
      if ((existing?.[attribute] ?? null) !== value) return false;
    }
    this.write(item);
    return true;
  }

  cursorAfter(key: ItemKey): string {
    return encodeCursor(key);
  }

  async delete(key: ItemKey, options: DeleteOptions = {}): Promise<boolean> {
    const partition = this.partitions.get(key.pk);
    const existed = partition?.delete(key.sk) ?? false;
    if (partition?.size === 0) this.partitions.delete(key.pk);
    return existed || !options.ifExists;
  }

  async putAll(items: Item[]): Promise<void> {
    for (const item of items) this.write(item);
  }

  async query(pk: string, options: QueryOptions = {}): Promise<Page<Item>> {
    const start = options.cursor ? decodeCursor(options.cursor, pk) : undefined;
    let items = [...(this.partitions.get(pk)?.values() ?? [])]
      .filter((item) => !options.beginsWith || item.sk.startsWith(options.beginsWith))
      .sort((a, b) => byteOrder(a.sk, b.sk));
    if (options.descending) items.reverse();
    if (start) {
      items = items.filter((item) =>
        options.descending ? byteOrder(item.sk, start.sk) < 0 : byteOrder(item.sk, start.sk) > 0,
      );
    }
    const limited = options.limit === undefined ? items : items.slice(0, options.limit);
    const last = limited.at(-1);
    const full = options.limit !== undefined && limited.length === options.limit;
    // Like DynamoDB: the filter applies after the limit, so a page can come back short.
    const visible = limited.filter((item) => passesFilters(item, options));
    return {
      items: visible.map((item) => structuredClone(item)),
      ...(full && last ? { nextCursor: encodeCursor(last) } : {}),
    };
  }

  async count(
    pk: string,
    options: Pick<QueryOptions, 'beginsWith' | 'liveAt' | 'where'> = {},
  ): Promise<number> {
    return [...(this.partitions.get(pk)?.values() ?? [])].filter(
      (item) =>
        (!options.beginsWith || item.sk.startsWith(options.beginsWith)) && passesFilters(item, options),
    ).length;
  }

  async increment(
    key: ItemKey,
    attribute: string,
    by: number,
    set: Record<string, unknown> = {},
  ): Promise<number> {
    const current = this.partitions.get(key.pk)?.get(key.sk);
    const previous = current?.[attribute];
    if (previous !== undefined && typeof previous !== 'number') {
      throw new Error(`ValidationException: ${attribute} is not a number`);
    }
    const value = (previous ?? 0) + by;
    this.write({ ...(current ?? key), ...structuredClone(set), [attribute]: value, pk: key.pk, sk: key.sk });
    return value;
  }

  /** Every stored item, for assertions. */
  all(): Item[] {
    return [...this.partitions.values()].flatMap((partition) =>
      [...partition.values()].map((item) => structuredClone(item)),
    );
  }

  private write(item: Item) {
    if (typeof item.pk !== 'string' || typeof item.sk !== 'string' || !item.pk || !item.sk) {
      throw new Error('ValidationException: an item needs non-empty string pk and sk');
    }
    let partition = this.partitions.get(item.pk);
    if (!partition) this.partitions.set(item.pk, (partition = new Map()));
    partition.set(item.sk, structuredClone(item));
  }
}

function passesFilters(item: Item, options: Pick<QueryOptions, 'liveAt' | 'where'>): boolean {
  if (options.liveAt && !(Number(item.expiresAt) > Math.floor(options.liveAt.getTime() / 1000))) return false;
  return (options.where ?? []).every((condition) => {
    const value = item[condition.attribute];
    if ('equals' in condition) return value === condition.equals;
    if ('greaterThan' in condition)
      return value !== undefined && (value as string | number) > condition.greaterThan;
    if ('lessThan' in condition)
      return value !== undefined && (value as string | number) < condition.lessThan;
    return String(value ?? '').includes(condition.contains);
  });
}
