import { DynamoDbTable } from '../adapters/aws/dynamodb-table';
import { S3BlobStore } from '../adapters/aws/s3-blob-store';
import { sessionSigningKey } from '../adapters/aws/signing-key';
import { fixedOffsetClock } from '../core/clock';

/**
 * The composition root shared by every handler: adapters built from the function's
 * environment once per container. Endpoints come from the SDK's own AWS_ENDPOINT_URL_*
 * variables, so the same code runs in the cloud and on the local stand-ins.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

let table: DynamoDbTable | undefined;
let blobs: S3BlobStore | undefined;

export const runtime = {
  get table() {
    return (table ??= new DynamoDbTable(required('TABLE_NAME')));
  },
  get blobs() {
    return (blobs ??= new S3BlobStore(required('MAIL_BUCKET')));
  },
  /** Unset in the cloud; the local runtime sets it to demo the 14- and 30-day windows. */
  clock: fixedOffsetClock(Number(process.env.XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS ?? 0) || 0),
  signingKey: sessionSigningKey,
};
