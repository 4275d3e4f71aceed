import { useState } from 'preact/hooks';
import { query } from '../shared/api';
import { Address } from '../shared/Address';
import { Badge } from '../shared/Badge';
import { DataTable, type Column } from '../shared/DataTable';
import { Dialog, DialogActions } from '../shared/Dialog';
import { Button, Field, Select } from '../shared/forms';
import { Pager, usePager } from '../shared/Pager';
import { useResource } from '../shared/resource';
import { EmptyState, ErrorPanel, LoadingLine } from '../shared/states';
import { formatTime, Time } from '../shared/time';
import {
  type Domain,
  domainApi,
  formatSize,
  type List,
  LOG_ACTIONS,
  type LogEntry,
  VERDICT_NAMES,
  VERDICTS,
} from './model';

const PAGE_SIZE = 50;
const DAY_MS = 24 * 60 * 60 * 1000;
const RETENTION_DAYS = 14;

const RANGES = [
  { value: '1', label: 'Last 24 hours' },
  { value: '3', label: 'Last 3 days' },
  { value: '7', label: 'Last 7 days' },
  { value: '14', label: 'Last 14 days' },
  { value: 'custom', label: 'Custom range' },
] as const;
type Range = (typeof RANGES)[number]['value'];

const ACTION_OPTIONS = [
  { value: '', label: 'All actions' },
  ...Object.entries(LOG_ACTIONS).map(([value, { label }]) => ({ value, label })),
];

interface Filters {
  range: Range;
  /** `datetime-local` values (the viewer's time zone), for the custom range. */
  from: string;
  to: string;
  sender: string;
  recipient: string;
  subject: string;
  action: string;
}

const EMPTY: Filters = { range: '1', from: '', to: '', sender: '', recipient: '', subject: '', action: '' };

/** `2024-05-01T09:30` in the viewer's time zone, as `datetime-local` inputs want. */
function localInputValue(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

/** The query for a set of filters; preset ranges are counted back from the moment they're applied. */
function toQuery(filters: Filters, now: number) {
  let from: string | undefined;
  let to: string | undefined;
  if (filters.range === 'custom') {
    if (filters.from) from = new Date(filters.from).toISOString();
    if (filters.to) to = new Date(filters.to).toISOString();
  } else {
    from = new Date(now - Number(filters.range) * DAY_MS).toISOString();
  }
  return {
    from,
    to,
    sender: filters.sender.trim(),
    recipient: filters.recipient.trim(),
    subject: filters.subject.trim(),
    action: filters.action,
  };
}

export function LogsTab({ domain }: { domain: Domain }) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState(() => ({ filters: EMPTY, at: Date.now() }));
  const [rangeProblem, setRangeProblem] = useState<string | undefined>();
  const [open, setOpen] = useState<LogEntry | undefined>();
  const pager = usePager();

  const path = domainApi(
    domain.name,
    `/logs${query({ ...toQuery(applied.filters, applied.at), limit: PAGE_SIZE, cursor: pager.cursor })}`,
  );
  const { data, error, loading, reload } = useResource<List<LogEntry>>(path);

  const set =
    <K extends keyof Filters>(key: K) =>
    (value: Filters[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));

  const apply = (event: SubmitEvent) => {
    event.preventDefault();
    if (draft.range === 'custom' && draft.from && draft.to && draft.from > draft.to) {
      setRangeProblem('"From" must be before "To".');
      return;
    }
    setRangeProblem(undefined);
    pager.reset();
    // Preset ranges count back from now, so the query changes and "Search" also refreshes; a
    // custom range may give the very same query, so ask again explicitly.
    setApplied({ filters: draft, at: Date.now() });
    if (draft.range === 'custom') reload();
  };
  const clear = () => {
    setDraft(EMPTY);
    setRangeProblem(undefined);
    pager.reset();
    setApplied({ filters: EMPTY, at: Date.now() });
  };

  const now = new Date();
  const earliest = localInputValue(new Date(now.getTime() - RETENTION_DAYS * DAY_MS));
  const latest = localInputValue(now);
  const filtered = JSON.stringify(applied.filters) !== JSON.stringify(EMPTY);

  const columns: Column<LogEntry>[] = [
    {
      key: 'time',
      header: 'Time',
      class: 'col-date',
      cell: (entry) => (
        <button
          type="button"
          class="link-button row-open"
          onClick={() => setOpen(entry)}
          aria-label={`Details of the message to ${entry.recipient}, ${formatTime(entry.receivedAt).title}`}
        >
          <Time value={entry.receivedAt} />
        </button>
      ),
    },
    {
      key: 'sender',
      header: 'Sender',
      class: 'col-address',
      cell: (e) => (e.envelopeSender ? <Address value={e.envelopeSender} /> : <Empty text="(none)" />),
    },
    {
      key: 'recipient',
      header: 'Recipient',
      class: 'col-address',
      cell: (e) => <Address value={e.recipient} />,
    },
    {
      key: 'subject',
      header: 'Subject',
      class: 'col-subject',
      cell: (e) => (e.subject ? <span class="clamp">{e.subject}</span> : <Empty text="(no subject)" />),
    },
    { key: 'action', header: 'Action', class: 'col-action', cell: (e) => <ActionBadge action={e.action} /> },
    { key: 'size', header: 'Size', class: 'col-num', cell: (e) => formatSize(e.size) },
  ];

  return (
    <div class="stack-lg">
      <p class="muted">Logs are kept 14 days for every domain, whether or not XtraMail is on.</p>
      <form class="panel log-filters" role="search" aria-label="Filter logs" onSubmit={apply} noValidate>
        <div class="filter-grid">
          <Select
            label="Time range"
            name="range"
            value={draft.range}
            options={RANGES}
            onValue={set('range')}
          />
          {draft.range === 'custom' && (
            <>
              <Field
                label="From"
                type="datetime-local"
                name="from"
                value={draft.from}
                onValue={set('from')}
                min={earliest}
                max={latest}
                error={rangeProblem}
              />
              <Field
                label="To"
                type="datetime-local"
                name="to"
                value={draft.to}
                onValue={set('to')}
                min={earliest}
                max={latest}
              />
            </>
          )}
          <Field
            label="Sender"
            name="sender"
            value={draft.sender}
            onValue={set('sender')}
            autoComplete="off"
          />
          <Field
            label="Recipient"
            name="recipient"
            value={draft.recipient}
            onValue={set('recipient')}
            autoComplete="off"
          />
          <Field
            label="Subject"
            name="subject"
            value={draft.subject}
            onValue={set('subject')}
            autoComplete="off"
          />
          <Select
            label="Action"
            name="action"
            value={draft.action}
            options={ACTION_OPTIONS}
            onValue={set('action')}
          />
        </div>
        <div class="filter-actions">
          <Button type="submit" variant="primary" icon="search" busy={loading && !!data}>
            Search
          </Button>
          <Button variant="quiet" onClick={clear}>
            Clear filters
          </Button>
        </div>
      </form>

      {error && !data && <ErrorPanel title="Couldn't load the logs" error={error} onRetry={reload} />}
      {!data && loading && <LoadingLine label="Loading logs…" />}
      {data && data.items.length === 0 && (
        <EmptyState>
          {filtered ? (
            <p>No messages match these filters. Widen the time range or clear the filters.</p>
          ) : (
            <p>
              No mail for {domain.name} in the last 24 hours. Choose a longer time range, or check that the
              domain's MX records (or your gateway) send its mail to XtraMail.
            </p>
          )}
        </EmptyState>
      )}
      {data && data.items.length > 0 && (
        <div>
          {error && <ErrorPanel title="Couldn't load that page" error={error} onRetry={reload} />}
          <DataTable
            caption={`Message log of ${domain.name}`}
            class="logs-table"
            columns={columns}
            rows={data.items}
            rowKey={(e) => e.id}
            onRowClick={setOpen}
            busy={loading}
          />
          <Pager pager={pager} nextCursor={data.nextCursor} label="Log pages" busy={loading} />
        </div>
      )}
      {open && <LogDetail entry={open} onClose={() => setOpen(undefined)} />}
    </div>
  );
}

