import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type BatchWriteItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbTable } from '../../lambdas/adapters/aws/dynamodb-table';
import type { Item } from '../../lambdas/core/entities/keys';
import { AppError } from '../../lambdas/core/errors';

const TABLE = 'xtramail-test';
const dynamodb = mockClient(DynamoDBClient);
const newTable = () => new DynamoDbTable(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));

/** What the adapter sent, read back as plain values (the wire format is DynamoDB's typed JSON). */
const plain = (attributes: Record<string, AttributeValue> | undefined) =>
  attributes ? unmarshall(attributes) : undefined;
const stored = (item: Record<string, unknown>) => marshall(item);

const items = (count: number): Item[] =>
  Array.from({ length: count }, (_, i) => ({ pk: 'P', sk: `S#${i}`, n: i }));
type Request = NonNullable<BatchWriteItemCommandInput['RequestItems']>[string];
const batchCalls = () => dynamodb.commandCalls(BatchWriteItemCommand).map((call) => call.args[0].input);
const requestedItems = (request: Request | undefined) =>
  (request ?? []).map((r) => plain(r.PutRequest?.Item) as Item);
const onlyCall = <T>(calls: { args: [{ input: T }] }[]) => {
  expect(calls).toHaveLength(1);
  return calls[0].args[0].input;
};

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

beforeEach(() => dynamodb.reset());

