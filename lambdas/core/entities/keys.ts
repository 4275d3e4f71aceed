/**
 * The single table's attribute names. The CDK Storage construct and the local runtime create
 * the table from these, so the schema lives in one place.
 */
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
export const TTL_ATTRIBUTE = 'expiresAt';

export interface ItemKey {
  pk: string;
  sk: string;
}

/** A stored item: its key plus plain attributes. */
export type Item = ItemKey & Record<string, unknown>;
