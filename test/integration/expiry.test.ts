import { startTestStack, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const SECOND_IN_DAYS = 1 / 86_400;

test('snapshot copies disappear from reads 30 days after receipt, log entries after 14, before DynamoDB deletes them', async () => {
  const { runtime } = await import('../../lambdas/handlers/runtime');
  const { fixedOffsetClock } = await import('../../lambdas/core/clock');
  const { createDomain, setXtraMail } = await import('../../lambdas/core/domains/domains');
  const { listMessages } = await import('../../lambdas/core/mailbox/list-messages');
  const { listLogs } = await import('../../lambdas/core/logs/list-logs');
  await createDomain(runtime, 'expiry.test');
  await setXtraMail(runtime, 'expiry.test', true);
  await new Promise((resolve) => setTimeout(resolve, 5));

  const smtp = smtpClient(stack.smtpPort);
  const id = await smtp.send({
    from: 'a@sender.test',
    to: 'eve@expiry.test',
    subject: 'Ages out',
    text: 'bye',
  });
  smtp.close();
  await stack.ingestIdle();

  // What XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS does for the handlers: the same clock, shifted.
  const at = (days: number) => ({ table: runtime.table, clock: fixedOffsetClock(days) });
  const inbox = (days: number) => listMessages(at(days), 'eve@expiry.test', 'inbox');
  const logs = (days: number) => listLogs(at(days), 'expiry.test');

  expect((await inbox(0)).items.map((m) => m.sesMessageId)).toEqual([id]);
  expect((await inbox(30 - 60 * SECOND_IN_DAYS)).items).toHaveLength(1);
  expect((await inbox(30 + SECOND_IN_DAYS)).items).toEqual([]);

  expect((await logs(0)).items.map((entry) => entry.sesMessageId)).toEqual([id]);
  expect((await logs(14 - 60 * SECOND_IN_DAYS)).items).toHaveLength(1);
  expect((await logs(14 + SECOND_IN_DAYS)).items).toEqual([]);
});

test('local mode applies the bucket lifecycle: objects older than 31 days are swept', async () => {
  const { runtime } = await import('../../lambdas/handlers/runtime');
  const { fixedOffsetClock } = await import('../../lambdas/core/clock');
  const { sweepExpiredObjects } = await import('../../bin/local/s3-sweeper');
  const { MAIL_BUCKET } = await import('../../bin/local/stack');
  await runtime.blobs.put('incoming/sweep-me', 'raw', 'message/rfc822');
  await runtime.blobs.put('att/sweep-me/0', 'bytes', 'application/octet-stream');
  await runtime.blobs.put('keep/not-expiring', 'x', 'text/plain');

  expect(await sweepExpiredObjects(runtime.clients.s3, MAIL_BUCKET, fixedOffsetClock(30))).toBe(0);
  expect(await runtime.blobs.get('incoming/sweep-me')).toBeDefined();

  const swept = await sweepExpiredObjects(runtime.clients.s3, MAIL_BUCKET, fixedOffsetClock(31 + 1 / 24));
  expect(swept).toBeGreaterThanOrEqual(2);
  expect(await runtime.blobs.get('incoming/sweep-me')).toBeUndefined();
  expect(await runtime.blobs.get('att/sweep-me/0')).toBeUndefined();
  expect(await runtime.blobs.get('keep/not-expiring')).toBeDefined();
});