function Empty({ text }: { text: string }) {
  return <span class="muted">{text}</span>;
}

function ActionBadge({ action }: { action: string }) {
  const known = LOG_ACTIONS[action];
  return <Badge tone={known?.tone ?? 'neutral'}>{known?.label ?? action}</Badge>;
}

const VERDICT_MEANING: Partial<Record<string, Partial<Record<string, string>>>> = {
  spam: { PASS: 'not spam', FAIL: 'spam' },
  virus: { PASS: 'no virus found', FAIL: 'virus found' },
};
const ANY_VERDICT_MEANING: Partial<Record<string, string>> = {
  GRAY: 'inconclusive',
  PROCESSING_FAILED: "the check couldn't run",
  DISABLED: 'check turned off',
};

function LogDetail({ entry, onClose }: { entry: LogEntry; onClose: () => void }) {
  const action = LOG_ACTIONS[entry.action];
  const received = formatTime(entry.receivedAt);
  return (
    <Dialog title="Message details" size="large" onClose={onClose}>
      <div class="stack">
        <div class="action-explained">
          <ActionBadge action={entry.action} />
          <p>{action?.explanation ?? `XtraMail recorded the action "${entry.action}".`}</p>
        </div>
        <dl class="details details-dense">
          <div>
            <dt>Received</dt>
            <dd>
              <time dateTime={received.iso}>{received.title}</time>
            </dd>
          </div>
          <div>
            <dt>Envelope sender</dt>
            <dd>{entry.envelopeSender || <Empty text="(none: a bounce or notification)" />}</dd>
          </div>
          <div>
            <dt>From</dt>
            <dd>{entry.from || <Empty text="(none)" />}</dd>
          </div>
          <div>
            <dt>Recipient</dt>
            <dd>{entry.recipient}</dd>
          </div>
          <div>
            <dt>Subject</dt>
            <dd>{entry.subject || <Empty text="(no subject)" />}</dd>
          </div>
          <div>
            <dt>Size</dt>
            <dd>{formatSize(entry.size)}</dd>
          </div>
          <div>
            <dt>Message ID</dt>
            <dd>
              <code>{entry.id}</code>
            </dd>
          </div>
        </dl>
        <h3 id="verdicts-heading">Verdicts</h3>
        <dl class="verdicts" aria-labelledby="verdicts-heading">
          {VERDICT_NAMES.map(([key, name]) => {
            const value = entry.verdicts?.[key];
            const verdict = value ? VERDICTS[value] : undefined;
            const meaning = value ? (VERDICT_MEANING[key]?.[value] ?? ANY_VERDICT_MEANING[value]) : undefined;
            return (
              <div key={key}>
                <dt>{name}</dt>
                <dd>
                  <Badge tone={verdict?.tone ?? 'neutral'}>{verdict?.label ?? value ?? 'Unknown'}</Badge>
                  {meaning && <span class="muted"> {meaning}</span>}
                </dd>
              </div>
            );
          })}
        </dl>
        <DialogActions>
          <Button variant="primary" onClick={onClose}>
            Close
          </Button>
        </DialogActions>
      </div>
    </Dialog>
  );
}
