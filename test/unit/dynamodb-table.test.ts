import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type BatchWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbTable } from '../../lambdas/adapters/aws/dynamodb-table';
import type { Item } from '../../lambdas/core/entities/keys';
import { AppError } from '../../lambdas/core/errors';

const TABLE = 'xtramail-test';
const documents = mockClient(DynamoDBDocumentClient);
const newTable = () => new DynamoDbTable(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));

const items = (count: number): Item[] =>
  Array.from({ length: count }, (_, i) => ({ pk: 'P', sk: `S#${i}`, n: i }));
type Request = NonNullable<BatchWriteCommandInput['RequestItems']>[string];
const batchCalls = () => documents.commandCalls(BatchWriteCommand).map((call) => call.args[0].input);
const requestedItems = (request: Request | undefined) =>
  (request ?? []).map((r) => r.PutRequest?.Item as Item);

/** Runs `work` while fake timers let the adapter's backoff sleeps pass instantly. */
async function withFakeTimers<T>(work: () => Promise<T>): Promise<T> {
  jest.useFakeTimers();
  try {
    const outcome = work().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await jest.runAllTimersAsync();
    const settled = await outcome;
    if ('error' in settled) throw settled.error;
    return settled.value;
  } finally {
    jest.useRealTimers();
  }
}

beforeEach(() => documents.reset());

describe('DynamoDbTable.putAll', () => {
  test('writes nothing for no items', async () => {
    await newTable().putAll([]);
    expect(batchCalls()).toHaveLength(0);
  });

  test('splits more than 25 items into batches of 25, in order', async () => {
    documents.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    const all = items(60);
    await newTable().putAll(all);

    const calls = batchCalls();
    expect(calls.map((input) => input.RequestItems?.[TABLE]?.length)).toEqual([25, 25, 10]);
    expect(calls.flatMap((input) => requestedItems(input.RequestItems?.[TABLE]))).toEqual(all);
    expect(calls.every((input) => Object.keys(input.RequestItems ?? {}).length === 1)).toBe(true);
  });

  test('retries UnprocessedItems until none are left, and every item is written exactly once', async () => {
    // A store that only manages 10 writes per request and hands the rest back.
    const written: Item[] = [];
    documents.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => {
      const request = input.RequestItems![TABLE];
      written.push(...requestedItems(request.slice(0, 10)));
      const rest = request.slice(10);
      return { UnprocessedItems: rest.length ? { [TABLE]: rest } : {} };
    });
    const all = items(30);
    await withFakeTimers(() => newTable().putAll(all));

    const calls = batchCalls();
    // First batch of 25: 10 + 10 + 5; second batch of 5: one request.
    expect(calls.map((input) => input.RequestItems?.[TABLE]?.length)).toEqual([25, 15, 5, 5]);
    expect(requestedItems(calls[1].RequestItems?.[TABLE])).toEqual(all.slice(10, 25));
    expect(written).toHaveLength(all.length);
    expect(new Set(written.map((item) => item.sk))).toEqual(new Set(all.map((item) => item.sk)));
  });

  test('gives up with an error when items stay unprocessed', async () => {
    documents
      .on(BatchWriteCommand)
      .callsFake((input: BatchWriteCommandInput) => ({ UnprocessedItems: input.RequestItems }));
    await expect(withFakeTimers(() => newTable().putAll(items(3)))).rejects.toThrow(/unprocessed/i);
    const attempts = batchCalls().length;
    expect(attempts).toBeGreaterThan(2);
    expect(attempts).toBeLessThanOrEqual(10);
  });

  test('a throttling error from the batch request propagates', async () => {
    documents
      .on(BatchWriteCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(newTable().putAll(items(2))).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
  });
});

