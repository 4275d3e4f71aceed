import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
  type BatchWriteItemCommandInput,
  type BatchWriteItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall, type marshallOptions } from '@aws-sdk/util-dynamodb';
import { TTL_ATTRIBUTE, type Item, type ItemKey } from '../../core/entities/keys';
import { AppError } from '../../core/errors';
import type { DeleteOptions, GetAllOptions, Page, PutOptions, QueryOptions, Table } from '../table';

const BATCH_LIMIT = 25;
const BATCH_GET_LIMIT = 100;
const MAX_BATCH_RETRIES = 8;

/**
 * The low-level client with marshall/unmarshall rather than DynamoDBDocumentClient: the document
 * client refuses a client with `cacheMiddleware`, and per request the two together cost about a
 * quarter less CPU (1.37 -> 1.03 ms for a BatchGetItem plus a BatchWriteItem). The options are the
 * document client's as we configured it: undefined attributes are dropped, only plain objects
 * become maps, and Uint8Array values (message bodies) stay binary.
 */
const MARSHALL_OPTIONS: marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: false };

type Attributes = Record<string, AttributeValue>;
const toAttributes = (value: Record<string, unknown>): Attributes => marshall(value, MARSHALL_OPTIONS);
const fromAttributes = (attributes: Attributes) => unmarshall(attributes) as Item;
const keyAttributes = (key: ItemKey): Attributes => ({ pk: { S: key.pk }, sk: { S: key.sk } });

const encodeCursor = (key: Attributes | undefined) =>
  key ? Buffer.from(JSON.stringify(unmarshall(key))).toString('base64url') : undefined;

/** A cursor is only valid for the partition it was issued for. */
function decodeCursor(cursor: string | undefined, pk: string): Attributes | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key?.pk === pk && typeof key?.sk === 'string') return keyAttributes({ pk: key.pk, sk: key.sk });
  } catch {
    // fall through: a cursor we did not issue
  }
  throw new AppError(
    400,
    'invalid_cursor',
    'The cursor is not valid for this list. Start again from the first page.',
  );
}

/** `ifMatches` as a condition: `#m0 = :m0 AND attribute_not_exists(#m1) …`. */
function matchCondition(matches: Record<string, string | number | null>) {
  const names: Record<string, string> = {};
  const values: Record<string, string | number> = {};
  const terms = Object.entries(matches).map(([attribute, value], i) => {
    names[`#m${i}`] = attribute;
    if (value === null) return `attribute_not_exists(#m${i})`;
    values[`:m${i}`] = value;
    return `#m${i} = :m${i}`;
  });
  return {
    ConditionExpression: terms.join(' AND '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: toAttributes(values) } : {}),
  };
}

/** The key condition, filter and placeholders of a query, shared by `query` and `count`. */
function queryExpression(pk: string, options: Pick<QueryOptions, 'beginsWith' | 'liveAt' | 'where'>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': pk };
  const filters: string[] = [];
  if (options.beginsWith) values[':prefix'] = options.beginsWith;
  if (options.liveAt) {
    names['#ttl'] = TTL_ATTRIBUTE;
    values[':now'] = Math.floor(options.liveAt.getTime() / 1000);
    filters.push('#ttl > :now');
  }
  (options.where ?? []).forEach((condition, i) => {
    names[`#w${i}`] = condition.attribute;
    if ('equals' in condition) {
      values[`:w${i}`] = condition.equals;
      filters.push(`#w${i} = :w${i}`);
    } else if ('greaterThan' in condition) {
      values[`:w${i}`] = condition.greaterThan;
      filters.push(`#w${i} > :w${i}`);
    } else if ('lessThan' in condition) {
      values[`:w${i}`] = condition.lessThan;
      filters.push(`#w${i} < :w${i}`);
    } else {
      values[`:w${i}`] = condition.contains;
      filters.push(`contains(#w${i}, :w${i})`);
    }
  });
  return {
    KeyConditionExpression: options.beginsWith ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
    ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: toAttributes(values),
  };
}

/** Every name goes through a placeholder: attribute names such as `name` and `type` are reserved words. */
function projectionOf(attributes: string[]) {
  const names = [...new Set(attributes)];
  return {
    ProjectionExpression: names.map((_, i) => `#p${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#p${i}`, name])),
  };
}

