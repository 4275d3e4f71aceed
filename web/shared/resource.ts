import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api';
import { asApiError } from './session';

export interface Resource<T> {
  /** The last good answer; kept while a reload or the next page is in flight, so tables don't flash. */
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
  /** Change the held data after a successful write, without asking the server again. */
  update(change: (data: T) => T): void;
}

/**
 * GETs `path` (null: nothing to load yet) and again whenever it changes or `reload()` is called.
 * A newer request aborts the older one, so a slow answer never overwrites a newer one.
 */
export function useResource<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(path !== null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setLoading(true);
    setError(undefined);
    api
      .get<T>(path, controller.signal)
      .then((answer) => {
        setData(answer);
        setLoading(false);
      })
      .catch((cause: unknown) => {
        if (controller.signal.aborted) return;
        setError(cause instanceof ApiError ? cause : asApiError(cause));
        setLoading(false);
      });
    return () => controller.abort();
  }, [path, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const update = useCallback(
    (change: (data: T) => T) => setData((d) => (d === undefined ? d : change(d))),
    [],
  );
  return { data, error, loading, reload, update };
}
