import { useState } from 'preact/hooks';
import { api } from '../shared/api';
import { DataTable, type Column } from '../shared/DataTable';
import { Dialog, DialogActions } from '../shared/Dialog';
import { copyText } from '../shared/files';
import { Alert, Button, Field } from '../shared/forms';
import { Page } from '../shared/page';
import { useResource } from '../shared/resource';
import { asApiError } from '../shared/session';
import { EmptyState, ErrorPanel, LoadingLine } from '../shared/states';
import { Time } from '../shared/time';
import { toast } from '../shared/toast';
import { type ApiToken, CONSOLE_APP as APP } from './model';

type CreatedToken = ApiToken & { token: string };

export function TokensPage() {
  const { data, error, loading, reload } = useResource<{ items: ApiToken[] }>('/api/console/tokens');
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | undefined>();

  const columns: Column<ApiToken>[] = [
    { key: 'name', header: 'Name', rowHeader: true, sortValue: (t) => t.name, cell: (t) => t.name },
    { key: 'prefix', header: 'Token starts with', cell: (t) => <code>{t.prefix}…</code> },
    {
      key: 'created',
      header: 'Created',
      sortValue: (t) => t.createdAt,
      cell: (t) => <Time value={t.createdAt} />,
    },
    {
      key: 'used',
      header: 'Last used',
      sortValue: (t) => t.lastUsedAt ?? '',
      cell: (t) => (t.lastUsedAt ? <Time value={t.lastUsedAt} /> : <span class="muted">Never</span>),
    },
    {
      key: 'actions',
      header: <span class="sr-only">Actions</span>,
      class: 'col-actions',
      cell: (t) => (
        <Button
          variant="quiet"
          class="button-small"
          label={`Revoke token ${t.name}`}
          onClick={() => setRevoking(t)}
        >
          Revoke
        </Button>
      ),
    },
  ];

  return (
    <Page
      title="Tokens"
      app={APP}
      lead={
        <>
          API tokens let scripts call the console API, sent as <code>Authorization: Bearer …</code>. A token
          acts with your permissions; revoke it when it's no longer needed.
        </>
      }
      actions={
        <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
          Create token
        </Button>
      }
    >
      {error && !data && <ErrorPanel title="Couldn't load your tokens" error={error} onRetry={reload} />}
      {!data && loading && <LoadingLine label="Loading tokens…" />}
      {data && data.items.length === 0 && (
        <EmptyState>
          <p>
            No API tokens yet. Create one for each script or system that automates XtraMail, so you can revoke
            them one at a time.
          </p>
        </EmptyState>
      )}
      {data && data.items.length > 0 && (
        <DataTable
          caption="API tokens"
          columns={columns}
          rows={data.items}
          rowKey={(t) => t.id}
          initialSort={{ key: 'created', direction: 'descending' }}
          busy={loading}
        />
      )}
      {creating && <CreateTokenDialog onClose={() => setCreating(false)} onCreated={reload} />}
      {revoking && (
        <RevokeDialog
          token={revoking}
          onClose={() => setRevoking(undefined)}
          onRevoked={() => {
            toast(`Token "${revoking.name}" revoked. Scripts using it can no longer sign in.`);
            setRevoking(undefined);
            reload();
          }}
        />
      )}
    </Page>
  );
}

function CreateTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedToken | undefined>();
  const [copyStatus, setCopyStatus] = useState<string | undefined>();

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setProblem('Give the token a name that says where it is used, such as "billing sync".');
      return;
    }
    setProblem(undefined);
    setError(undefined);
    setBusy(true);
    try {
      setCreated(await api.post<CreatedToken>('/api/console/tokens', { name: name.trim() }));
      onCreated();
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    const curl = `curl -H "Authorization: Bearer ${created.token}" -X PUT -H 'content-type: application/json' -d '{"xtramail":true}' ${location.origin}/api/console/domains/example.com/products`;
    const copy = async (text: string, what: string) =>
      setCopyStatus(
        (await copyText(text))
          ? `${what} copied.`
          : "Couldn't copy: the browser didn't allow it. Select the text and copy it yourself.",
      );
    return (
      <Dialog title="Token created" step="created" onClose={onClose}>
        <div class="stack">
          <Alert tone="warning" title="Copy it now: it is shown only once">
            XtraMail keeps only a hash of this token. After you close this dialog nobody can see it again; if
            it is lost, revoke it and create a new one.
          </Alert>
          <div class="field">
            <p class="field-label" id="token-label">
              Token "{created.name}"
            </p>
            <div class="copy-row">
              <code class="secret secret-block" aria-labelledby="token-label">
                {created.token}
              </code>
              <Button icon="copy" onClick={() => void copy(created.token, 'Token')} autoFocus>
                Copy
              </Button>
            </div>
          </div>
          <div class="field">
            <p class="field-label">Try it: turn XtraMail on for example.com</p>
            <pre class="code-block">
              <code>{curl}</code>
            </pre>
            <Button icon="copy" class="button-small" onClick={() => void copy(curl, 'Example command')}>
              Copy command
            </Button>
          </div>
          <p role="status" class="muted">
            {copyStatus}
          </p>
          <DialogActions>
            <Button variant="primary" onClick={onClose}>
              Done
            </Button>
          </DialogActions>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Create token" size="small" step="form" onClose={onClose}>
      <form class="stack" onSubmit={submit} noValidate>
        {error && (
          <Alert tone="error" title="Couldn't create the token">
            {error}
          </Alert>
        )}
        <Field
          label="Name"
          name="name"
          value={name}
          onValue={setName}
          maxLength={100}
          autoComplete="off"
          required
          autoFocus
          error={problem}
          hint="Where it is used, so you know which one to revoke later."
        />
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Create token
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function RevokeDialog({
  token,
  onClose,
  onRevoked,
}: {
  token: ApiToken;
  onClose: () => void;
  onRevoked: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const revoke = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.delete(`/api/console/tokens/${encodeURIComponent(token.id)}`);
      onRevoked();
    } catch (cause) {
      setError(asApiError(cause).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Revoke "${token.name}"?`} size="small" onClose={onClose}>
      <div class="stack">
        {error && (
          <Alert tone="error" title="Couldn't revoke the token">
            {error}
          </Alert>
        )}
        <p>
          Scripts using the token that starts with <code>{token.prefix}</code> stop working at once. This
          can't be undone.
        </p>
        <DialogActions>
          <Button onClick={onClose} autoFocus>
            Keep it
          </Button>
          <Button variant="danger" busy={busy} onClick={() => void revoke()}>
            Revoke token
          </Button>
        </DialogActions>
      </div>
    </Dialog>
  );
}
