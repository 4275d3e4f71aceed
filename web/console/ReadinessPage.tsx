import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { query } from '../shared/api';
import { Address } from '../shared/Address';
import { Badge, type BadgeTone } from '../shared/Badge';
import { DataTable, type Column } from '../shared/DataTable';
import { NotFound } from '../shared/NotFound';
import { Page } from '../shared/page';
import { Pager, usePager } from '../shared/Pager';
import { useResource } from '../shared/resource';
import { Link } from '../shared/router';
import { EmptyState, ErrorPanel, LoadingLine } from '../shared/states';
import { Time } from '../shared/time';
import { DrillsPanel } from './DrillsPanel';
import { CONSOLE_APP as APP, domainApi, domainHref, formatCount, plural, userTypeLabel } from './model';
import './readiness.css';

export interface ReadinessCounts {
  users: number;
  withPassword: number;
  withBackupAddress: number;
  withMfa: number;
  signedInLast90Days: number;
  neverSignedIn: number;
  ready: number;
}

export interface DomainReadiness {
  domain: string;
  counts: ReadinessCounts;
  checklist: {
    xtramail: { enabled: boolean; enabledAt?: string };
    mailFlow: {
      destination: { host: string; port: number } | null;
      inbound: 'deliver' | 'paused';
      status: 'good' | 'bad';
      attempts: number;
      held: number;
    };
    readyShare: number;
  };
}

interface AcrossDomains {
  domains: DomainReadiness[];
  totals: ReadinessCounts & { readyShare: number };
}

type Filter = 'no-backup' | 'no-password' | 'no-mfa' | 'never-signed-in' | 'inactive-90d';

interface ReadinessUser {
  address: string;
  type: string;
  passwordSet: boolean;
  mustChangePassword: boolean;
  backupAddress: string | null;
  mfa: boolean;
  lastSignInAt: string | null;
}

/** Each figure, and the list of users it leaves out (what the admin still has to do). */
const FIGURES: readonly {
  key: Exclude<keyof ReadinessCounts, 'users' | 'ready'>;
  label: string;
  /** The summary table's column header. */
  short: string;
  filter: Filter;
  missing: string;
}[] = [
  {
    key: 'withPassword',
    label: 'With a password',
    short: 'Password',
    filter: 'no-password',
    missing: 'without a password',
  },
  {
    key: 'withBackupAddress',
    label: 'With a backup address',
    short: 'Backup address',
    filter: 'no-backup',
    missing: 'without a backup address',
  },
  { key: 'withMfa', label: 'With MFA', short: 'MFA', filter: 'no-mfa', missing: 'without MFA' },
  {
    key: 'signedInLast90Days',
    label: 'Signed in during the last 90 days',
    short: 'Signed in, 90 days',
    filter: 'inactive-90d',
    missing: 'not signed in during the last 90 days',
  },
];

const percent = (share: number) => `${Math.round(share * 100)}%`;

function mailFlowBadge(flow: DomainReadiness['checklist']['mailFlow']): { tone: BadgeTone; label: string } {
  if (flow.inbound === 'paused') return { tone: 'warning', label: 'Paused' };
  if (!flow.destination) return { tone: 'neutral', label: 'Not set up' };
  return flow.status === 'bad' ? { tone: 'danger', label: 'Bad' } : { tone: 'success', label: 'Good' };
}

/** `/console/readiness` (every domain) and `/console/readiness/<domain>` (one domain). */
export function ReadinessPage({ domain }: { domain?: string }) {
  return domain ? <DomainReadinessView key={domain} domain={domain} /> : <AcrossDomainsView />;
}

