import { readdirSync } from 'node:fs';
import path from 'node:path';
import { LOCAL_REPLAY_PATH } from '../../bin/local/dead-letters';
import type { Item } from '../../lambdas/core/entities/keys';
import { startTestStack, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

test('an event that keeps failing lands in the dead letters, and replay-dlq re-drives it to one copy', async () => {
  const { runtime } = await import('../../lambdas/handlers/runtime');
  const { createDomain, setXtraMail } = await import('../../lambdas/core/domains/domains');
  const { listMessages } = await import('../../lambdas/core/mailbox/list-messages');
  await createDomain(runtime, 'dlq.test');
  await setXtraMail(runtime, 'dlq.test', true);
  await new Promise((resolve) => setTimeout(resolve, 5));

  // DynamoDB refuses every batch write while the message arrives (all three attempts).
  const table = runtime.table;
  const putAll = table.putAll;
  table.putAll = async (_items: Item[]) => {
    throw Object.assign(new Error('Throughput exceeds the current capacity'), {
      name: 'ThrottlingException',
    });
  };
  const smtp = smtpClient(stack.smtpPort);
  const id = await smtp.send({
    from: 'a@sender.test',
    to: 'dan@dlq.test',
    subject: 'Persistent',
    text: 'hi',
  });
  smtp.close();
  try {
    await stack.ingestIdle();
  } finally {
    table.putAll = putAll;
  }
  const deadLetterDir = path.join(stack.dataDir, 'dead-letters');
  expect(readdirSync(deadLetterDir)).toHaveLength(1);
  expect((await listMessages(runtime, 'dan@dlq.test', 'inbox')).items).toEqual([]);

  // What `npm run replay-dlq` does against a running local stack.
  const response = await fetch(`${stack.webUrl}${LOCAL_REPLAY_PATH}`, { method: 'POST' });
  expect(await response.json()).toEqual({ replayed: 1, failed: [] });
  expect(readdirSync(deadLetterDir)).toEqual([]);
  const inbox = await listMessages(runtime, 'dan@dlq.test', 'inbox');
  expect(inbox.items.map((m) => m.sesMessageId)).toEqual([id]);

  // A second replay finds nothing left to do.
  const again = await fetch(`${stack.webUrl}${LOCAL_REPLAY_PATH}`, { method: 'POST' });
  expect(await again.json()).toEqual({ replayed: 0, failed: [] });
});
