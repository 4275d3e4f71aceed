/**
 * The ingest function's sizing, from `npm run bench -- ingest` (figures in the README), which
 * runs the handler from a minified bundle with source maps on, as the function is deployed:
 *
 * - The largest message SES accepts (40 MB, five 6 MB attachments) peaks at 129–133 MiB RSS
 *   on Node 20 and 142–159 MiB on Node 24, the runtime Lambda gives it (`--node lambda`), of
 *   which 76–88 and 103–104 MiB is Node itself, the SDK clients and mailparser, loaded.
 *   Attachments stream to S3, so the size of a message barely moves the peak.
 * - V8's young generation is capped at 4 MiB semi-spaces: the peak was 123–129 MiB with them
 *   and 131–133 MiB with Node's default 16 MiB (Node 20, without source maps), while CPU per
 *   message differed by less than the run-to-run noise. On Node 24: 150–151 MiB with 4 MiB,
 *   162 with the default, 153–159 with 16 or 32 MiB.
 * - 512 MB therefore leaves about 3× headroom. More memory would only buy CPU, and ingest is
 *   asynchronous: a typical message costs about 3 ms of CPU, the 40 MB one under a second.
 */
export const INGEST_MEMORY_MB = 512;
export const INGEST_NODE_FLAGS = ['--max-semi-space-size=4'] as const;