function AcrossDomainsView() {
  const { data, error, loading, reload } = useResource<AcrossDomains>('/api/console/readiness');
  const columns: Column<DomainReadiness>[] = [
    {
      key: 'domain',
      header: 'Domain',
      rowHeader: true,
      sortValue: (d) => d.domain,
      cell: (d) => <Link href={`/console/readiness/${encodeURIComponent(d.domain)}`}>{d.domain}</Link>,
    },
    {
      key: 'xtramail',
      header: 'XtraMail',
      cell: (d) => (d.checklist.xtramail.enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>),
    },
    {
      key: 'mail-flow',
      header: 'Mail Flow',
      cell: (d) => {
        const badge = mailFlowBadge(d.checklist.mailFlow);
        return <Badge tone={badge.tone}>{badge.label}</Badge>;
      },
    },
    {
      key: 'users',
      header: 'Users',
      class: 'col-num',
      sortValue: (d) => d.counts.users,
      cell: (d) => formatCount(d.counts.users),
    },
    ...FIGURES.map((f): Column<DomainReadiness> => ({
      key: f.key,
      header: f.short,
      class: 'col-num',
      sortValue: (d) => d.counts[f.key],
      cell: (d) => formatCount(d.counts[f.key]),
    })),
    {
      key: 'never',
      header: 'Never signed in',
      class: 'col-num',
      sortValue: (d) => d.counts.neverSignedIn,
      cell: (d) => formatCount(d.counts.neverSignedIn),
    },
    {
      key: 'ready',
      header: 'Ready',
      class: 'col-num',
      sortValue: (d) => d.checklist.readyShare,
      cell: (d) => (
        <span class={d.checklist.readyShare < 1 ? 'readiness-short' : undefined}>
          {percent(d.checklist.readyShare)}
        </span>
      ),
    },
  ];

  return (
    <Page
      title="Readiness"
      app={APP}
      lead="Who can get into the portal on the day your mail system is down: users need a password or a backup address for a sign-in link."
    >
      {error && !data && <ErrorPanel title="Couldn't load readiness" error={error} onRetry={reload} />}
      {!data && loading && <LoadingLine label="Counting users…" />}
      {data && data.domains.length === 0 && (
        <EmptyState>
          <p>
            No domains yet. Add one on <Link href="/console/domains">Domains</Link> and turn XtraMail on; its
            readiness shows here.
          </p>
        </EmptyState>
      )}
      {data && data.domains.length > 0 && (
        <div class="stack-lg">
          <p class="readiness-total" data-testid="readiness-total">
            Across {plural(data.domains.length, 'domain')}:{' '}
            <strong>
              {formatCount(data.totals.ready)} of {plural(data.totals.users, 'user')} ready
            </strong>{' '}
            ({percent(data.totals.readyShare)}).
          </p>
          <DataTable
            caption="Readiness by domain"
            columns={columns}
            rows={data.domains}
            rowKey={(d) => d.domain}
            busy={loading}
            class="readiness-table"
          />
        </div>
      )}
    </Page>
  );
}

function DomainReadinessView({ domain }: { domain: string }) {
  const { data, error, loading, reload } = useResource<DomainReadiness>(domainApi(domain, '/readiness'));
  const [filter, setFilter] = useState<Filter | undefined>();
  const breadcrumb = <Link href="/console/readiness">Readiness</Link>;

  if (error?.status === 404 && !data)
    return (
      <NotFound
        path={location.pathname}
        app={APP}
        home={{ href: '/console/readiness', label: 'Go to Readiness' }}
      />
    );

  return (
    <Page title={`Readiness of ${domain}`} app={APP} breadcrumb={breadcrumb}>
      {error && !data && <ErrorPanel title="Couldn't load readiness" error={error} onRetry={reload} />}
      {!data && loading && <LoadingLine label="Counting users…" />}
      {data && (
        <div class="stack-lg">
          <Checklist readiness={data} />
          <section aria-labelledby="readiness-figures" class="stack">
            <h2 id="readiness-figures">Users with XtraMail: {formatCount(data.counts.users)}</h2>
            <div class="stat-grid readiness-figures" aria-busy={loading ? 'true' : undefined}>
              {FIGURES.map((f) => (
                <FigureCard
                  key={f.key}
                  label={f.label}
                  value={data.counts[f.key]}
                  of={data.counts.users}
                  missingLabel={f.missing}
                  missing={data.counts.users - data.counts[f.key]}
                  active={filter === f.filter}
                  onShow={() => setFilter(f.filter)}
                />
              ))}
              <FigureCard
                label="Never signed in"
                value={data.counts.neverSignedIn}
                of={data.counts.users}
                missingLabel="who never signed in"
                missing={data.counts.neverSignedIn}
                active={filter === 'never-signed-in'}
                onShow={() => setFilter('never-signed-in')}
              />
            </div>
          </section>
          {filter && (
            <UserList
              domain={domain}
              filter={filter}
              title={`Users ${
                filter === 'never-signed-in'
                  ? 'who never signed in'
                  : FIGURES.find((f) => f.filter === filter)?.missing
              }`}
              onClose={() => setFilter(undefined)}
            />
          )}
          <section aria-labelledby="readiness-drills" class="panel">
            <h2 id="readiness-drills">Fire drills</h2>
            <DrillsPanel domain={domain} />
          </section>
        </div>
      )}
    </Page>
  );
}

function FigureCard(props: {
  label: string;
  value: number;
  of: number;
  missing: number;
  missingLabel: string;
  active: boolean;
  onShow: () => void;
}) {
  return (
    <div class={`stat-card${props.active ? ' is-active' : ''}`}>
      <h3 class="stat-label">{props.label}</h3>
      <p class="stat-value" data-testid={`figure-${props.label}`}>
        {formatCount(props.value)}
        <span class="stat-of"> of {formatCount(props.of)}</span>
      </p>
      <p class="stat-note">
        {props.missing > 0 ? (
          <button type="button" class="link-button" aria-pressed={props.active} onClick={props.onShow}>
            Show {plural(props.missing, 'user')} {props.missingLabel}
          </button>
        ) : (
          'Nobody left out.'
        )}
      </p>
    </div>
  );
}

function Check({ ok, warn, children }: { ok: boolean; warn?: boolean; children: ComponentChildren }) {
  const state = ok ? 'ok' : warn ? 'warn' : 'todo';
  return (
    <li class={`check check-${state}`}>
      <span class="check-mark" aria-hidden="true">
        {ok ? '✓' : warn ? '!' : '✗'}
      </span>
      <span class="sr-only">{ok ? 'Done: ' : warn ? 'Attention: ' : 'To do: '}</span>
      <span>{children}</span>
    </li>
  );
}

