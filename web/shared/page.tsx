import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { takeNavigationFocus } from './router';

interface PageProps {
  /** The page's `<h1>`. */
  title: string;
  /** Suffix for the document title, e.g. "XtraMail Console". */
  app?: string;
  lead?: ComponentChildren;
  /** Buttons beside the heading, e.g. "Add domain". */
  actions?: ComponentChildren;
  /** Links to the pages above this one, shown over the heading. */
  breadcrumb?: ComponentChildren;
  children?: ComponentChildren;
}

/** A page body: the one `<h1>`, the document title, and focus on the heading after navigation. */
export function Page({ title, app = 'XtraMail', lead, actions, breadcrumb, children }: PageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  const path = location.pathname;
  useEffect(() => {
    document.title = title === app ? app : `${title} · ${app}`;
    if (takeNavigationFocus()) heading.current?.focus();
  }, [title, app, path]);
  const h1 = (
    <h1 ref={heading} tabIndex={-1}>
      {title}
    </h1>
  );
  return (
    <>
      {breadcrumb && (
        <nav class="breadcrumb" aria-label="Breadcrumb">
          {breadcrumb}
        </nav>
      )}
      {actions ? (
        <div class="page-header">
          {h1}
          <div class="page-actions">{actions}</div>
        </div>
      ) : (
        h1
      )}
      {lead && <p class="lead">{lead}</p>}
      {children}
    </>
  );
}

/** Centred, narrow layout for sign-in and other single-card pages. */
export function CardLayout({ children, brand }: { children: ComponentChildren; brand: string }) {
  return (
    <div class="card-layout">
      <a class="brand brand-standalone" href="/">
        <BrandMark />
        <span>{brand}</span>
      </a>
      <main id="main" class="card" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function BrandMark() {
  return (
    <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" />
      <path d="M7 10h18v12H7zM7 10l9 7 9-7" />
    </svg>
  );
}

export function SkipLink() {
  return (
    <a class="skip-link" href="#main">
      Skip to main content
    </a>
  );
}
