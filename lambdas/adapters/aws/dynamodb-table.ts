import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { TTL_ATTRIBUTE, type Item, type ItemKey } from '../../core/entities/keys';
import { AppError } from '../../core/errors';
import type { DeleteOptions, Page, PutOptions, QueryOptions, Table } from '../table';

const BATCH_LIMIT = 25;
const BATCH_GET_LIMIT = 100;
const MAX_BATCH_RETRIES = 8;

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/** A cursor is only valid for the partition it was issued for. */
function decodeCursor(cursor: string | undefined, pk: string): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key?.pk === pk && typeof key?.sk === 'string') return { pk: key.pk, sk: key.sk };
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
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
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
    ExpressionAttributeValues: values,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoDbTable implements Table {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }

  async get(key: ItemKey): Promise<Item | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }),
    );
    return item as Item | undefined;
  }

  async getAll(keys: ItemKey[]): Promise<Item[]> {
    const unique = [...new Map(keys.map((key) => [`${key.pk}\u0000${key.sk}`, key])).values()];
    const found: Item[] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let requests: BatchGetCommandInput['RequestItems'] = {
        [this.tableName]: {
          Keys: unique.slice(start, start + BATCH_GET_LIMIT).map(({ pk, sk }) => ({ pk, sk })),
          ConsistentRead: true,
        },
      };
      for (let attempt = 0; requests && Object.keys(requests).length > 0; attempt++) {
        if (attempt > MAX_BATCH_RETRIES) throw new Error('DynamoDB kept keys unprocessed after retries');
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt) * Math.random());
        const result: BatchGetCommandOutput = await this.documents.send(
          new BatchGetCommand({ RequestItems: requests }),
        );
        found.push(...((result.Responses?.[this.tableName] ?? []) as Item[]));
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
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  cursorAfter(key: ItemKey): string {
    return encodeCursor({ pk: key.pk, sk: key.sk })!;
  }

  async delete(key: ItemKey, options: DeleteOptions = {}): Promise<boolean> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: key.pk, sk: key.sk },
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
    for (let start = 0; start < items.length; start += BATCH_LIMIT) {
      let requests: BatchWriteCommandInput['RequestItems'] = {
        [this.tableName]: items
          .slice(start, start + BATCH_LIMIT)
          .map((item) => ({ PutRequest: { Item: item } })),
      };
      for (let attempt = 0; requests && Object.keys(requests).length > 0; attempt++) {
        if (attempt > MAX_BATCH_RETRIES) throw new Error('DynamoDB kept items unprocessed after retries');
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt) * Math.random());
        const result: BatchWriteCommandOutput = await this.documents.send(
          new BatchWriteCommand({ RequestItems: requests }),
        );
        requests = result.UnprocessedItems;
      }
    }
  }

  async query(pk: string, options: QueryOptions = {}): Promise<Page<Item>> {
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        ...queryExpression(pk, options),
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor, pk),
        ScanIndexForward: !options.descending,
      }),
    );
    return { items: (result.Items ?? []) as Item[], nextCursor: encodeCursor(result.LastEvaluatedKey) };
  }

  async count(
    pk: string,
    options: Pick<QueryOptions, 'beginsWith' | 'liveAt' | 'where'> = {},
  ): Promise<number> {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const result: QueryCommandOutput = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ...queryExpression(pk, options),
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
    const result = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: key.pk, sk: key.sk },
        UpdateExpression: `ADD #counter :by${assignments.length ? ` SET ${assignments.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.[attribute] ?? by);
  }
}