/** Each key once, the later entry winning: a batch naming one key twice is refused whole. */
const distinctKeys = <T extends ItemKey>(entries: T[]): T[] => [
  ...new Map(entries.map((entry) => [`${entry.pk}\u0000${entry.sk}`, entry])).values(),
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoDbTable implements Table {
  constructor(
    private readonly tableName: string,
    // The resolved middleware stack is cached per command class: the SDK's largest per-request cost.
    private readonly client: DynamoDBClient = new DynamoDBClient({ cacheMiddleware: true }),
  ) {}

  async get(key: ItemKey): Promise<Item | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyAttributes(key), ConsistentRead: true }),
    );
    return item ? fromAttributes(item) : undefined;
  }

  async getAll(keys: ItemKey[], options: GetAllOptions = {}): Promise<Item[]> {
    const unique = distinctKeys(keys);
    const found: Item[] = [];
    const projection = options.attributes && projectionOf(['pk', 'sk', ...options.attributes]);
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let requests: BatchGetItemCommandInput['RequestItems'] = {
        [this.tableName]: {
          Keys: unique.slice(start, start + BATCH_GET_LIMIT).map(keyAttributes),
          ConsistentRead: true,
          ...projection,
        },
      };
      for (let attempt = 0; requests && Object.keys(requests).length > 0; attempt++) {
        if (attempt > MAX_BATCH_RETRIES) throw new Error('DynamoDB kept keys unprocessed after retries');
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt) * Math.random());
        const result: BatchGetItemCommandOutput = await this.client.send(
          new BatchGetItemCommand({ RequestItems: requests }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) found.push(fromAttributes(item));
        requests = result.UnprocessedKeys;
      }
    }
    return found;
  }

  async put(item: Item, options: PutOptions = {}): Promise<boolean> {
    const condition = options.ifAbsent
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : options.ifMissing
        ? {
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#claim)',
            ExpressionAttributeNames: { '#claim': options.ifMissing },
          }
        : options.ifMatches
          ? matchCondition(options.ifMatches)
          : {};
    try {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: toAttributes(item), ...condition }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  cursorAfter(key: ItemKey): string {
    return encodeCursor(keyAttributes(key))!;
  }

  async delete(key: ItemKey, options: DeleteOptions = {}): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyAttributes(key),
          ...(options.ifExists ? { ConditionExpression: 'attribute_exists(pk)' } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async putAll(items: Item[]): Promise<void> {
    // The later item wins, as with puts in turn.
    const distinct = distinctKeys(items);
    for (let start = 0; start < distinct.length; start += BATCH_LIMIT) {
      let requests: BatchWriteItemCommandInput['RequestItems'] = {
        [this.tableName]: distinct
          .slice(start, start + BATCH_LIMIT)
          .map((item) => ({ PutRequest: { Item: toAttributes(item) } })),
      };
      for (let attempt = 0; requests && Object.keys(requests).length > 0; attempt++) {
        if (attempt > MAX_BATCH_RETRIES) throw new Error('DynamoDB kept items unprocessed after retries');
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt) * Math.random());
        const result: BatchWriteItemCommandOutput = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: requests }),
        );
        requests = result.UnprocessedItems;
      }
    }
  }

  async query(pk: string, options: QueryOptions = {}): Promise<Page<Item>> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        ...queryExpression(pk, options),
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor, pk),
        ScanIndexForward: !options.descending,
      }),
    );
    return {
      items: (result.Items ?? []).map(fromAttributes),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  }

  async count(
    pk: string,
    options: Pick<QueryOptions, 'beginsWith' | 'liveAt' | 'where'> = {},
  ): Promise<number> {
    const expression = queryExpression(pk, options);
    let total = 0;
    let start: Attributes | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          ...expression,
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      total += result.Count ?? 0;
      start = result.LastEvaluatedKey;
    } while (start);
    return total;
  }

  async increment(
    key: ItemKey,
    attribute: string,
    by: number,
    set: Record<string, unknown> = {},
  ): Promise<number> {
    const names: Record<string, string> = { '#counter': attribute };
    const values: Record<string, unknown> = { ':by': by };
    const assignments = Object.entries(set).map(([name, value], index) => {
      names[`#s${index}`] = name;
      values[`:s${index}`] = value;
      return `#s${index} = :s${index}`;
    });
    const result = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: keyAttributes(key),
        UpdateExpression: `ADD #counter :by${assignments.length ? ` SET ${assignments.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: toAttributes(values),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const updated = result.Attributes ? unmarshall(result.Attributes) : {};
    return Number(updated[attribute] ?? by);
  }
}
