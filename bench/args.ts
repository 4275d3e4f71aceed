/** Command line of `npm run bench [-- name… [--limit N] [--warmup N] [--rcpt one|headers|both] [--node MAJOR|lambda]]`. */
export interface BenchOptions {
  /** Process only this many corpus messages (an even sample across the sets). */
  limit?: number;
  /** ingest: handler invocations (and parses) before measuring; default 3000. */
  warmup?: number;
  /** ingest: how envelope recipients are chosen (default `one`). */
  rcpt: 'one' | 'headers' | 'both';
  /** ingest: the Node.js major the workers run on, or `lambda` for the functions' runtime (bench/node-runtime.ts). */
  node?: string;
}

export function parseBenchArgs(argv: string[]): { names: string[]; options: BenchOptions } {
  const names: string[] = [];
  const options: BenchOptions = { rcpt: 'one' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--limit') {
      const limit = Number(value());
      if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit takes a positive whole number');
      options.limit = limit;
    } else if (flag === '--warmup') {
      const warmup = Number(value());
      if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup takes a whole number');
      options.warmup = warmup;
    } else if (flag === '--rcpt') {
      const rcpt = value();
      if (rcpt !== 'one' && rcpt !== 'headers' && rcpt !== 'both')
        throw new Error('--rcpt takes one, headers or both');
      options.rcpt = rcpt;
    } else if (flag === '--node') {
      options.node = value();
    } else if (flag.startsWith('--')) throw new Error(`Unknown option ${flag}`);
    else names.push(argv[i]);
  }
  return { names, options };
}