function Checklist({ readiness }: { readiness: DomainReadiness }) {
  const { xtramail, mailFlow, readyShare } = readiness.checklist;
  const { domain, counts } = readiness;
  const flow = mailFlowBadge(mailFlow);
  return (
    <section aria-labelledby="readiness-checklist" class="panel">
      <h2 id="readiness-checklist">Checklist</h2>
      <ul class="checklist">
        <Check ok={xtramail.enabled}>
          XtraMail is {xtramail.enabled ? 'on' : 'off'}
          {xtramail.enabled && xtramail.enabledAt && (
            <>
              {' '}
              (copying since <Time value={xtramail.enabledAt} style="date" />)
            </>
          )}
          .{' '}
          {!xtramail.enabled && (
            <Link href={domainHref(domain, 'products')}>Turn it on with Update Products</Link>
          )}
        </Check>
        <Check ok={Boolean(mailFlow.destination)}>
          {mailFlow.destination
            ? `Mail Flow delivers to ${mailFlow.destination.host}:${mailFlow.destination.port}.`
            : 'No Mail Flow destination is set, so mail is not passed on to your mail server.'}{' '}
          <Link href={domainHref(domain, 'mail-flow')}>Open the Mail Flow tab</Link>
        </Check>
        <Check ok={flow.label === 'Good'} warn={flow.label === 'Paused' || flow.label === 'Not set up'}>
          Mail Flow status: <Badge tone={flow.tone}>{flow.label}</Badge>
          {mailFlow.held > 0 && ` ${plural(mailFlow.held, 'message')} held.`}
        </Check>
        <Check ok={readyShare === 1} warn={readyShare >= 0.9 && readyShare < 1}>
          <span data-testid="ready-share">{percent(readyShare)}</span> of users are ready (
          {formatCount(counts.ready)} of {formatCount(counts.users)} have a password or a backup address).
        </Check>
      </ul>
    </section>
  );
}

const PAGE_SIZE = 50;

function UserList({
  domain,
  filter,
  title,
  onClose,
}: {
  domain: string;
  filter: Filter;
  title: string;
  onClose: () => void;
}) {
  const pager = usePager();
  const resetPager = pager.reset;
  useEffect(resetPager, [filter, resetPager]);
  const path = domainApi(
    domain,
    `/readiness/users${query({ filter, limit: PAGE_SIZE, cursor: pager.cursor })}`,
  );
  const { data, error, loading, reload } = useResource<{
    items: ReadinessUser[];
    nextCursor?: string;
    total: number;
  }>(path);

  const columns: Column<ReadinessUser>[] = [
    { key: 'address', header: 'Address', rowHeader: true, cell: (u) => <Address value={u.address} /> },
    { key: 'type', header: 'Type', cell: (u) => userTypeLabel(u.type) },
    {
      key: 'password',
      header: 'Password',
      cell: (u) =>
        u.passwordSet ? (
          <Badge tone={u.mustChangePassword ? 'warning' : 'success'}>
            {u.mustChangePassword ? 'Must change' : 'Set'}
          </Badge>
        ) : (
          <span class="muted">Not set</span>
        ),
    },
    {
      key: 'backup',
      header: 'Backup address',
      cell: (u) => (u.backupAddress ? u.backupAddress : <span class="muted">Not set</span>),
    },
    { key: 'mfa', header: 'MFA', cell: (u) => (u.mfa ? <Badge tone="success">On</Badge> : 'Off') },
    {
      key: 'signed-in',
      header: 'Last sign-in',
      cell: (u) => (u.lastSignInAt ? <Time value={u.lastSignInAt} /> : <span class="muted">Never</span>),
    },
  ];

  const start = (pager.page - 1) * PAGE_SIZE;
  return (
    <section aria-labelledby="readiness-list" class="stack">
      <div class="page-header">
        <h2 id="readiness-list">{title}</h2>
        <button type="button" class="link-button" onClick={onClose}>
          Hide the list
        </button>
      </div>
      <p class="muted">
        Set passwords and backup addresses on the <Link href={domainHref(domain, 'users')}>Users tab</Link>.
      </p>
      {error && <ErrorPanel title="Couldn't load the users" error={error} onRetry={reload} />}
      {!data && loading && <LoadingLine label="Loading users…" />}
      {data && data.items.length === 0 && (
        <EmptyState>
          <p>Nobody is in this list any more.</p>
        </EmptyState>
      )}
      {data && data.items.length > 0 && (
        <>
          <DataTable
            caption={title}
            columns={columns}
            rows={data.items}
            rowKey={(u) => u.address}
            busy={loading}
          />
          <Pager
            pager={pager}
            nextCursor={data.nextCursor}
            label="Readiness list pages"
            summary={`${formatCount(start + 1)}–${formatCount(start + data.items.length)} of ${plural(data.total, 'user')}`}
            busy={loading}
          />
        </>
      )}
    </section>
  );
}