describe('DynamoDbTable.putAll', () => {
  test('writes nothing for no items', async () => {
    await newTable().putAll([]);
    expect(batchCalls()).toHaveLength(0);
  });

  test('splits more than 25 items into batches of 25, in order', async () => {
    dynamodb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
    const all = items(60);
    await newTable().putAll(all);

    const calls = batchCalls();
    expect(calls.map((input) => input.RequestItems?.[TABLE]?.length)).toEqual([25, 25, 10]);
    expect(calls.flatMap((input) => requestedItems(input.RequestItems?.[TABLE]))).toEqual(all);
    expect(calls.every((input) => Object.keys(input.RequestItems ?? {}).length === 1)).toBe(true);
  });

  test('names each key once in a batch (DynamoDB refuses repeats): the later item wins', async () => {
    dynamodb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
    const [a, b] = items(2);
    await newTable().putAll([a, b, { ...a, note: 'later' }]);

    const written = batchCalls().flatMap((input) => requestedItems(input.RequestItems?.[TABLE]));
    expect(written).toEqual([{ ...a, note: 'later' }, b]);
  });

  test('retries UnprocessedItems until none are left, and every item is written exactly once', async () => {
    // A store that only manages 10 writes per request and hands the rest back.
    const written: Item[] = [];
    dynamodb.on(BatchWriteItemCommand).callsFake((input: BatchWriteItemCommandInput) => {
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
    dynamodb
      .on(BatchWriteItemCommand)
      .callsFake((input: BatchWriteItemCommandInput) => ({ UnprocessedItems: input.RequestItems }));
    await expect(withFakeTimers(() => newTable().putAll(items(3)))).rejects.toThrow(/unprocessed/i);
    const attempts = batchCalls().length;
    expect(attempts).toBeGreaterThan(2);
    expect(attempts).toBeLessThanOrEqual(10);
  });

  test('a throttling error from the batch request propagates', async () => {
    dynamodb
      .on(BatchWriteItemCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(newTable().putAll(items(2))).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
  });
});

describe('DynamoDbTable.getAll', () => {
  const keyOf = (item: Item) => ({ pk: item.pk, sk: item.sk });
  const getCalls = () => dynamodb.commandCalls(BatchGetItemCommand).map((call) => call.args[0].input);
  const requestedKeys = (input: BatchGetItemCommandInput) =>
    (input.RequestItems?.[TABLE]?.Keys ?? []).map((key) => plain(key));

  test('reads each distinct key once, consistently, in batches of 100', async () => {
    const all = items(150);
    dynamodb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => ({
      Responses: { [TABLE]: requestedKeys(input).map((key) => stored(all[Number(key!.sk.slice(2))])) },
    }));
    const keys = [...all.map(keyOf), keyOf(all[0]), keyOf(all[149])];

    const found = await newTable().getAll(keys);

    expect(found).toHaveLength(150);
    expect(found).toEqual(expect.arrayContaining(all));
    const calls = getCalls();
    expect(calls.map((input) => input.RequestItems?.[TABLE]?.Keys?.length)).toEqual([100, 50]);
    expect(calls.every((input) => input.RequestItems?.[TABLE]?.ConsistentRead === true)).toBe(true);
  });

  test('with attributes, asks for only those and the key, each through a placeholder', async () => {
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });

    await newTable().getAll([{ pk: 'P', sk: 'S' }], { attributes: ['type', 'name', 'sk'] });

    const request = getCalls()[0].RequestItems?.[TABLE];
    expect(request?.ProjectionExpression).toBe('#p0, #p1, #p2, #p3');
    expect(request?.ExpressionAttributeNames).toEqual({
      '#p0': 'pk',
      '#p1': 'sk',
      '#p2': 'type',
      '#p3': 'name',
    });
    expect(getCalls()[0].RequestItems?.[TABLE]?.ConsistentRead).toBe(true);
  });

  test('retries UnprocessedKeys until none are left; missing keys are simply absent', async () => {
    const all = items(5);
    dynamodb
      .on(BatchGetItemCommand)
      .callsFakeOnce((input: BatchGetItemCommandInput) => {
        const keys = input.RequestItems![TABLE].Keys!;
        return {
          Responses: { [TABLE]: [stored(all[0])] },
          UnprocessedKeys: { [TABLE]: { Keys: keys.slice(1), ConsistentRead: true } },
        };
      })
      .callsFake((input: BatchGetItemCommandInput) => ({
        // The retry finds everything but the key that has no item.
        Responses: {
          [TABLE]: requestedKeys(input)
            .filter((key) => key!.sk !== 'S#missing')
            .map((key) => stored(all[Number(key!.sk.slice(2))])),
        },
      }));

    const found = await withFakeTimers(() =>
      newTable().getAll([...all.map(keyOf), { pk: 'P', sk: 'S#missing' }]),
    );

    expect(found).toEqual(all);
    const calls = getCalls();
    expect(calls.map((input) => input.RequestItems?.[TABLE]?.Keys?.length)).toEqual([6, 5]);
    expect(requestedKeys(calls[1])).toEqual([...all.slice(1).map(keyOf), { pk: 'P', sk: 'S#missing' }]);
  });

  test('gives up with an error when keys stay unprocessed', async () => {
    dynamodb
      .on(BatchGetItemCommand)
      .callsFake((input: BatchGetItemCommandInput) => ({ UnprocessedKeys: input.RequestItems }));
    await expect(withFakeTimers(() => newTable().getAll([{ pk: 'P', sk: 'S' }]))).rejects.toThrow(
      /unprocessed/i,
    );
    expect(getCalls().length).toBeGreaterThan(2);
    expect(getCalls().length).toBeLessThanOrEqual(10);
  });
});

