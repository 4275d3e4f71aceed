/**
 * A corpus of real email that no one here wrote, for benchmarks and robustness tests: test
 * messages that Debian packages ship, fetched with apt on first use into `.cache/corpus/`
 * (git-ignored). Later calls only read one small manifest per set.
 *
 * Sets (one Debian package each):
 * - `spamassassin`: the SpamAssassin public-corpus ham (2002 mailing lists and personal mail),
 *   from the jwz threading library's test data.
 * - `enmime`: the enmime MIME library's well-formed, low-quality and bare-part test messages.
 * - `bounces`: the flufl.bounce bounce detector's test messages (DSNs, MTA-specific bounces).
 * - `mime-tools`: MIME-tools' test messages, as shipped by MIME::Explode (MIME-tools' own Debian
 *   package ships none); its two `.mbx` mailboxes are split into one file per message.
 *
 * Files are kept byte for byte (LF line ends, some with a leading mbox `From ` line); callers that
 * need wire form (CRLF, no `From ` line) convert them.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Corpus {
  /** `.cache/corpus`, absolute. */
  root: string;
  /** Absolute paths of the message files, per set, sorted. */
  sets: Record<string, string[]>;
}

/** What `<root>/<set>/MANIFEST.json` records; its presence marks the set complete. */
export interface CorpusManifest {
  set: string;
  package: string;
  version: string;
  /** Paths relative to the set's directory. */
  files: string[];
  bytes: number;
  fetchedAt: string;
}

interface Source {
  set: string;
  package: string;
  /** Directories inside the extracted package, found by the end of their path. */
  dirs: string[];
  match: RegExp;
}

export const CORPUS_SOURCES: readonly Source[] = [
  {
    set: 'spamassassin',
    package: 'golang-github-gatherstars-com-jwz-dev',
    dirs: ['github.com/gatherstars-com/jwz/test/testdata/ham'],
    match: /\.eml$/,
  },
  {
    set: 'enmime',
    package: 'golang-github-jhillyerd-enmime-dev',
    dirs: ['enmime/testdata/mail', 'enmime/testdata/low-quality', 'enmime/testdata/parts'],
    match: /\.raw$/,
  },
  {
    set: 'bounces',
    package: 'python3-flufl.bounce',
    dirs: ['flufl/bounce/tests/data'],
    match: /\.(txt|eml|msg)$/,
  },
  {
    set: 'mime-tools',
    package: 'libmime-explode-perl',
    dirs: ['libmime-explode-perl/examples/testmsgs'],
    match: /\.(msg|mbx)$/,
  },
];

export const CORPUS_ROOT = path.resolve(__dirname, '../../.cache/corpus');
const MANIFEST = 'MANIFEST.json';
const LOCK_STALE_MS = 10 * 60_000;

const manifestPath = (root: string, set: string) => path.join(root, set, MANIFEST);

function readManifest(root: string, set: string): CorpusManifest | undefined {
  try {
    return JSON.parse(readFileSync(manifestPath(root, set), 'utf8')) as CorpusManifest;
  } catch {
    return undefined;
  }
}

/** The manifests of the sets already in the cache (package versions, sizes). */
export function corpusManifests(root = CORPUS_ROOT): CorpusManifest[] {
  return CORPUS_SOURCES.map((source) => readManifest(root, source.set)).filter(
    (manifest): manifest is CorpusManifest => !!manifest,
  );
}

const toCorpus = (root: string, manifests: CorpusManifest[]): Corpus => ({
  root,
  sets: Object.fromEntries(
    manifests.map((m) => [m.set, m.files.map((file) => path.join(root, m.set, file))]),
  ),
});

function run(command: string, args: string[], cwd?: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new AptMissingError(command);
    throw result.error;
  }
  return result;
}

function runOrThrow(command: string, args: string[], cwd?: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` failed (exit ${result.status}):\n${(result.stderr || result.stdout).trim()}`,
    );
  }
  return result.stdout;
}

export class AptMissingError extends Error {
  constructor(command: string) {
    super(
      `The email corpus comes from Debian packages, and \`${command}\` is not available here. ` +
        'Run this on Debian or Ubuntu (apt-get and dpkg), or copy a filled .cache/corpus/ from a machine that has them.',
    );
  }
}

/** The candidate version apt would download, or undefined when apt knows no such package. */
function candidate(pkg: string): string | undefined {
  const out = run('apt-cache', ['policy', pkg]).stdout ?? '';
  const version = /Candidate:\s*(\S+)/.exec(out)?.[1];
  return version && version !== '(none)' ? version : undefined;
}

