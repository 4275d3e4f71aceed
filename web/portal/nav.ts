import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api';
import { navigate } from '../shared/router';

/**
 * The shared router follows the path only; the portal also keeps `?q=` in the URL. `go()`
 * navigates and tells `useSearchParam` readers, as does the back button.
 */
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function go(to: string, options: { replace?: boolean } = {}): void {
  navigate(to, options);
  notify();
}

export function useSearchParam(name: string): string {
  const read = () => new URLSearchParams(location.search).get(name) ?? '';
  const [value, setValue] = useState(read);
  useEffect(() => {
    const update = () => setValue(read());
    listeners.add(update);
    update();
    return () => {
      listeners.delete(update);
    };
  }, [name]);
  return value;
}

/** A link that navigates in-app on a plain click, keeping new-tab and modified clicks native. */
export function onPlainClick(href: string, before?: () => void) {
  return (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    before?.();
    go(href);
  };
}

/** True when a key press belongs to a text field rather than to the page's shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file'].includes(type);
}

/**
 * Portal calls go through here: while the password is temporary every route but the session
 * answers 403 `password_change_required`, and the app then shows the change-password screen.
 */
let passwordRequired: (() => void) | undefined;

export function onPasswordRequired(listener: () => void): () => void {
  passwordRequired = listener;
  return () => {
    if (passwordRequired === listener) passwordRequired = undefined;
  };
}

function watch<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error: unknown) => {
    if (
      error instanceof Error &&
      'code' in error &&
      (error as { code: unknown }).code === 'password_change_required'
    )
      passwordRequired?.();
    throw error;
  });
}

export const portalApi = {
  get: <T>(path: string, signal?: AbortSignal) => watch(api.get<T>(path, signal)),
  post: <T>(path: string, body?: unknown) => watch(api.post<T>(path, body)),
  put: <T>(path: string, body?: unknown) => watch(api.put<T>(path, body)),
  patch: <T>(path: string, body?: unknown) => watch(api.patch<T>(path, body)),
};
