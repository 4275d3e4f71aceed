import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api';
import { Dialog, DialogActions } from '../shared/Dialog';
import { Alert, Button } from '../shared/forms';
import { NotFound } from '../shared/NotFound';
import { Page } from '../shared/page';
import { useResource } from '../shared/resource';
import { Link, navigate } from '../shared/router';
import { asApiError } from '../shared/session';
import { ErrorPanel, LoadingLine } from '../shared/states';
import { Tabs } from '../shared/Tabs';
import { Time } from '../shared/time';
import { toast } from '../shared/toast';
import { XtraMailStatus } from './DomainsPage';
import { LogsTab } from './LogsTab';
import { MailFlowTab } from './MailFlowTab';
import {
  CONSOLE_APP as APP,
  type ConsoleSession,
  type Domain,
  domainApi,
  type DomainDetail,
  domainHref,
  formatCount,
  isPartner,
  USER_TYPES,
} from './model';
import { RequirePortalMfa } from './SecuritySettings';
import { UsersTab } from './UsersTab';

const TABS = [
  { slug: 'overview', label: 'Overview' },
  { slug: 'products', label: 'Products' },
  { slug: 'users', label: 'Users' },
  { slug: 'logs', label: 'Logs' },
  { slug: 'mail-flow', label: 'Mail Flow' },
] as const;

interface DomainPageProps {
  domain: string;
  tab: string | undefined;
  session: ConsoleSession;
}

export function DomainPage({ domain: name, tab = 'overview', session }: DomainPageProps) {
  const resource = useResource<DomainDetail>(domainApi(name));
  const { data, error, reload, update } = resource;

  // `/console/domains/example.com` shows its Overview; give it the Overview's own address.
  const bare = location.pathname.split('/').filter(Boolean).length === 3;
  useEffect(() => {
    if (bare) navigate(domainHref(name), { replace: true });
  }, [bare, name]);

  // Coming back to the Overview fetches fresh figures.
  const firstTab = useRef(true);
  useEffect(() => {
    if (firstTab.current) firstTab.current = false;
    else if (tab === 'overview') reload();
  }, [tab, reload]);

  if (!TABS.some((t) => t.slug === tab)) {
    return (
      <NotFound
        path={location.pathname}
        app={APP}
        home={{ href: domainHref(name), label: `Go to ${name}` }}
      />
    );
  }
  if (error?.status === 404 && !data) {
    return (
      <Page title="Domain not found" app={APP}>
        <p>
          <strong>{name}</strong> isn't a domain of this deployment, or you don't manage it. Check the
          address, or pick it from the list.
        </p>
        <p>
          <Link href="/console/domains" class="button button-primary">
            Go to Domains
          </Link>
        </p>
      </Page>
    );
  }

  const setDomain = (domain: Domain) => update((d) => ({ ...d, domain }));
  const tabLabel = TABS.find((t) => t.slug === tab)?.label ?? '';

  return (
    <Page title={name} app={`${tabLabel} · ${APP}`} breadcrumb={<Link href="/console/domains">Domains</Link>}>
      <p class="lead domain-lead">
        {data ? (
          <>
            XtraMail <XtraMailStatus domain={data.domain} />
          </>
        ) : (
          '\u00a0'
        )}
      </p>
      <Tabs
        label={`${name} sections`}
        current={domainHref(name, tab)}
        items={TABS.map((t) => ({ href: domainHref(name, t.slug), label: t.label }))}
      />
      <section class="tab-panel" aria-label={tabLabel}>
        {error && !data && <ErrorPanel title={`Couldn't load ${name}`} error={error} onRetry={reload} />}
        {!data && !error && <LoadingLine label={`Loading ${name}…`} />}
        {data && tab === 'overview' && <OverviewTab detail={data} loading={resource.loading} />}
        {data && tab === 'products' && <ProductsTab domain={data.domain} onChange={setDomain} />}
        {data && tab === 'products' && <RequirePortalMfa domain={name} canChange={isPartner(session)} />}
        {data && tab === 'users' && <UsersTab domain={data.domain} />}
        {data && tab === 'logs' && <LogsTab domain={data.domain} />}
        {data && tab === 'mail-flow' && <MailFlowTab domain={data.domain} />}
      </section>
    </Page>
  );
}

