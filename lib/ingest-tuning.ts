/**
 * The ingest function's sizing, from `npm run bench -- ingest` (figures in the README):
 *
 * - The largest message SES accepts (40 MB, five 6 MB attachments) peaks at 154–158 MiB RSS
 *   with V8's young generation capped at 4 MiB semi-spaces (about 168 MiB with Node's default
 *   16 MiB), of which about 85 MiB is the loaded SDK clients and mailparser. Attachments stream
 *   to S3, so the size of a message barely moves the peak. 2 MiB semi-spaces save another 4 MiB
 *   but cost about 18% more CPU per message in more frequent scavenges.
 * - 512 MB therefore leaves more than 3× headroom. More memory would only buy CPU, and ingest is
 *   asynchronous: a typical message costs about 4 ms of CPU, the 40 MB one under a second.
 */
export const INGEST_MEMORY_MB = 512;
export const INGEST_NODE_FLAGS = ['--max-semi-space-size=4'] as const;
