import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbTable } from '../../lambdas/adapters/aws/dynamodb-table';
import type { Table } from '../../lambdas/adapters/table';
import { adminDirectoryItem } from '../../lambdas/core/admins/admins';
import { adminToItem } from '../../lambdas/core/entities/admin';
import type { ItemKey } from '../../lambdas/core/entities/keys';
import { refreshStatus, type DeliverDeps } from '../../lambdas/core/mail-flow/deliver-message';
import type { MailFlowSettings } from '../../lambdas/core/mail-flow/settings';
import {
  attemptToItem,
  flowPartition,
  storedStatusKey,
  storedStatusToItem,
} from '../../lambdas/core/mail-flow/status';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

const D = 'race.test';
const SETTINGS: MailFlowSettings = { inbound: 'deliver', goodThreshold: 0.9 };
const ADMIN = {
  email: 'partner@example.com',
  role: 'partner' as const,
  domains: [],
  passwordHash: 'x',
  tokenVersion: 0,
  createdAt: '2025-01-01T00:00:00.000Z',
};

const deferredAttempts = (clock: ManualClock) =>
  Array.from({ length: 25 }, (_, i) =>
    attemptToItem({
      domain: D,
      at: new Date(clock.now().getTime() - i * 1000),
      id: `m${i}#1`,
      outcome: 'deferred',
      code: 451,
      response: '451 Try later',
    }),
  );

function depsWith(table: Table, clock: ManualClock, sent: string[][]): DeliverDeps {
  const unused = () => {
    throw new Error('not used by refreshStatus');
  };
  return {
    table,
    clock,
    blobs: { get: unused, put: unused } as unknown as DeliverDeps['blobs'],
    relay: { deliver: unused },
    queue: { enqueue: unused },
    readSecret: unused,
    sender: {
      sendRaw: async (_raw, envelope) => {
        sent.push(envelope.to);
        return { messageId: 'm' };
      },
    },
  };
}

describe('the stored Good/Bad status is written compare-and-set', () => {
  test('two workers that see the same flip at the same moment: one stores it, one alert email', async () => {
    const table = new MemoryTable();
    const clock = new ManualClock();
    await table.putAll(deferredAttempts(clock));
    await table.put(adminToItem(ADMIN));
    await table.put(adminDirectoryItem(ADMIN.email));
    await table.put(storedStatusToItem({ domain: D, status: 'Good', changedAt: clock.now(), version: 7 }));

    // Both workers read the stored status (Good, version 7) before either writes: the race.
    let reads = 0;
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => (bothRead = resolve));
    const racing: Table = Object.assign(Object.create(table) as Table, {
      get: async (key: ItemKey) => {
        const item = await table.get(key);
        if (key.sk === storedStatusKey(D).sk && ++reads === 2) bothRead();
        if (key.sk === storedStatusKey(D).sk) await barrier;
        return item;
      },
    });
    const sent: string[][] = [];
    const deps = depsWith(racing, clock, sent);

    const results = await Promise.all([refreshStatus(deps, D, SETTINGS), refreshStatus(deps, D, SETTINGS)]);

    expect(reads).toBe(2);
    expect(results.filter(Boolean)).toEqual([{ from: 'Good', to: 'Bad' }]);
    expect(sent).toEqual([[ADMIN.email]]);
    expect(await table.get(storedStatusKey(D))).toMatchObject({ status: 'Bad', version: 8 });
  });

  test('a status written before versions existed is still claimed only once', async () => {
    const table = new MemoryTable();
    const clock = new ManualClock();
    await table.putAll(deferredAttempts(clock));
    await table.put({ ...storedStatusKey(D), type: 'mail-flow-status', domain: D, status: 'Good' });
    const sent: string[][] = [];
    const deps = depsWith(table, clock, sent);

    expect(await refreshStatus(deps, D, SETTINGS)).toEqual({ from: 'Good', to: 'Bad' });
    expect(await table.get(storedStatusKey(D))).toMatchObject({ status: 'Bad', version: 1 });
    // The same flip seen again (a late worker) is no change any more.
    expect(await refreshStatus(deps, D, SETTINGS)).toBeUndefined();
  });
});

describe('DynamoDbTable: the compare-and-set against DynamoDB (fault injection)', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const clock = new ManualClock();
  const table = () => new DynamoDbTable('xtramail-test', new DynamoDBClient({ region: 'eu-west-1' }));

  beforeEach(() => {
    dynamodb.reset();
    dynamodb.on(GetItemCommand).resolves({
      Item: marshall(storedStatusToItem({ domain: D, status: 'Good', changedAt: clock.now(), version: 3 })),
    });
    dynamodb.on(QueryCommand).callsFake((input: QueryCommandInput) => ({
      Items: (input.ExpressionAttributeValues?.[':pk']?.S === flowPartition(D)
        ? deferredAttempts(clock)
        : [adminDirectoryItem(ADMIN.email)]
      ).map((item) => marshall(item)),
    }));
    dynamodb
      .on(BatchGetItemCommand)
      .resolves({ Responses: { 'xtramail-test': [marshall(adminToItem(ADMIN))] } });
  });

  test('ifMatches becomes a condition on the version read; a winning write alerts', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    const sent: string[][] = [];
    expect(await refreshStatus(depsWith(table(), clock, sent), D, SETTINGS)).toEqual({
      from: 'Good',
      to: 'Bad',
    });
    const put = dynamodb.commandCalls(PutItemCommand)[0].args[0].input;
    expect(unmarshall(put.Item!)).toMatchObject({ status: 'Bad', version: 4 });
    expect(put.ConditionExpression).toBe('#m0 = :m0');
    expect(put.ExpressionAttributeNames).toEqual({ '#m0': 'version' });
    expect(put.ExpressionAttributeValues).toEqual({ ':m0': { N: '3' } });
    expect(sent).toEqual([[ADMIN.email]]);
  });

  test('ConditionalCheckFailedException (another worker stored the flip first): no alert, no error', async () => {
    dynamodb
      .on(PutItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    const sent: string[][] = [];
    await expect(refreshStatus(depsWith(table(), clock, sent), D, SETTINGS)).resolves.toBeUndefined();
    expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(1);
    expect(sent).toEqual([]);
  });

  test('a missing attribute is matched with attribute_not_exists; other errors still throw', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    expect(await table().put({ pk: 'P', sk: 'S' }, { ifMatches: { version: null, owner: 'w1' } })).toBe(true);
    const put = dynamodb.commandCalls(PutItemCommand)[0].args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(#m0) AND #m1 = :m1');
    expect(put.ExpressionAttributeNames).toEqual({ '#m0': 'version', '#m1': 'owner' });
    expect(put.ExpressionAttributeValues).toEqual({ ':m1': { S: 'w1' } });

    dynamodb.on(PutItemCommand).rejects(new Error('throttled'));
    await expect(table().put({ pk: 'P', sk: 'S' }, { ifMatches: { version: 1 } })).rejects.toThrow(
      'throttled',
    );
  });
});
