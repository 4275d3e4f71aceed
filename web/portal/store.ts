import { useEffect, useState } from 'preact/hooks';
import { type ApiError, query } from '../shared/api';
import { asApiError } from '../shared/session';
import { windowFieldsOf, type Folder, type MailWindowFields, type MessagePage, type Summary } from './model';
import { portalApi } from './nav';

export const PAGE_SIZE = 50;

export interface ListState extends MailWindowFields {
  items: Summary[];
  nextCursor: string | null;
  /** True once the first page has answered. */
  loaded: boolean;
  loading: boolean;
  error?: ApiError;
}

const EMPTY: ListState = { items: [], nextCursor: null, loaded: false, loading: false };

/**
 * The message lists the person has looked at this session, one per folder and search, so
 * switching folders or coming back from a message doesn't reload or lose "Load more" pages.
 */
export class MailStore {
  private lists = new Map<string, ListState>();
  private controllers = new Map<string, AbortController>();
  private listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  list(folder: Folder, q: string): ListState {
    return this.lists.get(key(folder, q)) ?? EMPTY;
  }

  /** Loads the first page unless it is loaded or loading. */
  ensure(folder: Folder, q: string): void {
    const state = this.lists.get(key(folder, q));
    if (!state || (!state.loaded && !state.loading && !state.error)) void this.load(folder, q, false);
  }

  refresh(folder: Folder, q: string): Promise<void> {
    return this.load(folder, q, false);
  }

  more(folder: Folder, q: string): Promise<void> {
    return this.load(folder, q, true);
  }

  /** Forget a folder's lists, e.g. Sent after sending; the next look loads them afresh. */
  invalidate(folder: Folder): void {
    for (const k of [...this.lists.keys()]) if (k.startsWith(`${folder}|`)) this.lists.delete(k);
    this.emit();
  }

  /** Apply a read/unread change to every list holding the message. */
  setRead(id: string, read: boolean): void {
    let changed = false;
    for (const [k, state] of this.lists) {
      if (!state.items.some((m) => m.id === id && m.read !== read)) continue;
      changed = true;
      this.lists.set(k, {
        ...state,
        items: state.items.map((m) => (m.id === id ? { ...m, read } : m)),
      });
    }
    if (changed) this.emit();
  }

  /** The message from whichever list holds it, to show its summary while the rest loads. */
  find(id: string): Summary | undefined {
    for (const state of this.lists.values()) {
      const hit = state.items.find((m) => m.id === id);
      if (hit) return hit;
    }
    return undefined;
  }

  private async load(folder: Folder, q: string, more: boolean): Promise<void> {
    const k = key(folder, q);
    const before = this.lists.get(k) ?? EMPTY;
    if (more && (!before.nextCursor || before.loading)) return;
    this.controllers.get(k)?.abort();
    const controller = new AbortController();
    this.controllers.set(k, controller);
    this.lists.set(k, { ...before, loading: true, error: undefined });
    this.emit();
    try {
      const page = await portalApi.get<MessagePage>(
        `/api/portal/messages${query({
          folder,
          q,
          limit: PAGE_SIZE,
          cursor: more ? (before.nextCursor ?? undefined) : undefined,
        })}`,
        controller.signal,
      );
      const items = more
        ? [...before.items, ...page.items.filter((m) => !before.items.some((o) => o.id === m.id))]
        : page.items;
      const windowSource = page.windowStart ? page : before;
      this.lists.set(k, {
        items,
        nextCursor: page.nextCursor ?? null,
        ...windowFieldsOf(windowSource),
        loaded: true,
        loading: false,
      });
    } catch (error) {
      if (controller.signal.aborted) return;
      this.lists.set(k, { ...(this.lists.get(k) ?? before), loading: false, error: asApiError(error) });
    }
    if (this.controllers.get(k) === controller) this.controllers.delete(k);
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

function key(folder: Folder, q: string): string {
  return `${folder}|${q.trim()}`;
}

/** Re-renders the caller whenever the store changes. */
export function useStore(store: MailStore): void {
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion((n) => n + 1)), [store]);
}
