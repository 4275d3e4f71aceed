import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { LocalDeliveryQueue } from '../../bin/local/local-delivery-queue';
import type { DeliveryJob } from '../../lambdas/adapters/delivery-queue';
import { PORT_25_WARNING } from '../../lambdas/core/mail-flow/settings';
import { MemoryTable } from './support/memory-table';

const job = (id: string): DeliveryJob => ({
  sesMessageId: id,
  domain: 'flow.test',
  recipients: ['ann@flow.test'],
  envelopeSender: 'x@outside.test',
  receivedAt: '2025-01-06T12:00:00.000Z',
  attempt: 1,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'xtramail-queue-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('LocalDeliveryQueue', () => {
  test('hands jobs to the handler one at a time, in the order they become visible, as SQS events', async () => {
    const queue = new LocalDeliveryQueue(dir);
    const seen: string[] = [];
    let running = 0;
    queue.attach(async (event: SQSEvent) => {
      expect(++running).toBe(1);
      expect(event.Records).toHaveLength(1);
      expect(event.Records[0].eventSource).toBe('aws:sqs');
      seen.push((JSON.parse(event.Records[0].body) as DeliveryJob).sesMessageId);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
    });
    await queue.enqueue(job('late'), 0.05);
    for (const id of ['a', 'b', 'c']) await queue.enqueue(job(id));
    await queue.idle();
    expect(seen).toEqual(['a', 'b', 'c', 'late']);
    await queue.stop();
  });

  test('redelivers a failing job, then keeps it as a dead letter', async () => {
    const queue = new LocalDeliveryQueue(dir, 3, 5);
    let calls = 0;
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    queue.attach(async () => {
      calls++;
      throw new Error('boom');
    });
    await queue.enqueue(job('bad'));
    await queue.idle();
    spy.mockRestore();
    expect(calls).toBe(3);
    const [file] = readdirSync(dir);
    expect(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))).toMatchObject({
      function: 'deliver',
      event: { sesMessageId: 'bad' },
    });
  });

  test('a batch item failure counts as a failure', async () => {
    const queue = new LocalDeliveryQueue(dir, 2, 5);
    let calls = 0;
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    queue.attach(async (event) => {
      calls++;
      return { batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] };
    });
    await queue.enqueue(job('x'));
    await queue.idle();
    spy.mockRestore();
    expect(calls).toBe(2);
  });
});

test('a conditional delete claims an item exactly once', async () => {
  const table = new MemoryTable();
  await table.put({ pk: 'P', sk: 'a' });
  expect(await table.delete({ pk: 'P', sk: 'a' }, { ifExists: true })).toBe(true);
  expect(await table.delete({ pk: 'P', sk: 'a' }, { ifExists: true })).toBe(false);
  expect(await table.delete({ pk: 'P', sk: 'a' })).toBe(true);
});

test('the README carries the port 25 warning', () => {
  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8').replace(
    /\s*\n>?\s*/g,
    ' ',
  );
  expect(readme).toContain(PORT_25_WARNING);
});
