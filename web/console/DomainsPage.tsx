import { useState } from 'preact/hooks';
import { api, query } from '../shared/api';
import { Badge } from '../shared/Badge';
import { DataTable, type Column } from '../shared/DataTable';
import { Dialog, DialogActions } from '../shared/Dialog';
import { Alert, Button, Field } from '../shared/forms';
import { Page } from '../shared/page';
import { Pager, usePager } from '../shared/Pager';
import { useResource } from '../shared/resource';
import { Link } from '../shared/router';
import { asApiError } from '../shared/session';
import { EmptyState, ErrorPanel, LoadingLine } from '../shared/states';
import { Time } from '../shared/time';
import { toast } from '../shared/toast';
import {
  CONSOLE_APP as APP,
  type ConsoleSession,
  type Domain,
  domainHref,
  isPartner,
  type List,
} from './model';

const PAGE_SIZE = 100;

const columns: Column<Domain>[] = [
  {
    key: 'name',
    header: 'Domain',
    rowHeader: true,
    sortValue: (d) => d.name,
    cell: (d) => (
      <Link href={domainHref(d.name)} class="strong-link">
        {d.name}
      </Link>
    ),
  },
  {
    key: 'xtramail',
    header: 'XtraMail',
    sortValue: (d) => (d.xtramail.enabled ? `1${d.xtramail.enabledAt ?? ''}` : '0'),
    cell: (d) => <XtraMailStatus domain={d} />,
  },
  {
    key: 'discovery',
    header: 'Address discovery',
    sortValue: (d) => (d.addressDiscovery ? 1 : 0),
    cell: (d) => (d.addressDiscovery ? 'On' : 'Off'),
  },
  {
    key: 'added',
    header: 'Added',
    sortValue: (d) => d.createdAt,
    cell: (d) => <Time value={d.createdAt} style="date" />,
  },
];

/** "On since 3 Mar" or "Off", with the exact time on hover. */
export function XtraMailStatus({ domain }: { domain: Domain }) {
  const { enabled, enabledAt } = domain.xtramail;
  if (!enabled) return <Badge>Off</Badge>;
  return (
    <span class="status-with-time">
      <Badge tone="success">On</Badge>
      {enabledAt && (
        <span class="muted">
          since <Time value={enabledAt} />
        </span>
      )}
    </span>
  );
}

export function DomainsPage({ session }: { session: ConsoleSession }) {
  const pager = usePager();
  const { data, error, loading, reload } = useResource<List<Domain>>(
    `/api/console/domains${query({ limit: PAGE_SIZE, cursor: pager.cursor })}`,
  );
  const [adding, setAdding] = useState(false);
  const partner = isPartner(session);

  const added = (domain: Domain) => {
    setAdding(false);
    toast(`${domain.name} added. XtraMail is off until you turn it on in the domain's Products tab.`);
    pager.reset();
    reload();
  };

  return (
    <Page
      title="Domains"
      app={APP}
      actions={
        partner && (
          <Button variant="primary" icon="plus" onClick={() => setAdding(true)}>
            Add domain
          </Button>
        )
      }
    >
      {error && !data && <ErrorPanel title="Couldn't load the domains" error={error} onRetry={reload} />}
      {!data && loading && <LoadingLine label="Loading domains…" />}
      {data && data.items.length === 0 && pager.page === 1 && (
        <EmptyState>
          {partner ? (
            <p>
              No domains yet. Add the domains this deployment manages; XtraMail copies new mail from the
              moment it is enabled.
            </p>
          ) : (
            <p>
              No domains yet. You don't manage any domains in this deployment; ask a partner admin to grant
              you access to yours.
            </p>
          )}
        </EmptyState>
      )}
      {data && data.items.length > 0 && (
        <>
          {error && <ErrorPanel title="Couldn't load that page" error={error} onRetry={reload} />}
          <DataTable
            caption="Domains"
            columns={columns}
            rows={data.items}
            rowKey={(d) => d.name}
            initialSort={{ key: 'name', direction: 'ascending' }}
            busy={loading}
          />
          <Pager pager={pager} nextCursor={data.nextCursor} label="Domain pages" busy={loading} />
        </>
      )}
      {adding && <AddDomainDialog onClose={() => setAdding(false)} onAdded={added} />}
    </Page>
  );
}

const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

function AddDomainDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (domain: Domain) => void }) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const domain = name.trim().toLowerCase().replace(/\.$/, '');
    if (!DOMAIN_PATTERN.test(domain)) {
      setProblem('Enter a domain name such as example.com, without "@" or "https://".');
      return;
    }
    setProblem(undefined);
    setError(undefined);
    setBusy(true);
    try {
      onAdded(await api.post<Domain>('/api/console/domains', { name: domain }));
    } catch (cause) {
      const apiError = asApiError(cause);
      setError(
        apiError.code === 'domain_exists'
          ? `${domain} is already in this deployment. Find it in the Domains list.`
          : apiError.message,
      );
      setBusy(false);
    }
  };

  return (
    <Dialog title="Add domain" size="small" onClose={onClose}>
      <form class="stack" onSubmit={submit} noValidate>
        {error && <Alert tone="error">{error}</Alert>}
        <Field
          label="Domain name"
          name="domain"
          value={name}
          onValue={setName}
          placeholder="example.com"
          autoComplete="off"
          required
          autoFocus
          error={problem}
          hint="Its mail must reach XtraMail (MX records or forwarding). XtraMail stays off until you turn it on."
        />
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Add domain
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
