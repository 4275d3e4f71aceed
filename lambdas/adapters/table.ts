import type { Item, ItemKey } from '../core/entities/keys';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface QueryOptions {
  /** Sort keys starting with this prefix. */
  beginsWith?: string;
  limit?: number;
  /** The opaque `nextCursor` of the previous page. */
  cursor?: string;
  /** Newest first when sort keys start with a timestamp. */
  descending?: boolean;
  /**
   * Only items still live at this time (`expiresAt` after it). DynamoDB's TTL deletes expired
   * items up to ~48 h late, so every read of expiring data passes this.
   */
  liveAt?: Date;
  /** Further conditions on attributes (applied after `limit`, as DynamoDB filters are). */
  where?: Condition[];
}

export type Condition =
  | { attribute: string; equals: string | number | boolean }
  | { attribute: string; contains: string }
  | { attribute: string; greaterThan: string | number }
  | { attribute: string; lessThan: string | number };

export interface PutOptions {
  /** Write only if no item has this key yet. */
  ifAbsent?: boolean;
  /** Write only if the stored item lacks this attribute (a claim, e.g. "not resent yet"). */
  ifMissing?: string;
  /**
   * Compare-and-set: write only if each named attribute of the stored item still has this value;
   * `null` means the attribute is absent (so is every attribute of a missing item). Two writers
   * that read the same version cannot both win.
   */
  ifMatches?: Record<string, string | number | null>;
}

export interface GetAllOptions {
  /** Read only these attributes (and the key), so what a caller does not need never leaves the store. */
  attributes?: readonly string[];
}

export interface DeleteOptions {
  /** Delete only if the item exists: of two callers deleting the same item, exactly one gets true. */
  ifExists?: boolean;
}

/** The single-table store, as the domain needs it. */
export interface Table {
  get(key: ItemKey): Promise<Item | undefined>;
  /** Reads many items in as few requests as the store allows; missing keys are simply absent. */
  getAll(keys: ItemKey[], options?: GetAllOptions): Promise<Item[]>;
  /** Returns false, writing nothing, when a condition (`ifAbsent`, `ifMissing`, `ifMatches`) fails. */
  put(item: Item, options?: PutOptions): Promise<boolean>;
  /** Returns false when `ifExists` is set and there was no such item (a claim someone else won). */
  delete(key: ItemKey, options?: DeleteOptions): Promise<boolean>;
  /** Writes every item, in as few requests as the store allows; retries unprocessed ones. */
  putAll(items: Item[]): Promise<void>;
  query(pk: string, options?: QueryOptions): Promise<Page<Item>>;
  /** How many items a query (without limit or cursor) would return, across all its pages. */
  count(pk: string, options?: Pick<QueryOptions, 'beginsWith' | 'liveAt' | 'where'>): Promise<number>;
  /** A cursor that continues a query right after this item (for pages cut short on purpose). */
  cursorAfter(key: ItemKey): string;
  /** Atomically adds `by` to a number attribute (creating the item) and returns the new value. */
  increment(key: ItemKey, attribute: string, by: number, set?: Record<string, unknown>): Promise<number>;
}