describe('DynamoDbTable.put', () => {
  const item = { pk: 'ADMIN#a@example.com', sk: 'ADMIN', role: 'partner' };

  test('a plain put writes the item unconditionally and returns true', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    await expect(newTable().put(item)).resolves.toBe(true);
    expect(onlyCall(dynamodb.commandCalls(PutItemCommand))).toEqual({
      TableName: TABLE,
      Item: { pk: { S: item.pk }, sk: { S: item.sk }, role: { S: 'partner' } },
    });
  });

  test('bytes stay binary, nested objects become maps and undefined attributes are dropped', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    const body = new Uint8Array([0, 1, 2, 255]);
    await newTable().put({
      pk: 'MSG#1',
      sk: 'BODY',
      body,
      size: 4,
      verdicts: { spam: 'PASS', score: undefined },
      to: ['a@example.com'],
      expiresAt: undefined,
    });
    const sent = onlyCall(dynamodb.commandCalls(PutItemCommand)).Item!;
    expect(sent.body).toEqual({ B: body });
    expect(sent.size).toEqual({ N: '4' });
    expect(sent.verdicts).toEqual({ M: { spam: { S: 'PASS' } } });
    expect(sent.to).toEqual({ L: [{ S: 'a@example.com' }] });
    expect(sent).not.toHaveProperty('expiresAt');
  });

  test('a class instance (e.g. a Date) is refused rather than stored as a map', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    await expect(newTable().put({ pk: 'P', sk: 'S', at: new Date(0) })).rejects.toThrow(
      /convertClassInstanceToMap/,
    );
    expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  test('ifAbsent adds a condition on the key and returns false when it fails', async () => {
    dynamodb
      .on(PutItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    await expect(newTable().put(item, { ifAbsent: true })).resolves.toBe(false);
    expect(onlyCall(dynamodb.commandCalls(PutItemCommand)).ConditionExpression).toBe(
      'attribute_not_exists(pk)',
    );
  });

  test('ifAbsent returns true when the item was new', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    await expect(newTable().put(item, { ifAbsent: true })).resolves.toBe(true);
  });

  test('ifMissing requires the item and the absence of the claim attribute', async () => {
    dynamodb
      .on(PutItemCommand)
      .resolvesOnce({})
      .rejectsOnce(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    const table = newTable();
    await expect(table.put(item, { ifMissing: 'resentAt' })).resolves.toBe(true);
    await expect(table.put(item, { ifMissing: 'resentAt' })).resolves.toBe(false);
    const [first] = dynamodb.commandCalls(PutItemCommand).map((call) => call.args[0].input);
    expect(first).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#claim)',
      ExpressionAttributeNames: { '#claim': 'resentAt' },
    });
    expect(first.ExpressionAttributeValues).toBeUndefined();
  });

  test.each([{}, { ifAbsent: true }])('a throttling error propagates (options %j)', async (options) => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    dynamodb.on(PutItemCommand).rejects(throttled);
    await expect(newTable().put(item, options)).rejects.toBe(throttled);
  });
});

