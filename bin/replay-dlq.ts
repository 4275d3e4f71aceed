/**
 * `npm run replay-dlq`: re-drives the ingest events that failed after Lambda's retries.
 *
 *   npm run replay-dlq                                   the local runtime (npm start must be running)
 *   npm run replay-dlq -- --queue-url URL --function NAME   the cloud: the stack outputs
 *                                                        IngestDeadLetterQueueUrl and IngestFunctionName
 *
 * In the cloud each DLQ message is Lambda's failure record; its `requestPayload` (the original
 * SES event) is invoked again asynchronously, and the message is deleted only once accepted.
 */
import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_REPLAY_PATH } from './local/dead-letters';

async function replayCloud(queueUrl: string, functionName: string) {
  const sqs = new SQSClient({});
  const lambda = new LambdaClient({});
  let replayed = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const record = JSON.parse(message.Body ?? '{}');
      const payload = record.requestPayload ?? record; // a failure record, or a bare event
      await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: JSON.stringify(payload),
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      replayed++;
    }
  }
  console.log(
    `Re-invoked ${replayed} event(s) on ${functionName}; failures return to the DLQ after retries.`,
  );
}

async function replayLocal(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}${LOCAL_REPLAY_PATH}`, { method: 'POST' }).catch(
    () => {
      throw new Error(`Nothing answers on port ${port}: start the local runtime with \`npm start\` first.`);
    },
  );
  const result = (await response.json()) as {
    replayed: number;
    failed: Array<{ file: string; error: string }>;
  };
  console.log(`Replayed ${result.replayed} dead letter(s).`);
  for (const failure of result.failed)
    console.log(`Still failing, kept: ${failure.file}\n  ${failure.error}`);
  if (result.failed.length) process.exitCode = 1;
}

async function main() {
  const { values } = parseArgs({
    options: { 'queue-url': { type: 'string' }, function: { type: 'string' } },
  });
  if (values['queue-url'] || values.function) {
    if (!values['queue-url'] || !values.function)
      throw new Error('The cloud replay needs both --queue-url and --function.');
    await replayCloud(values['queue-url'], values.function);
  } else {
    await replayLocal(Number(process.env.PORT || 8787));
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