function OverviewTab({ detail, loading }: { detail: DomainDetail; loading: boolean }) {
  const { domain, overview } = detail;
  const { enabled, enabledAt, disabledAt } = domain.xtramail;
  const byType = USER_TYPES.map((t) => ({ ...t, count: overview.usersByType[t.value] ?? 0 }));
  return (
    <div class="overview" aria-busy={loading ? 'true' : undefined}>
      <div class="stat-grid">
        <div class="stat-card">
          <h2 class="stat-label">XtraMail</h2>
          <p class="stat-value">{enabled ? 'On' : 'Off'}</p>
          <p class="stat-note">
            {enabled && enabledAt && (
              <>
                Copying new mail since <Time value={enabledAt} />.
              </>
            )}
            {!enabled && disabledAt && (
              <>
                Off since <Time value={disabledAt} />. Existing copies age out within 30 days.
              </>
            )}
            {!enabled && !disabledAt && 'No mail is copied yet.'}
          </p>
          <p class="stat-note">
            <Link href={domainHref(domain.name, 'products')}>Change it on the Products tab</Link>
          </p>
        </div>
        <div class="stat-card">
          <h2 class="stat-label">Users</h2>
          <p class="stat-value">{formatCount(overview.totalUsers)}</p>
          <p class="stat-note">
            <Link href={domainHref(domain.name, 'users')}>See all users</Link>
          </p>
        </div>
        <div class="stat-card">
          <h2 class="stat-label">With a portal password</h2>
          <p class="stat-value">{formatCount(overview.usersWithPassword)}</p>
          <p class="stat-note">
            With a password or a backup address for sign-in links, users can get in during an outage.{' '}
            <Link href={`/console/readiness/${encodeURIComponent(domain.name)}`}>Check readiness</Link>
          </p>
        </div>
        <div class="stat-card">
          <h2 class="stat-label">Messages in the last 24 h</h2>
          <p class="stat-value">{formatCount(overview.messagesLast24h)}</p>
          <p class="stat-note">
            <Link href={domainHref(domain.name, 'logs')}>Open the logs</Link>
          </p>
        </div>
      </div>
      <div class="panel">
        <h2>Users by type</h2>
        <dl class="type-counts">
          {byType.map((t) => (
            <div key={t.value}>
              <dt>{t.plural}</dt>
              <dd>{formatCount(t.count)}</dd>
            </div>
          ))}
        </dl>
        <p class="muted">Only Users and Discovered Users get a snapshot and can sign in to the portal.</p>
      </div>
    </div>
  );
}

