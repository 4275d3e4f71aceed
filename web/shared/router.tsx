import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * A deliberately tiny client-side router on the History API: `usePath()` re-renders on
 * navigation, `navigate()` changes the URL, and `<Link>` turns plain clicks into navigations
 * while leaving new-tab, modified and external clicks to the browser.
 */

const listeners = new Set<() => void>();
let focusOnNextPage = false;

function notify(): void {
  for (const listener of listeners) listener();
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    focusOnNextPage = true;
    notify();
  });
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const current = location.pathname + location.search + location.hash;
  if (to === current) return;
  if (options.replace) {
    history.replaceState(null, '', to);
  } else {
    history.pushState(null, '', to);
    focusOnNextPage = true;
    window.scrollTo(0, 0);
  }
  notify();
}

/** The current pathname, kept in sync with navigations and the back/forward buttons. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    update();
    return () => {
      listeners.delete(update);
    };
  }, []);
  return path;
}

/** Ask the next page to take focus, e.g. after signing in swaps the form for the app. */
export function requestPageFocus(): void {
  focusOnNextPage = true;
}

/**
 * After an in-app navigation, move keyboard and screen-reader focus to the new page's heading,
 * as a full page load would. The first page of a visit keeps the browser's default focus.
 */
export function takeNavigationFocus(): boolean {
  const take = focusOnNextPage;
  focusOnNextPage = false;
  return take;
}

/** Splits `/console/domains/` into `['console', 'domains']`. */
export function segments(path: string): string[] {
  return path.split('/').filter(Boolean);
}

interface LinkProps {
  href: string;
  class?: string;
  current?: boolean;
  children: ComponentChildren;
}

export function Link({ href, class: className, current, children }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} class={className} aria-current={current ? 'page' : undefined} onClick={onClick}>
      {children}
    </a>
  );
}
