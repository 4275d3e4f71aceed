import type { ComponentChildren } from 'preact';
import type { ApiError } from './api';
import { Alert, Button } from './forms';
import { CardLayout, Page } from './page';

/** Shown while the session check is in flight; it fades in late so fast loads don't flash. */
export function Loading({ label }: { label: string }) {
  return (
    <main id="main" class="loading" tabIndex={-1}>
      <p role="status" class="loading-text">
        <span class="spinner" aria-hidden="true" />
        {label}
      </p>
    </main>
  );
}

export function LoadError({
  brand,
  error,
  onRetry,
}: {
  brand: string;
  error: ApiError;
  onRetry: () => void;
}) {
  return (
    <CardLayout brand={brand}>
      <Page title="Something went wrong" app={brand}>
        <Alert tone="error">{error.message}</Alert>
        <Button variant="primary" onClick={onRetry}>
          Try again
        </Button>
      </Page>
    </CardLayout>
  );
}

/** What a list or section shows when it has nothing yet, and what to do next. */
export function EmptyState({ title, children }: { title?: string; children: ComponentChildren }) {
  return (
    <section class="empty-state" aria-label={title}>
      {title && <h2 class="empty-title">{title}</h2>}
      {children}
    </section>
  );
}

/** A section that couldn't load: what happened (the API's message) and a way to try again. */
export function ErrorPanel({
  title = "Couldn't load this",
  error,
  onRetry,
}: {
  title?: string;
  error: ApiError;
  onRetry?: () => void;
}) {
  return (
    <div class="error-panel">
      <Alert tone="error" title={title}>
        {error.message}
      </Alert>
      {onRetry && <Button onClick={onRetry}>Try again</Button>}
    </div>
  );
}

/** A loading line inside a page, announced politely. */
export function LoadingLine({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" class="loading-line">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
