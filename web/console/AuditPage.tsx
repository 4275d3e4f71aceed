import { query } from '../shared/api';
import { Address } from '../shared/Address';
import { DataTable, type Column } from '../shared/DataTable';
import { Page } from '../shared/page';
import { Pager, usePager } from '../shared/Pager';
import { useResource } from '../shared/resource';
import { EmptyState, ErrorPanel, LoadingLine } from '../shared/states';
import { Time } from '../shared/time';
import { type AuditEntry, CONSOLE_APP as APP, type ConsoleSession, isPartner, type List } from './model';

const PAGE_SIZE = 50;

const columns: Column<AuditEntry>[] = [
  { key: 'at', header: 'When', class: 'col-date', cell: (e) => <Time value={e.at} /> },
  { key: 'actor', header: 'Who', class: 'col-address', cell: (e) => <Address value={e.actor} /> },
  { key: 'action', header: 'Action', cell: (e) => <code>{e.action}</code> },
  { key: 'target', header: 'Target', class: 'col-address', cell: (e) => e.target || '—' },
  { key: 'details', header: 'Details', class: 'col-details', cell: (e) => <Details value={e.details} /> },
];

/** Details may be a sentence or a small object; show objects as `key: value` pairs. */
function Details({ value }: { value: unknown }) {
  if (value === undefined || value === null || value === '') return <span class="muted">—</span>;
  if (typeof value !== 'object') return <>{String(value)}</>;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return (
    <ul class="detail-pairs">
      {entries.map(([key, v]) => (
        <li key={key}>
          <span class="muted">{key}:</span> {typeof v === 'object' ? JSON.stringify(v) : String(v)}
        </li>
      ))}
    </ul>
  );
}

export function AuditPage({ session }: { session: ConsoleSession }) {
  const partner = isPartner(session);
  const pager = usePager();
  const { data, error, loading, reload } = useResource<List<AuditEntry>>(
    partner ? `/api/console/audit${query({ limit: PAGE_SIZE, cursor: pager.cursor })}` : null,
  );
  const forbidden = !partner || error?.status === 403;

  return (
    <Page title="Audit" app={APP} lead="Every change an admin or API token made: who, what, and when.">
      {forbidden && (
        <EmptyState title="Only partner admins can view the audit log">
          <p>
            It covers every domain of the deployment, so it is limited to partner admins. Ask a partner admin
            if you need to know who changed something in your domains.
          </p>
        </EmptyState>
      )}
      {!forbidden && error && !data && (
        <ErrorPanel title="Couldn't load the audit log" error={error} onRetry={reload} />
      )}
      {!forbidden && !data && loading && <LoadingLine label="Loading the audit log…" />}
      {!forbidden && data && data.items.length === 0 && (
        <EmptyState>
          <p>
            Nothing recorded yet. Changes to domains, products, users, passwords and tokens appear here as
            admins make them.
          </p>
        </EmptyState>
      )}
      {!forbidden && data && data.items.length > 0 && (
        <>
          {error && <ErrorPanel title="Couldn't load that page" error={error} onRetry={reload} />}
          <DataTable
            caption="Audit log"
            class="audit-table"
            columns={columns}
            rows={data.items}
            rowKey={(e) => `${e.at}|${e.actor}|${e.action}|${e.target}`}
            busy={loading}
          />
          <Pager pager={pager} nextCursor={data.nextCursor} label="Audit log pages" busy={loading} />
        </>
      )}
    </Page>
  );
}
