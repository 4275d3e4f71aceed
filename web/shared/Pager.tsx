import { useCallback, useState } from 'preact/hooks';
import { Button } from './forms';

export interface PagerState {
  /** The cursor for the page on screen (undefined: the first page). */
  cursor: string | undefined;
  /** 1-based page number. */
  page: number;
  next(cursor: string): void;
  previous(): void;
  reset(): void;
}

/**
 * Cursor paging keeps a stack of the cursors that led to each page: "Next" pushes the list's
 * `nextCursor`, "Previous" pops back to the cursor of the page before.
 */
export function usePager(): PagerState {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  const next = useCallback((cursor: string) => setStack((s) => [...s, cursor]), []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(
    () => setStack((s) => (s.length === 1 && s[0] === undefined ? s : [undefined])),
    [],
  );
  return { cursor: stack[stack.length - 1], page: stack.length, next, previous, reset };
}

interface PagerProps {
  pager: PagerState;
  nextCursor: string | null | undefined;
  /** What the list holds, for the label: "Users pages". */
  label: string;
  /** Optional text such as "Showing 51–100 of 240". */
  summary?: string;
  busy?: boolean;
}

export function Pager({ pager, nextCursor, label, summary, busy }: PagerProps) {
  if (pager.page === 1 && !nextCursor && !summary) return null;
  return (
    <nav class="pager" aria-label={label}>
      <p class="pager-summary">{summary ?? `Page ${pager.page}`}</p>
      <div class="pager-buttons">
        <Button disabled={pager.page === 1 || busy} onClick={pager.previous}>
          Previous
        </Button>
        <Button disabled={!nextCursor || busy} onClick={() => nextCursor && pager.next(nextCursor)}>
          Next
        </Button>
      </div>
    </nav>
  );
}
