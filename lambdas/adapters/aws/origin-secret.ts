import { readSecretString } from './secret-value';

/**
 * The secret CloudFront adds to every API request: the Secrets Manager secret named by
 * `ORIGIN_VERIFY_SECRET_ARN` (the cloud) or `ORIGIN_VERIFY_SECRET` (the local runtime, whose
 * HTTP server plays CloudFront). Read once per container; undefined when neither is set.
 */
let cached: Promise<string | undefined> | undefined;

export const originVerifySecret = (): Promise<string | undefined> => {
  const secretArn = process.env.ORIGIN_VERIFY_SECRET_ARN;
  cached ??= (
    secretArn ? readSecretString(secretArn) : Promise.resolve(process.env.ORIGIN_VERIFY_SECRET)
  ).catch((error) => {
    cached = undefined;
    throw error;
  });
  return cached;
};
