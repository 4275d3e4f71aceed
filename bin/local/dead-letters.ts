import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The local runtime's HTTP route that `npm run replay-dlq` calls. */
export const LOCAL_REPLAY_PATH = '/_local/replay-dead-letters';

/** One event the local async invoker gave up on: the local stand-in for an SQS DLQ message. */
export interface DeadLetter<E> {
  function: string;
  error: string;
  event: E;
}

export function writeDeadLetter<E>(dir: string, letter: DeadLetter<E>): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${Date.now()}-${letter.function}-${process.pid}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(letter, null, 2));
  renameSync(`${file}.tmp`, file);
  return file;
}

/**
 * Re-drives every dead letter through `invoke` (the handler, awaited). A letter is removed only
 * after its event succeeded, so a replay that fails again keeps it for the next try.
 */
export async function replayDeadLetters<E>(
  dir: string,
  invoke: (letter: DeadLetter<E>) => Promise<void>,
): Promise<{ replayed: number; failed: Array<{ file: string; error: string }> }> {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch {
    return { replayed: 0, failed: [] };
  }
  let replayed = 0;
  const failed: Array<{ file: string; error: string }> = [];
  for (const name of files) {
    const file = path.join(dir, name);
    try {
      await invoke(JSON.parse(readFileSync(file, 'utf8')) as DeadLetter<E>);
      rmSync(file);
      replayed++;
    } catch (error) {
      failed.push({ file, error: String(error) });
    }
  }
  return { replayed, failed };
}