describe('DynamoDbTable.delete', () => {
  const key = { pk: 'HOLD#example.com', sk: '2025-01-06T12:00:00.000Z#abc' };

  test('a plain delete is unconditional and returns true', async () => {
    dynamodb.on(DeleteItemCommand).resolves({});
    await expect(newTable().delete(key)).resolves.toBe(true);
    expect(onlyCall(dynamodb.commandCalls(DeleteItemCommand))).toEqual({
      TableName: TABLE,
      Key: { pk: { S: key.pk }, sk: { S: key.sk } },
    });
  });

  test('ifExists claims the item: false when someone else deleted it first', async () => {
    dynamodb
      .on(DeleteItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    await expect(newTable().delete(key, { ifExists: true })).resolves.toBe(false);
    expect(onlyCall(dynamodb.commandCalls(DeleteItemCommand)).ConditionExpression).toBe(
      'attribute_exists(pk)',
    );
  });
});

describe('DynamoDbTable.query', () => {
  test('queries one partition with a prefix, limit and direction, and pages with an opaque cursor', async () => {
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [stored({ pk: 'MBX#a', sk: 'INBOX#2' })],
        LastEvaluatedKey: stored({ pk: 'MBX#a', sk: 'INBOX#2' }),
      })
      .resolvesOnce({ Items: [stored({ pk: 'MBX#a', sk: 'INBOX#1' })] });
    const table = newTable();

    const first = await table.query('MBX#a', { beginsWith: 'INBOX#', limit: 1, descending: true });
    expect(first.items).toEqual([{ pk: 'MBX#a', sk: 'INBOX#2' }]);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.nextCursor).not.toContain('INBOX');
    // The same cursor as cursorAfter for that item: a page cut short continues the same way.
    expect(first.nextCursor).toBe(table.cursorAfter({ pk: 'MBX#a', sk: 'INBOX#2' }));

    const second = await table.query('MBX#a', {
      beginsWith: 'INBOX#',
      limit: 1,
      descending: true,
      cursor: first.nextCursor,
    });
    expect(second).toEqual({ items: [{ pk: 'MBX#a', sk: 'INBOX#1' }], nextCursor: undefined });

    const [call1, call2] = dynamodb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(call1).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      Limit: 1,
      ScanIndexForward: false,
    });
    expect(plain(call1.ExpressionAttributeValues)).toEqual({ ':pk': 'MBX#a', ':prefix': 'INBOX#' });
    expect(call1.ExclusiveStartKey).toBeUndefined();
    expect(plain(call2.ExclusiveStartKey)).toEqual({ pk: 'MBX#a', sk: 'INBOX#2' });
  });

  test('a cursor issued before this adapter used the low-level client still continues the list', async () => {
    // The document client's cursors were base64url JSON of the plain key; saved links keep working.
    dynamodb.on(QueryCommand).resolves({});
    const legacy = Buffer.from(JSON.stringify({ pk: 'MBX#a', sk: 'INBOX#7' })).toString('base64url');
    await newTable().query('MBX#a', { cursor: legacy });
    expect(onlyCall(dynamodb.commandCalls(QueryCommand)).ExclusiveStartKey).toEqual({
      pk: { S: 'MBX#a' },
      sk: { S: 'INBOX#7' },
    });
  });

  test('without a prefix it matches the whole partition, oldest first', async () => {
    dynamodb.on(QueryCommand).resolves({});
    await expect(newTable().query('LOG#example.com#2025-01-06')).resolves.toEqual({
      items: [],
      nextCursor: undefined,
    });
    const input = onlyCall(dynamodb.commandCalls(QueryCommand));
    expect(input).toMatchObject({ KeyConditionExpression: 'pk = :pk', ScanIndexForward: true });
    expect(input.ExpressionAttributeValues).toEqual({ ':pk': { S: 'LOG#example.com#2025-01-06' } });
    expect(input.FilterExpression).toBeUndefined();
    expect(input.ExpressionAttributeNames).toBeUndefined();
  });

  test('liveAt and where become a filter with typed placeholders; stored values come back plain', async () => {
    const body = new Uint8Array([1, 2, 3]);
    dynamodb.on(QueryCommand).resolves({
      Items: [stored({ pk: 'P', sk: 'S', n: 2, flag: true, body, tags: new Set(['a']) })],
    });
    const page = await newTable().query('P', {
      liveAt: new Date('2025-01-06T00:00:10.900Z'),
      where: [
        { attribute: 'type', equals: 'message' },
        { attribute: 'read', equals: false },
        { attribute: 'size', greaterThan: 10 },
        { attribute: 'at', lessThan: '2025' },
        { attribute: 'subject', contains: 'hello' },
      ],
    });

    expect(page.items).toEqual([{ pk: 'P', sk: 'S', n: 2, flag: true, body, tags: new Set(['a']) }]);
    expect(page.items[0].body).toBeInstanceOf(Uint8Array);
    const input = onlyCall(dynamodb.commandCalls(QueryCommand));
    expect(input.FilterExpression).toBe(
      '#ttl > :now AND #w0 = :w0 AND #w1 = :w1 AND #w2 > :w2 AND #w3 < :w3 AND contains(#w4, :w4)',
    );
    expect(input.ExpressionAttributeNames).toEqual({
      '#ttl': 'expiresAt',
      '#w0': 'type',
      '#w1': 'read',
      '#w2': 'size',
      '#w3': 'at',
      '#w4': 'subject',
    });
    expect(input.ExpressionAttributeValues).toEqual({
      ':pk': { S: 'P' },
      ':now': { N: String(Math.floor(Date.parse('2025-01-06T00:00:10.900Z') / 1000)) },
      ':w0': { S: 'message' },
      ':w1': { BOOL: false },
      ':w2': { N: '10' },
      ':w3': { S: '2025' },
      ':w4': { S: 'hello' },
    });
  });

  test.each([
    'not-a-cursor!',
    Buffer.from('{"pk":"MBX#a"}').toString('base64url'),
    Buffer.from('null').toString('base64url'),
    Buffer.from('{"pk":1,"sk":2}').toString('base64url'),
    // A well-formed cursor issued for another partition (another user's mailbox).
    Buffer.from('{"pk":"MBX#b","sk":"INBOX#1"}').toString('base64url'),
  ])('an invalid cursor %j is a 400 invalid_cursor, and nothing is queried', async (cursor) => {
    dynamodb.on(QueryCommand).resolves({});
    const error = await newTable()
      .query('MBX#a', { cursor })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_cursor' });
    expect(dynamodb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});

describe('DynamoDbTable.count', () => {
  test('adds up the counts of every page, with the same conditions and no limit', async () => {
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Count: 3, LastEvaluatedKey: stored({ pk: 'P', sk: 'S#3' }) })
      .resolvesOnce({ Count: 2 });
    await expect(
      newTable().count('P', { beginsWith: 'S#', where: [{ attribute: 'read', equals: false }] }),
    ).resolves.toBe(5);

    const [first, second] = dynamodb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(first).toMatchObject({
      Select: 'COUNT',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: '#w0 = :w0',
    });
    expect(first.Limit).toBeUndefined();
    expect(first.ExclusiveStartKey).toBeUndefined();
    expect(plain(second.ExclusiveStartKey)).toEqual({ pk: 'P', sk: 'S#3' });
    expect(dynamodb.commandCalls(QueryCommand)).toHaveLength(2);
  });
});