/** An exclusive lock file holding our pid; a lock whose process is gone (or is old) is taken over. */
async function withLock<T>(file: string, work: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockIsStale(file)) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() - started > LOCK_STALE_MS) throw new Error(`Timed out waiting for ${file}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    try {
      if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  }
}

function lockIsStale(file: string): boolean {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    if (Date.now() - statSync(file).mtimeMs > LOCK_STALE_MS) return true;
    if (!pid) return false; // being written right now
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Directories under `root` whose path ends with `suffix` (paths inside packages move between releases). */
function findDirs(root: string, suffix: string): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    if (dir.endsWith(`/${suffix}`)) found.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) visit(path.join(dir, entry.name));
  };
  visit(root);
  return found;
}

/** Splits an mbox at its `From ` separator lines (start of file or after a blank line). */
export function splitMbox(data: Buffer): Buffer[] {
  const text = data.toString('latin1');
  const starts: number[] = [];
  const separator = /(^|\n\n)From [^\n]*\n/g;
  for (let m = separator.exec(text); m; m = separator.exec(text)) starts.push(m.index + m[1].length);
  return starts.map((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1] : text.length;
    const message = text.slice(start, end);
    return Buffer.from(message.slice(message.indexOf('\n') + 1), 'latin1'); // drop the From_ line
  });
}

/** Copies one source's messages out of its extracted package into `dest`. */
function collect(source: Source, extracted: string, dest: string): string[] {
  const files: string[] = [];
  for (const suffix of source.dirs) {
    const dirs = findDirs(extracted, suffix);
    if (dirs.length !== 1)
      throw new Error(`${source.package}: expected one directory ending in ${suffix}, found ${dirs.length}`);
    const prefix = source.dirs.length > 1 ? path.basename(suffix) : '';
    const matches = walk(dirs[0])
      .filter((file) => source.match.test(file))
      .sort();
    if (!matches.length) throw new Error(`${source.package}: no ${source.match} files in ${dirs[0]}`);
    for (const file of matches) {
      const relative = path.join(prefix, path.relative(dirs[0], file));
      mkdirSync(path.dirname(path.join(dest, relative)), { recursive: true });
      if (file.endsWith('.mbx')) {
        splitMbox(readFileSync(file)).forEach((message, i) => {
          const name = relative.replace(/\.mbx$/, `.mbx-${String(i + 1).padStart(2, '0')}.msg`);
          writeFileSync(path.join(dest, name), message);
          files.push(name);
        });
      } else {
        copyFileSync(file, path.join(dest, relative));
        files.push(relative);
      }
    }
  }
  return files.sort();
}

/** Downloads and unpacks the packages of the missing sets, publishing each set with one rename. */
function fetchSets(root: string, missing: Source[]) {
  for (const tool of ['apt-get', 'apt-cache', 'dpkg']) run(tool, ['--version']);
  const versions = new Map<string, string>();
  let updated = false;
  for (const source of missing) {
    let version = candidate(source.package);
    if (!version && !updated) {
      if (process.getuid?.() !== 0)
        throw new Error(`apt knows no package ${source.package}; run \`sudo apt-get update\` and try again.`);
      runOrThrow('apt-get', ['update']);
      updated = true;
      version = candidate(source.package);
    }
    if (!version) throw new Error(`apt has no candidate for ${source.package} (after apt-get update)`);
    versions.set(source.package, version);
  }

  const work = mkdtempSync(path.join(tmpdir(), 'xtramail-corpus-'));
  try {
    chmodSync(work, 0o755); // lets apt's unprivileged _apt user write the download
    runOrThrow(
      'apt-get',
      ['download', ...missing.map((s) => `${s.package}=${versions.get(s.package)}`)],
      work,
    );
    for (const source of missing) {
      const deb = readdirSync(work).find((f) => f.startsWith(`${source.package}_`) && f.endsWith('.deb'));
      if (!deb) throw new Error(`apt-get download left no .deb for ${source.package} in ${work}`);
      const extracted = path.join(work, `x-${source.set}`);
      runOrThrow('dpkg', ['-x', path.join(work, deb), extracted]);
      const staging = path.join(root, `.staging-${source.set}-${process.pid}`);
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      const files = collect(source, extracted, staging);
      const manifest: CorpusManifest = {
        set: source.set,
        package: source.package,
        version: versions.get(source.package)!,
        files,
        bytes: files.reduce((sum, file) => sum + statSync(path.join(staging, file)).size, 0),
        fetchedAt: new Date().toISOString(),
      };
      writeFileSync(path.join(staging, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
      const target = path.join(root, source.set);
      rmSync(target, { recursive: true, force: true }); // an incomplete set (no manifest)
      renameSync(staging, target);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The corpus, fetched on first use (a few seconds: about 2 MB of .debs from the Debian mirror).
 * Safe to call from several processes at once: one fetches under a lock, the others wait and
 * then read what it published.
 */
export async function ensureCorpus(root = CORPUS_ROOT): Promise<Corpus> {
  const cached = CORPUS_SOURCES.map((source) => readManifest(root, source.set));
  if (cached.every(Boolean)) return toCorpus(root, cached as CorpusManifest[]);
  mkdirSync(root, { recursive: true });
  return withLock(path.join(root, '.lock'), () => {
    const missing = CORPUS_SOURCES.filter((source) => !readManifest(root, source.set));
    if (missing.length) fetchSets(root, missing);
    const manifests = CORPUS_SOURCES.map((source) => readManifest(root, source.set));
    const absent = CORPUS_SOURCES.filter((_, i) => !manifests[i]).map((s) => s.set);
    if (absent.length) throw new Error(`Corpus sets still missing after fetching: ${absent.join(', ')}`);
    return toCorpus(root, manifests as CorpusManifest[]);
  });
}

/** True when every set is cached (no fetch needed). */
export const corpusIsCached = (root = CORPUS_ROOT) =>
  CORPUS_SOURCES.every((source) => existsSync(manifestPath(root, source.set)));