function ProductsTab({ domain, onChange }: { domain: Domain; onChange: (domain: Domain) => void }) {
  const [checked, setChecked] = useState(domain.xtramail.enabled);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);

  const save = async () => {
    setConfirming(false);
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const updated = await api.put<Domain>(domainApi(domain.name, '/products'), { xtramail: checked });
      onChange(updated);
      setChecked(updated.xtramail.enabled);
      toast(
        updated.xtramail.enabled
          ? `XtraMail is on for ${domain.name}. New mail is copied from now on.`
          : `XtraMail is off for ${domain.name}. Existing copies age out within 30 days.`,
      );
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (checked === domain.xtramail.enabled) {
      setNotice(`No change: XtraMail is already ${checked ? 'on' : 'off'} for ${domain.name}.`);
      return;
    }
    if (!checked) setConfirming(true);
    else void save();
  };

  return (
    <div class="stack-lg">
      <form class="panel product-card" onSubmit={submit}>
        <h2>Products</h2>
        {error && (
          <Alert tone="error" title="Couldn't update products">
            {error} Your choice is still selected; try Update Products again.
          </Alert>
        )}
        {notice && <Alert tone="info">{notice}</Alert>}
        <label class="check check-large">
          <input
            type="checkbox"
            name="xtramail"
            checked={checked}
            onChange={(event) => {
              setChecked(event.currentTarget.checked);
              setNotice(undefined);
            }}
            aria-describedby="xtramail-explained"
          />
          <span>XtraMail Email Continuity</span>
        </label>
        <div id="xtramail-explained" class="check-explanation">
          <p>
            Keeps a rolling 30-day copy of each User's and Discovered User's mail, readable in the portal when
            the primary mail system is down.
          </p>
          <p>
            <strong>Turning it on</strong> starts copying from that moment. Mail that arrived earlier is never
            copied.
          </p>
          <p>
            <strong>Turning it off</strong> stops new copies. Existing copies stay readable and age out within
            30 days. Turned on again before then, the portal tells users when it was off.
          </p>
          <p class="muted">
            {domain.xtramail.enabled && domain.xtramail.enabledAt ? (
              <>
                Currently on, since <Time value={domain.xtramail.enabledAt} />.
              </>
            ) : domain.xtramail.disabledAt ? (
              <>
                Currently off, since <Time value={domain.xtramail.disabledAt} />.
              </>
            ) : (
              'Currently off.'
            )}
          </p>
        </div>
        <div>
          <Button type="submit" variant="primary" busy={busy}>
            Update Products
          </Button>
        </div>
      </form>
      <AddressDiscovery domain={domain} onChange={onChange} />
      {confirming && (
        <Dialog title="Turn off XtraMail?" size="small" onClose={() => setConfirming(false)}>
          <div class="stack">
            <p>
              XtraMail stops copying new mail for <strong>{domain.name}</strong> at once. Copies already kept
              stay readable in the portal and age out within 30 days.
            </p>
            <p>If you turn it on again later, copying restarts from that moment; the gap is never filled.</p>
            <DialogActions>
              <Button onClick={() => setConfirming(false)} autoFocus>
                Keep it on
              </Button>
              <Button variant="danger" onClick={() => void save()}>
                Turn off XtraMail
              </Button>
            </DialogActions>
          </div>
        </Dialog>
      )}
    </div>
  );
}

function AddressDiscovery({ domain, onChange }: { domain: Domain; onChange: (domain: Domain) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const on = domain.addressDiscovery;

  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const updated = await api.patch<Domain>(domainApi(domain.name), { addressDiscovery: !on });
      onChange(updated);
      toast(`Address discovery is ${updated.addressDiscovery ? 'on' : 'off'} for ${domain.name}.`);
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="discovery-heading">
      <h2 id="discovery-heading">Address discovery</h2>
      {error && (
        <Alert tone="error" title="Couldn't change address discovery">
          {error}
        </Alert>
      )}
      <div class="switch-row">
        <button
          type="button"
          role="switch"
          class="switch"
          aria-checked={on ? 'true' : 'false'}
          aria-describedby="discovery-explained"
          aria-busy={busy ? 'true' : undefined}
          disabled={busy}
          onClick={() => void toggle()}
        >
          <span class="switch-track" aria-hidden="true">
            <span class="switch-thumb" />
          </span>
          <span class="switch-label">Address discovery</span>
          <span class="switch-state" aria-hidden="true">
            {on ? 'On' : 'Off'}
          </span>
        </button>
      </div>
      <p id="discovery-explained" class="check-explanation">
        When on, mail to an address XtraMail doesn't know yet adds that address as a Discovered User, who gets
        a snapshot and counts as billable. When off, such mail is logged as an invalid recipient and not
        copied; add users yourself on the Users tab.
      </p>
    </section>
  );
}
