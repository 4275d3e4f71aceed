import { useEffect, useState } from 'preact/hooks';
import { HeaderCheckbox } from '../shared/HeaderCheckbox';
import { type ApiError, api, query } from '../shared/api';
import { Address } from '../shared/Address';
import { Badge } from '../shared/Badge';
import { type Column, DataTable } from '../shared/DataTable';
import { Dialog, DialogActions } from '../shared/Dialog';
import { Alert, Button, Field, Select } from '../shared/forms';
import { Pager, usePager } from '../shared/Pager';
import { useResource } from '../shared/resource';
import { asApiError } from '../shared/session';
import { EmptyState, ErrorPanel, LoadingLine } from '../shared/states';
import { formatTime, Time } from '../shared/time';
import { toast } from '../shared/toast';
import { type Domain, domainApi, formatCount, formatSize, plural } from './model';

const PAGE_SIZE = 50;
/** While mail is held or being released the tab refreshes itself this often. */
const POLL_MS = 3000;
/** The only secrets the deliver function may read (its IAM policy in lib/mail-flow.ts). */
const SMTP_SECRET_PREFIX = 'xtramail/smtp/';
const HOLD_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;
const PORT_25_WARNING =
  "AWS blocks outbound port 25 from Lambda. Use your mail server's or a relay's submission port (587 or 2525) with SMTP credentials.";

type TlsMode = 'required' | 'opportunistic';

export interface MailFlowDestination {
  host: string;
  port: number;
  tls: TlsMode;
  credentialsSecretArn?: string;
}

export interface MailFlowSettings {
  inbound: 'deliver' | 'paused';
  destination?: MailFlowDestination;
  /** Share of recent attempts that must succeed for Good, 0–1 (0.9). */
  goodThreshold: number;
  /** Shown to portal users while set. */
  notice?: string;
}

/** One of the last SMTP answers, as GET …/mail-flow returns them. */
export interface SmtpReply {
  at: string;
  outcome: 'delivered' | 'deferred' | 'failed';
  code?: number;
  response: string;
}

export interface MailFlow {
  settings: MailFlowSettings;
  status: { state: 'good' | 'bad'; attempts: number; successes: number; lastReplies: SmtpReply[] };
  /** `releasing`: released and on their way in receipt order; counted until delivered. */
  held: { count: number; releasing?: number; oldest?: string | null };
}

export interface HeldMessage {
  id: string;
  receivedAt: string;
  envelopeFrom: string;
  recipients: string[];
  subject?: string;
  size?: number;
  releasing?: boolean;
}

interface HeldList {
  items: HeldMessage[];
  nextCursor?: string | null;
}

const TLS_OPTIONS: readonly { value: TlsMode; label: string }[] = [
  { value: 'required', label: 'STARTTLS required' },
  { value: 'opportunistic', label: 'STARTTLS when offered (opportunistic)' },
];

/** The backend answers an unknown route with 404 `not_found` "There is no API route …" (or a bare 404). */
function isMissingRoute(error: ApiError | undefined): boolean {
  if (!error || error.status !== 404) return false;
  if (error.code === 'http_404') return true;
  return error.code === 'not_found' && /no API route/i.test(error.message);
}

function Unavailable() {
  return (
    <EmptyState title="Mail Flow">
      <p>Mail Flow isn't available on this server yet.</p>
      <p class="muted">
        The other tabs work as usual. Mail Flow appears here once this deployment is updated.
      </p>
    </EmptyState>
  );
}

