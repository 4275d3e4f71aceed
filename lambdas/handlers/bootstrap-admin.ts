import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { readSecretString } from '../adapters/aws/secret-value';
import { ensureBootstrapAdmin } from '../core/admins/bootstrap-admin';
import { runtime } from './runtime';

/**
 * CloudFormation custom resource (Provider framework onEvent): creates the first partner admin
 * with the password kept in Secrets Manager. Deleting the stack leaves the admin in the
 * retained table.
 */
export async function handler(event: CloudFormationCustomResourceEvent) {
  const email = String(event.ResourceProperties.AdminEmail);
  if (event.RequestType !== 'Delete') {
    const password = await readSecretString(String(event.ResourceProperties.PasswordSecretArn));
    const { created } = await ensureBootstrapAdmin(runtime, email, password);
    console.log(JSON.stringify({ level: 'INFO', message: 'Bootstrap admin', email, created }));
  }
  return { PhysicalResourceId: `bootstrap-admin:${email}` };
}
