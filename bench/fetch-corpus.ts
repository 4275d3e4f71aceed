/** `npm run corpus`: fetches the email corpus into .cache/corpus/ (if needed) and prints what it holds. */
import { performance } from 'node:perf_hooks';
import { corpusIsCached, corpusManifests, ensureCorpus } from '../test/support/corpus';

async function main() {
  const cached = corpusIsCached();
  const started = performance.now();
  const corpus = await ensureCorpus();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${cached ? 'cached' : 'fetched'} in ${seconds.toFixed(2)} s: ${corpus.root}`);
  let files = 0;
  let bytes = 0;
  for (const m of corpusManifests(corpus.root)) {
    files += m.files.length;
    bytes += m.bytes;
    console.log(
      `  ${m.set.padEnd(13)} ${String(m.files.length).padStart(5)} messages ${(m.bytes / 2 ** 20).toFixed(1).padStart(5)} MiB  (${m.package} ${m.version})`,
    );
  }
  console.log(
    `  ${'total'.padEnd(13)} ${String(files).padStart(5)} messages ${(bytes / 2 ** 20).toFixed(1).padStart(5)} MiB`,
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