export function MailFlowTab({ domain }: { domain: Domain }) {
  const name = domain.name;
  const resource = useResource<MailFlow>(domainApi(name, '/mail-flow'));
  const { data, error, loading, reload, update } = resource;
  // Held mail changes without the admin doing anything (mail arrives, a release drains), so
  // while there is any, the tab and the held list refresh themselves.
  const [tick, setTick] = useState(0);
  const live = data !== undefined && (data.settings.inbound === 'paused' || data.held.count > 0);
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(() => {
      reload();
      setTick((n) => n + 1);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [live, reload]);

  if (isMissingRoute(error)) return <Unavailable />;
  if (error && !data)
    return <ErrorPanel title={`Couldn't load Mail Flow for ${name}`} error={error} onRetry={reload} />;
  if (!data) return <LoadingLine label="Loading Mail Flow…" />;

  /** PUTs the whole settings object with `change` applied, then shows the overview afresh. */
  const save = async (change: Partial<MailFlowSettings>): Promise<Saved> => {
    const settings: MailFlowSettings = { ...data.settings, ...change };
    const { released } = await api.put<{ settings: MailFlowSettings; released: number }>(
      domainApi(name, '/mail-flow'),
      settings,
    );
    const fresh = await api.get<MailFlow>(domainApi(name, '/mail-flow'));
    update(() => fresh);
    return { ...fresh, released };
  };

  return (
    <div class="stack-lg mail-flow" aria-busy={loading ? 'true' : undefined}>
      {error && <ErrorPanel title="Couldn't refresh Mail Flow" error={error} onRetry={reload}></ErrorPanel>}
      <StatusCard flow={data} onRefresh={reload} loading={loading} />
      <DeliveryPanel domain={name} flow={data} save={save} />
      <DestinationForm flow={data} save={save} />
      <HeldQueue domain={name} flow={data} onChanged={reload} tick={tick} />
    </div>
  );
}

/** The overview after a save, with how many held messages that save released. */
type Saved = MailFlow & { released: number };
type Save = (change: Partial<MailFlowSettings>) => Promise<Saved>;

const OUTCOME_BADGE = {
  delivered: { tone: 'success', label: 'Accepted' },
  deferred: { tone: 'warning', label: 'Deferred' },
  failed: { tone: 'danger', label: 'Refused' },
} as const;

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

function StatusCard({
  flow,
  onRefresh,
  loading,
}: {
  flow: MailFlow;
  onRefresh: () => void;
  loading: boolean;
}) {
  const { status, settings } = flow;
  const good = status.state === 'good';
  const replyColumns: Column<SmtpReply>[] = [
    { key: 'at', header: 'Time', class: 'col-date', cell: (r) => <Time value={r.at} /> },
    {
      key: 'outcome',
      header: 'Result',
      class: 'col-action',
      cell: (r) => {
        const badge = OUTCOME_BADGE[r.outcome] ?? OUTCOME_BADGE.failed;
        return <Badge tone={badge.tone}>{badge.label}</Badge>;
      },
    },
    {
      key: 'reply',
      header: 'SMTP reply',
      cell: (r) => (
        <code class="smtp-reply">{[r.code, r.response].filter((part) => part !== undefined).join(' ')}</code>
      ),
    },
  ];
  return (
    <section class="panel" aria-labelledby="mail-flow-status-heading">
      <div class="mail-flow-heading">
        <h2 id="mail-flow-status-heading">Status</h2>
        <Button variant="quiet" icon="refresh" busy={loading} onClick={onRefresh}>
          Refresh
        </Button>
      </div>
      <p class="mail-flow-state">
        <Badge tone={good ? 'success' : 'danger'}>{good ? 'Good' : 'Bad'}</Badge>{' '}
        {status.attempts === 0 ? (
          <span>No delivery attempts yet.</span>
        ) : (
          <span>
            {formatCount(status.successes)} of the last {plural(status.attempts, 'delivery', 'deliveries')}{' '}
            succeeded.
          </span>
        )}
      </p>
      <p class="muted">
        Good while at least {percent(settings.goodThreshold)} of recent deliveries succeed; Bad otherwise.
        Domain admins get an email when the status changes.
      </p>
      {status.lastReplies.length > 0 ? (
        <DataTable
          caption="Last SMTP replies from the destination"
          showCaption
          class="replies-table"
          columns={replyColumns}
          rows={status.lastReplies}
          rowKey={(r) => `${r.at}|${r.response}`}
        />
      ) : (
        <p class="muted">No SMTP replies yet.</p>
      )}
    </section>
  );
}

function DeliveryPanel({ domain, flow, save }: { domain: string; flow: MailFlow; save: Save }) {
  const paused = flow.settings.inbound === 'paused';
  const [dialog, setDialog] = useState<'pause' | 'resume' | undefined>();
  const [notice, setNotice] = useState(flow.settings.notice ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => setNotice(flow.settings.notice ?? ''), [flow.settings.notice]);

  const apply = async (change: Partial<MailFlowSettings>, done: (answer: Saved) => string) => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await save(change);
      setDialog(undefined);
      toast(done(answer));
    } catch (cause) {
      setError(asApiError(cause).message);
      setDialog(undefined);
    } finally {
      setBusy(false);
    }
  };

  const pause = () =>
    void apply(
      { inbound: 'paused', notice: notice.trim() || undefined },
      () => `Inbound delivery is paused for ${domain}. New mail is held for up to ${HOLD_DAYS} days.`,
    );
  const resume = () =>
    void apply({ inbound: 'deliver', notice: undefined }, (answer) =>
      answer.released > 0
        ? `Delivery resumed for ${domain}. ${plural(answer.released, 'held message')} are being released in the order they arrived.`
        : `Delivery resumed for ${domain}.`,
    );
  const saveNotice = (event: SubmitEvent) => {
    event.preventDefault();
    const text = notice.trim();
    void apply({ notice: text || undefined }, () =>
      text ? 'The notice is saved. Portal users see it now.' : 'The notice is removed from the portal.',
    );
  };

  return (
    <section class="panel" aria-labelledby="delivery-heading">
      <h2 id="delivery-heading">Inbound delivery</h2>
      {error && (
        <Alert tone="error" title="Couldn't change inbound delivery">
          {error} Nothing changed; try again.
        </Alert>
      )}
      <div class="switch-row">
        <button
          type="button"
          role="switch"
          class="switch"
          aria-checked={paused ? 'false' : 'true'}
          aria-describedby="delivery-explained"
          aria-busy={busy ? 'true' : undefined}
          disabled={busy}
          onClick={() => setDialog(paused ? 'resume' : 'pause')}
        >
          <span class="switch-track" aria-hidden="true">
            <span class="switch-thumb" />
          </span>
          <span class="switch-label">Deliver inbound mail</span>
          <span class="switch-state" aria-hidden="true">
            {paused ? 'Paused' : 'Deliver'}
          </span>
        </button>
      </div>
      <p id="delivery-explained" class="check-explanation">
        {paused ? (
          <>
            <strong>Paused.</strong> Mail for {domain} is held for up to {HOLD_DAYS} days while users keep
            working in the portal. Turn delivery back on to release it in the order it arrived.
          </>
        ) : (
          <>
            <strong>Delivering.</strong> Mail for {domain} is passed on to the destination below as it
            arrives. Pause it to hold new mail here instead.
          </>
        )}
      </p>
      {paused && (
        <form class="stack notice-form" onSubmit={saveNotice}>
          <Field
            label="Notice for portal users (optional)"
            name="notice"
            value={notice}
            onValue={setNotice}
            maxLength={500}
            hint="Shown at the top of the portal while delivery is paused. Leave it empty to show none."
          />
          <div>
            <Button type="submit" busy={busy} disabled={notice.trim() === (flow.settings.notice ?? '')}>
              Save notice
            </Button>
          </div>
        </form>
      )}
      {dialog === 'pause' && (
        <Dialog title={`Pause inbound delivery for ${domain}?`} onClose={() => setDialog(undefined)}>
          <div class="stack">
            <p>
              Mail for <strong>{domain}</strong> is held for up to {HOLD_DAYS} days; users keep working in the
              portal; resume to release it in the order it arrived.
            </p>
            <p class="muted">Mail still held after {HOLD_DAYS} days expires, and domain admins are told.</p>
            <Field
              label="Notice for portal users (optional)"
              name="pause-notice"
              value={notice}
              onValue={setNotice}
              maxLength={500}
              placeholder="Our mail server is under maintenance; mail arrives here meanwhile."
              hint="Shown at the top of the portal while delivery is paused."
            />
            <DialogActions>
              <Button onClick={() => setDialog(undefined)} autoFocus>
                Keep delivering
              </Button>
              <Button variant="danger" busy={busy} onClick={pause}>
                Pause delivery
              </Button>
            </DialogActions>
          </div>
        </Dialog>
      )}
      {dialog === 'resume' && (
        <Dialog title={`Resume delivery for ${domain}?`} size="small" onClose={() => setDialog(undefined)}>
          <div class="stack">
            <p>
              New mail goes to the destination again.{' '}
              {flow.held.count > 0
                ? `The ${plural(flow.held.count, 'held message')} are released in the order they arrived, a few at a time so the mail server isn't flooded.`
                : 'No mail is held.'}
            </p>
            {flow.settings.notice && <p>The notice for portal users is removed.</p>}
            <DialogActions>
              <Button onClick={() => setDialog(undefined)} autoFocus>
                Stay paused
              </Button>
              <Button variant="primary" busy={busy} onClick={resume}>
                Resume delivery
              </Button>
            </DialogActions>
          </div>
        </Dialog>
      )}
    </section>
  );
}

