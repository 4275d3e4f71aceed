import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { addDays, type Clock } from '../../lambdas/core/clock';

/** The mail bucket's lifecycle rules (lib/storage.ts), which s3rver does not apply by itself. */
export const LIFECYCLE: ReadonlyArray<{ prefix: string; days: number }> = [
  ...['incoming/', 'body/', 'att/', 'sent/'].map((prefix) => ({ prefix, days: 31 })),
  ...['uploads/', 'exports/'].map((prefix) => ({ prefix, days: 1 })),
];

/** Deletes objects older than the lifecycle allows, judged by the (possibly shifted) clock. */
export async function sweepExpiredObjects(s3: S3Client, bucket: string, clock: Clock): Promise<number> {
  let deleted = 0;
  for (const { prefix, days } of LIFECYCLE) {
    const cutoff = addDays(clock.now(), -days);
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const expired = (page.Contents ?? []).filter((o) => o.Key && o.LastModified && o.LastModified < cutoff);
      if (expired.length) {
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: expired.map((o) => ({ Key: o.Key! })) },
          }),
        );
        deleted += expired.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  return deleted;
}

/** Sweeps now and then hourly, until stopped. */
export function startSweeper(sweep: () => Promise<number>): () => Promise<void> {
  const run = () => sweep().catch((error) => console.error(`[sweeper] ${(error as Error).message}`));
  let current = run();
  const timer = setInterval(() => (current = run()), 3_600_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await current;
  };
}
