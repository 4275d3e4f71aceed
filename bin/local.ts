/**
 * `npm start`: the whole product on this machine, on embedded stand-ins for AWS.
 * See README "Configuration" for the environment variables.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JavaMissingError } from './local/dynamodb-local';
import { startLocalStack } from './local/stack';

const env = process.env;
const number = (name: string, fallback: number) => {
  const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, not "${env[name]}"`);
  return value;
};

/** The bootstrap admin's password: from the environment, or generated once and kept in the data dir. */
function adminPassword(dataDir: string): { password: string; generatedNow: boolean; file?: string } {
  if (env.XTRAMAIL_ADMIN_PASSWORD) return { password: env.XTRAMAIL_ADMIN_PASSWORD, generatedNow: false };
  const file = path.join(dataDir, 'bootstrap-admin-password');
  if (existsSync(file)) return { password: readFileSync(file, 'utf8').trim(), generatedNow: false, file };
  const password = randomBytes(15).toString('base64url');
  writeFileSync(file, password, { mode: 0o600 });
  return { password, generatedNow: true, file };
}

async function main() {
  const dataDir = path.resolve(env.XTRAMAIL_DATA_DIR || '.xtramail');
  mkdirSync(dataDir, { recursive: true });
  const email = env.XTRAMAIL_ADMIN_EMAIL || 'admin@example.com';
  const admin = adminPassword(dataDir);
  const started = Date.now();
  const stack = await startLocalStack({
    dataDir,
    persistent: true,
    httpPort: number('PORT', 8787),
    smtpPort: number('SMTP_PORT', 2525),
    sesPort: number('SES_PORT', 8005),
    clockOffsetDays: number('XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS', 0),
    admin: { email, password: admin.password },
    webRoot: path.resolve(__dirname, '../web/dist'),
  });

  console.log(`Data:       ${dataDir}`);
  console.log(`SES (sent): ${stack.sesUrl}  (every message the product sent; GET /store as JSON)`);
  if (admin.generatedNow) {
    console.log(`Admin:      ${email}  password ${admin.password}  (shown once; also in ${admin.file})`);
  } else if (admin.file) {
    console.log(`Admin:      ${email}  (password in ${admin.file})`);
  } else {
    console.log(`Admin:      ${email}  (password from XTRAMAIL_ADMIN_PASSWORD)`);
  }
  if (!stack.admin.created && !admin.generatedNow) {
    console.log('            (the admin already existed; a password changed in the console is kept)');
  }
  console.log(
    `XtraMail is ready: ${stack.webUrl}  SMTP 127.0.0.1:${stack.smtpPort}  (started in ${((Date.now() - started) / 1000).toFixed(1)} s; Ctrl-C stops)`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping XtraMail…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  if (error instanceof JavaMissingError) console.error(error.message);
  else console.error(`XtraMail could not start: ${error instanceof Error ? error.stack : error}`);
  process.exit(1);
});