interface DestinationDraft {
  host: string;
  port: string;
  tls: TlsMode;
  arn: string;
  threshold: string;
}

function draftOf(settings: MailFlowSettings): DestinationDraft {
  const d = settings.destination;
  return {
    host: d?.host ?? '',
    port: d ? String(d.port) : '587',
    tls: d?.tls ?? 'required',
    arn: d?.credentialsSecretArn ?? '',
    threshold: String(Math.round(settings.goodThreshold * 1000) / 10),
  };
}

type Problems = Partial<Record<keyof DestinationDraft, string>>;

function check(draft: DestinationDraft): Problems {
  const problems: Problems = {};
  const host = draft.host.trim();
  if (!host) problems.host = 'Enter the host name of your mail server or relay, e.g. smtp.office365.com.';
  else if (/[\s/:@]/.test(host)) problems.host = 'Enter a host name only, without a scheme, port or path.';
  const port = draft.port.trim();
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)
    problems.port = 'Enter a port number from 1 to 65535, usually 587.';
  const arn = draft.arn.trim();
  if (arn && !/^arn:aws[a-z-]*:secretsmanager:/.test(arn))
    problems.arn = 'Enter a Secrets Manager ARN (arn:aws:secretsmanager:…), or leave it empty.';
  else if (arn && !arn.includes(`:secret:${SMTP_SECRET_PREFIX}`))
    problems.arn = `Mail Flow can read only secrets named ${SMTP_SECRET_PREFIX}…; create the secret under that name.`;
  const threshold = Number(draft.threshold.trim());
  if (!draft.threshold.trim() || !Number.isFinite(threshold) || threshold <= 0 || threshold > 100)
    problems.threshold = 'Enter a percentage from 1 to 100, e.g. 90.';
  return problems;
}

