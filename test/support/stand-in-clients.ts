import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { LocalStack } from '../../bin/local/stack';

/** Plain SDK clients pointed at a stack's stand-ins, for tests to look at what the product stored. */
export function standInClients(stack: Pick<LocalStack, 's3Endpoint' | 'dynamoDbEndpoint'>) {
  return {
    s3: new S3Client({
      endpoint: stack.s3Endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamoDbEndpoint })),
  };
}
