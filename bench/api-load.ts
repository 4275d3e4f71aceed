/**
 * The load generator of `npm run bench -- api` (bench/api.ts): autocannon in a child process of
 * its own, so it neither shares the server's event loop nor counts in the server's CPU time.
 *
 * Latencies are taken from autocannon's per-response events (fractional milliseconds): its own
 * histograms keep whole milliseconds only, too coarse for requests that take a few of them.
 */
import autocannon from 'autocannon';

export const LOAD_FLAG = '--bench-api-load';

export interface LoadJob {
  /** Echoed in the reply. */
  id: number;
  url: string;
  headers: Record<string, string>;
  /** Paths requested in turn, shared by all connections (one path: the same request every time). */
  paths: string[];
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  id: number;
  /** 2xx responses: the only ones timed. */
  ok: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** Bytes of 2xx responses (headers and body), per response. */
  bytesPerResponse: number;
  /** This process's CPU time during the run (autocannon's own cost). */
  cpuMs: number;
}

export type LoadReply = { ok: true; result: LoadResult } | { ok: false; id: number; error: string };

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;

async function run(job: LoadJob): Promise<LoadResult> {
  let next = 0;
  const path = () => job.paths[next++ % job.paths.length];
  let times = new Float64Array(1 << 16);
  let ok = 0;
  let bytes = 0;
  const cpuStart = process.cpuUsage();
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.durationSeconds,
        headers: job.headers,
        requests: [
          job.paths.length === 1
            ? { method: 'GET', path: job.paths[0] }
            : { method: 'GET', setupRequest: (request) => ({ ...request, path: path() }) },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance!.on('response', (_client, statusCode, resBytes, responseTime) => {
    if (statusCode < 200 || statusCode > 299) return;
    if (ok === times.length) {
      const grown = new Float64Array(times.length * 2);
      grown.set(times);
      times = grown;
    }
    times[ok++] = responseTime;
    bytes += resBytes;
  });
  const result = await done;
  const cpu = process.cpuUsage(cpuStart);
  const sorted = times.subarray(0, ok).sort();
  const seconds = result.duration;
  return {
    id: job.id,
    ok,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]),
    ),
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    requestsPerSecond: ok / seconds,
    latencyMs: {
      mean: sorted.reduce((a, b) => a + b, 0) / (ok || 1),
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: ok ? sorted[ok - 1] : NaN,
    },
    bytesPerResponse: bytes / (ok || 1),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** Started by bench/api.ts with this flag; runs jobs one at a time until the parent disconnects. */
if (process.argv.includes(LOAD_FLAG)) {
  process.on('message', (job: LoadJob) => {
    run(job)
      .then((result): LoadReply => ({ ok: true, result }))
      .catch((error: unknown): LoadReply => ({
        ok: false,
        id: job.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }))
      .then((reply) => process.send!(reply));
  });
  process.on('disconnect', () => process.exit(0));
}