describe('DynamoDbTable.get and increment', () => {
  test('get reads consistently and returns undefined when the item is missing', async () => {
    const body = new Uint8Array([7, 8]);
    dynamodb
      .on(GetItemCommand)
      .resolvesOnce({ Item: stored({ pk: 'P', sk: 'S', v: 1, body }) })
      .resolvesOnce({});
    const table = newTable();
    await expect(table.get({ pk: 'P', sk: 'S' })).resolves.toEqual({ pk: 'P', sk: 'S', v: 1, body });
    await expect(table.get({ pk: 'P', sk: 'missing' })).resolves.toBeUndefined();
    expect(dynamodb.commandCalls(GetItemCommand)[0].args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'P' }, sk: { S: 'S' } },
      ConsistentRead: true,
    });
  });

  test('increment adds atomically, sets the extra attributes and returns the new value', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: stored({ failures: 3, expiresAt: 100 }) });
    await expect(newTable().increment({ pk: 'P', sk: 'W' }, 'failures', 1, { expiresAt: 100 })).resolves.toBe(
      3,
    );
    const input = onlyCall(dynamodb.commandCalls(UpdateItemCommand));
    expect(input).toMatchObject({
      Key: { pk: { S: 'P' }, sk: { S: 'W' } },
      UpdateExpression: 'ADD #counter :by SET #s0 = :s0',
      ExpressionAttributeNames: { '#counter': 'failures', '#s0': 'expiresAt' },
      ExpressionAttributeValues: { ':by': { N: '1' }, ':s0': { N: '100' } },
      ReturnValues: 'UPDATED_NEW',
    });
  });

  test('increment without extra attributes only adds', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: stored({ hits: 1 }) });
    await expect(newTable().increment({ pk: 'P', sk: 'C' }, 'hits', 1)).resolves.toBe(1);
    const input = onlyCall(dynamodb.commandCalls(UpdateItemCommand));
    expect(input.UpdateExpression).toBe('ADD #counter :by');
    expect(input.ExpressionAttributeValues).toEqual({ ':by': { N: '1' } });
  });
});