describe('DynamoDbTable.put', () => {
  const item = { pk: 'ADMIN#a@example.com', sk: 'ADMIN', role: 'partner' };

  test('a plain put writes the item unconditionally and returns true', async () => {
    documents.on(PutCommand).resolves({});
    await expect(newTable().put(item)).resolves.toBe(true);
    const [call] = documents.commandCalls(PutCommand);
    expect(call.args[0].input).toEqual({ TableName: TABLE, Item: item });
  });

  test('ifAbsent adds a condition on the key and returns false when it fails', async () => {
    documents
      .on(PutCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    await expect(newTable().put(item, { ifAbsent: true })).resolves.toBe(false);
    const [call] = documents.commandCalls(PutCommand);
    expect(call.args[0].input.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  test('ifAbsent returns true when the item was new', async () => {
    documents.on(PutCommand).resolves({});
    await expect(newTable().put(item, { ifAbsent: true })).resolves.toBe(true);
  });

  test.each([{}, { ifAbsent: true }])('a throttling error propagates (options %j)', async (options) => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    documents.on(PutCommand).rejects(throttled);
    await expect(newTable().put(item, options)).rejects.toBe(throttled);
  });
});

describe('DynamoDbTable.delete', () => {
  const key = { pk: 'HOLD#example.com', sk: '2025-01-06T12:00:00.000Z#abc' };

  test('a plain delete is unconditional and returns true', async () => {
    documents.on(DeleteCommand).resolves({});
    await expect(newTable().delete(key)).resolves.toBe(true);
    const [call] = documents.commandCalls(DeleteCommand);
    expect(call.args[0].input).toEqual({ TableName: TABLE, Key: key });
  });

  test('ifExists claims the item: false when someone else deleted it first', async () => {
    documents
      .on(DeleteCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    await expect(newTable().delete(key, { ifExists: true })).resolves.toBe(false);
    const [call] = documents.commandCalls(DeleteCommand);
    expect(call.args[0].input.ConditionExpression).toBe('attribute_exists(pk)');
  });
});

describe('DynamoDbTable.query', () => {
  test('queries one partition with a prefix, limit and direction, and pages with an opaque cursor', async () => {
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ pk: 'MBX#a', sk: 'INBOX#2' }],
        LastEvaluatedKey: { pk: 'MBX#a', sk: 'INBOX#2' },
      })
      .resolvesOnce({ Items: [{ pk: 'MBX#a', sk: 'INBOX#1' }] });
    const table = newTable();

    const first = await table.query('MBX#a', { beginsWith: 'INBOX#', limit: 1, descending: true });
    expect(first.items).toEqual([{ pk: 'MBX#a', sk: 'INBOX#2' }]);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.nextCursor).not.toContain('INBOX');

    const second = await table.query('MBX#a', {
      beginsWith: 'INBOX#',
      limit: 1,
      descending: true,
      cursor: first.nextCursor,
    });
    expect(second).toEqual({ items: [{ pk: 'MBX#a', sk: 'INBOX#1' }], nextCursor: undefined });

    const [call1, call2] = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(call1).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'MBX#a', ':prefix': 'INBOX#' },
      Limit: 1,
      ScanIndexForward: false,
    });
    expect(call1.ExclusiveStartKey).toBeUndefined();
    expect(call2.ExclusiveStartKey).toEqual({ pk: 'MBX#a', sk: 'INBOX#2' });
  });

  test('without a prefix it matches the whole partition, oldest first', async () => {
    documents.on(QueryCommand).resolves({});
    await expect(newTable().query('LOG#example.com#2025-01-06')).resolves.toEqual({
      items: [],
      nextCursor: undefined,
    });
    const [call] = documents.commandCalls(QueryCommand);
    expect(call.args[0].input).toMatchObject({ KeyConditionExpression: 'pk = :pk', ScanIndexForward: true });
    expect(call.args[0].input.ExpressionAttributeValues).toEqual({ ':pk': 'LOG#example.com#2025-01-06' });
  });

  test.each([
    'not-a-cursor!',
    Buffer.from('{"pk":"MBX#a"}').toString('base64url'),
    Buffer.from('null').toString('base64url'),
    Buffer.from('{"pk":1,"sk":2}').toString('base64url'),
    // A well-formed cursor issued for another partition (another user's mailbox).
    Buffer.from('{"pk":"MBX#b","sk":"INBOX#1"}').toString('base64url'),
  ])('an invalid cursor %j is a 400 invalid_cursor, and nothing is queried', async (cursor) => {
    documents.on(QueryCommand).resolves({});
    const error = await newTable()
      .query('MBX#a', { cursor })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_cursor' });
    expect(documents.commandCalls(QueryCommand)).toHaveLength(0);
  });
});

describe('DynamoDbTable.get and increment', () => {
  test('get reads consistently and returns undefined when the item is missing', async () => {
    documents
      .on(GetCommand)
      .resolvesOnce({ Item: { pk: 'P', sk: 'S', v: 1 } })
      .resolvesOnce({});
    const table = newTable();
    await expect(table.get({ pk: 'P', sk: 'S' })).resolves.toEqual({ pk: 'P', sk: 'S', v: 1 });
    await expect(table.get({ pk: 'P', sk: 'missing' })).resolves.toBeUndefined();
    expect(documents.commandCalls(GetCommand)[0].args[0].input).toMatchObject({ ConsistentRead: true });
  });

  test('increment adds atomically, sets the extra attributes and returns the new value', async () => {
    documents.on(UpdateCommand).resolves({ Attributes: { failures: 3, expiresAt: 100 } });
    await expect(newTable().increment({ pk: 'P', sk: 'W' }, 'failures', 1, { expiresAt: 100 })).resolves.toBe(
      3,
    );
    const [call] = documents.commandCalls(UpdateCommand);
    expect(call.args[0].input).toMatchObject({
      Key: { pk: 'P', sk: 'W' },
      UpdateExpression: 'ADD #counter :by SET #s0 = :s0',
      ExpressionAttributeNames: { '#counter': 'failures', '#s0': 'expiresAt' },
      ExpressionAttributeValues: { ':by': 1, ':s0': 100 },
      ReturnValues: 'UPDATED_NEW',
    });
  });
});
