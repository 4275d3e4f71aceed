import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsDeliveryQueue } from '../../lambdas/adapters/aws/sqs-delivery-queue';
import { isDeliveryJob, type DeliveryJob } from '../../lambdas/adapters/delivery-queue';

const sqs = mockClient(SQSClient);
const URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/delivery';
const job: DeliveryJob = {
  sesMessageId: 'abc',
  domain: 'example.com',
  recipients: ['ann@example.com'],
  envelopeSender: 'x@outside.test',
  receivedAt: '2025-01-06T12:00:00.000Z',
  attempt: 1,
};

beforeEach(() => sqs.reset());

test.each([
  [undefined, 0],
  [0.2, 1],
  [30, 30],
  [3600, 900],
  [-5, 0],
])('sends the job as JSON with delay %p → %p s (SQS allows at most 900)', async (delay, expected) => {
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
  await new SqsDeliveryQueue(URL, new SQSClient({ region: 'eu-west-1' })).enqueue(job, delay);
  const [call] = sqs.commandCalls(SendMessageCommand);
  expect(call.args[0].input).toEqual({
    QueueUrl: URL,
    MessageBody: JSON.stringify(job),
    DelaySeconds: expected,
  });
  expect(isDeliveryJob(JSON.parse(call.args[0].input.MessageBody!))).toBe(true);
});

test('isDeliveryJob refuses what is not a job', () => {
  expect(isDeliveryJob(null)).toBe(false);
  expect(isDeliveryJob({ ...job, recipients: 'ann@example.com' })).toBe(false);
  expect(isDeliveryJob({ ...job, attempt: '1' })).toBe(false);
});