function DestinationForm({ flow, save }: { flow: MailFlow; save: Save }) {
  const [draft, setDraft] = useState(() => draftOf(flow.settings));
  const [problems, setProblems] = useState<Problems>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const set = (key: keyof DestinationDraft) => (value: string) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setProblems((p) => ({ ...p, [key]: undefined }));
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const found = check(draft);
    setProblems(found);
    if (Object.values(found).some(Boolean)) return;
    setBusy(true);
    setError(undefined);
    try {
      const arn = draft.arn.trim();
      const answer = await save({
        destination: {
          host: draft.host.trim(),
          port: Number(draft.port.trim()),
          tls: draft.tls,
          ...(arn ? { credentialsSecretArn: arn } : {}),
        },
        goodThreshold: Number(draft.threshold.trim()) / 100,
      });
      setDraft(draftOf(answer.settings));
      toast('Destination settings saved.');
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  const port25 = draft.port.trim() === '25';
  return (
    <form
      class="panel destination-form"
      aria-labelledby="destination-heading"
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <h2 id="destination-heading">Destination</h2>
      <p class="muted check-explanation">
        Where XtraMail delivers each message: your primary mail server (Microsoft 365, Google Workspace,
        Exchange) or a relay in front of it.
      </p>
      {!flow.settings.destination && (
        <Alert tone="info">No destination is set yet. Enter your mail server below and save.</Alert>
      )}
      {error && (
        <Alert tone="error" title="Couldn't save the destination">
          {error} Your changes are still in the form; check them and try Save again.
        </Alert>
      )}
      <div class="destination-grid">
        <Field
          label="Host"
          name="host"
          value={draft.host}
          onValue={set('host')}
          required
          placeholder="smtp.example.com"
          error={problems.host}
        />
        <Field
          label="Port"
          name="port"
          value={draft.port}
          onValue={set('port')}
          required
          maxLength={5}
          hint="Usually 587 or 2525."
          error={problems.port}
        />
        <Select label="TLS" name="tls" value={draft.tls} options={TLS_OPTIONS} onValue={set('tls')} />
      </div>
      {port25 && (
        <Alert tone="warning" title="Port 25 won't work">
          {PORT_25_WARNING}
        </Alert>
      )}
      <Field
        label="SMTP credentials secret ARN (optional)"
        name="credentialsSecretArn"
        value={draft.arn}
        onValue={set('arn')}
        placeholder={`arn:aws:secretsmanager:region:account:secret:${SMTP_SECRET_PREFIX}example.com`}
        hint={`A Secrets Manager secret named ${SMTP_SECRET_PREFIX}… holding {"user": …, "pass": …}. Mail Flow may read only secrets under ${SMTP_SECRET_PREFIX}. Needed on submission ports.`}
        error={problems.arn}
      />
      <Field
        label="Good status threshold (%)"
        name="goodThreshold"
        class="field-narrow"
        value={draft.threshold}
        onValue={set('threshold')}
        maxLength={5}
        hint="Status is Good while at least this share of recent deliveries succeed."
        error={problems.threshold}
      />
      <div>
        <Button type="submit" variant="primary" busy={busy}>
          Save destination
        </Button>
      </div>
    </form>
  );
}

function HeldQueue({
  domain,
  flow,
  onChanged,
  tick,
}: {
  domain: string;
  flow: MailFlow;
  onChanged: () => void;
  /** Bumped by the tab's refresh timer. */
  tick: number;
}) {
  const pager = usePager();
  const path = domainApi(domain, `/held${query({ limit: PAGE_SIZE, cursor: pager.cursor })}`);
  const { data, error, loading, reload } = useResource<HeldList>(path);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirmAll, setConfirmAll] = useState(false);
  const [busy, setBusy] = useState(false);
  const [releaseError, setReleaseError] = useState<string | undefined>();

  useEffect(() => setSelected(new Set()), [path]);
  useEffect(() => {
    if (tick > 0) reload();
  }, [tick, reload]);

  const items = data?.items ?? [];
  const pageSelected = items.length > 0 && items.every((m) => selected.has(m.id));
  const someSelected = items.some((m) => selected.has(m.id));
  const { count, oldest } = flow.held;
  const releasing = flow.held.releasing ?? 0;

  const refresh = () => {
    reload();
    onChanged();
  };

  const release = async (body: { all: true } | { ids: string[] }) => {
    setBusy(true);
    setReleaseError(undefined);
    try {
      const { released } = await api.post<{ released: number }>(domainApi(domain, '/held/release'), body);
      setConfirmAll(false);
      setSelected(new Set());
      toast(
        released > 0
          ? `${plural(released, 'message')} released. They're delivered in the order they arrived.`
          : 'Nothing to release: that mail was already released.',
        released > 0 ? 'success' : 'info',
      );
      pager.reset();
      refresh();
    } catch (cause) {
      setConfirmAll(false);
      setReleaseError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  const toggleRow = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const columns: Column<HeldMessage>[] = [
    {
      key: 'select',
      class: 'col-check',
      header: (
        <HeaderCheckbox
          label="Select all held messages on this page"
          checked={pageSelected}
          indeterminate={!pageSelected && someSelected}
          disabled={items.length === 0}
          onChange={(on) => setSelected(on ? new Set(items.map((m) => m.id)) : new Set())}
        />
      ),
      cell: (m) => (
        <input
          type="checkbox"
          class="row-check"
          aria-label={`Select the message from ${m.envelopeFrom || 'no sender'} received ${formatTime(m.receivedAt).title}`}
          checked={selected.has(m.id)}
          onChange={(event) => toggleRow(m.id, event.currentTarget.checked)}
        />
      ),
    },
    { key: 'received', header: 'Received', class: 'col-date', cell: (m) => <Time value={m.receivedAt} /> },
    {
      key: 'sender',
      header: 'Sender',
      class: 'col-address',
      cell: (m) => (m.envelopeFrom ? <Address value={m.envelopeFrom} /> : <span class="muted">(none)</span>),
    },
    {
      key: 'recipients',
      header: 'Recipients',
      class: 'col-address',
      cell: (m) => (
        <span class="held-recipients">
          {m.recipients.map((r) => (
            <span key={r}>
              <Address value={r} />
            </span>
          ))}
        </span>
      ),
    },
    {
      key: 'subject',
      header: 'Subject',
      class: 'col-subject',
      cell: (m) => (
        <>
          {m.subject ? <span class="clamp">{m.subject}</span> : <span class="muted">(no subject)</span>}
          {m.releasing && (
            <>
              {' '}
              <Badge tone="info">Releasing</Badge>
            </>
          )}
        </>
      ),
    },
    {
      key: 'size',
      header: 'Size',
      class: 'col-num',
      cell: (m) => (m.size === undefined ? '—' : formatSize(m.size)),
    },
  ];

  const expires = oldest ? new Date(new Date(oldest).getTime() + HOLD_DAYS * DAY_MS) : undefined;

  return (
    <section class="panel" aria-labelledby="held-heading">
      <div class="mail-flow-heading">
        <h2 id="held-heading">Held mail</h2>
        <Button variant="quiet" icon="refresh" busy={loading} onClick={refresh}>
          Refresh
        </Button>
      </div>
      <dl class="details held-summary">
        <div>
          <dt id="held-count-term">Held messages</dt>
          <dd aria-labelledby="held-count-term">{formatCount(count)}</dd>
        </div>
        {releasing > 0 && (
          <div>
            <dt id="releasing-count-term">Being released</dt>
            <dd aria-labelledby="releasing-count-term">
              {formatCount(releasing)}, in the order they arrived
            </dd>
          </div>
        )}
        <div>
          <dt>Oldest</dt>
          <dd>
            {oldest && expires ? (
              <>
                Received <Time value={oldest} />; expires <Time value={expires} /> unless released
              </>
            ) : (
              <span class="muted">None</span>
            )}
          </dd>
        </div>
      </dl>
      {releaseError && (
        <Alert tone="error" title="Couldn't release held mail">
          {releaseError} Try again; mail that was already released is never sent twice.
        </Alert>
      )}
      {isMissingRoute(error) && <p>The held mail list isn't available on this server yet.</p>}
      {error && !data && !isMissingRoute(error) && (
        <ErrorPanel title="Couldn't load the held mail" error={error} onRetry={reload} />
      )}
      {!data && !error && <LoadingLine label="Loading held mail…" />}
      {data && items.length === 0 && pager.page === 1 && (
        <EmptyState>
          <p>No held mail. While inbound delivery is paused, new mail waits here for up to 14 days.</p>
        </EmptyState>
      )}
      {data && (items.length > 0 || pager.page > 1) && (
        <div>
          {error && <ErrorPanel title="Couldn't load that page" error={error} onRetry={reload} />}
          <div class="held-actions">
            <p class="bulk-count" aria-live="polite">
              {selected.size > 0
                ? `${plural(selected.size, 'message')} selected`
                : 'Select messages to release'}
            </p>
            <Button
              disabled={selected.size === 0}
              busy={busy && !confirmAll}
              onClick={() => void release({ ids: [...selected] })}
            >
              Release selected
            </Button>
            <Button
              variant="primary"
              disabled={count === 0 && items.length === 0}
              onClick={() => setConfirmAll(true)}
            >
              Release all
            </Button>
          </div>
          <DataTable
            caption={`Held mail for ${domain}, oldest first`}
            class="held-table"
            columns={columns}
            rows={items}
            rowKey={(m) => m.id}
            rowClass={(m) => (selected.has(m.id) ? 'is-selected' : undefined)}
            busy={loading}
          />
          <Pager pager={pager} nextCursor={data.nextCursor} label="Held mail pages" busy={loading} />
        </div>
      )}
      {confirmAll && (
        <Dialog title="Release all held mail?" size="small" onClose={() => setConfirmAll(false)}>
          <div class="stack">
            <p>
              {count > 0 ? `All ${plural(count, 'held message')}` : 'All held mail'} for{' '}
              <strong>{domain}</strong> {count === 1 ? 'is' : 'are'} delivered to{' '}
              {flow.settings.destination?.host ?? 'the destination'} in the order{' '}
              {count === 1 ? 'it' : 'they'} arrived, a few at a time so the mail server isn't flooded.
            </p>
            {flow.settings.inbound === 'paused' && (
              <p class="muted">Inbound delivery stays paused: mail that arrives later is still held.</p>
            )}
            <DialogActions>
              <Button onClick={() => setConfirmAll(false)} autoFocus>
                Cancel
              </Button>
              <Button variant="primary" busy={busy} onClick={() => void release({ all: true })}>
                Release all
              </Button>
            </DialogActions>
          </div>
        </Dialog>
      )}
    </section>
  );
}
