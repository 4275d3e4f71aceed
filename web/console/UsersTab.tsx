import { useEffect, useMemo, useState } from 'preact/hooks';
import { HeaderCheckbox } from '../shared/HeaderCheckbox';
import { api, query } from '../shared/api';
import { Address } from '../shared/Address';
import { Badge } from '../shared/Badge';
import { DataTable, type Column } from '../shared/DataTable';
import { Dialog, DialogActions } from '../shared/Dialog';
import { Alert, Button, Field, IconButton, Select } from '../shared/forms';
import { Pager, usePager } from '../shared/Pager';
import { useResource } from '../shared/resource';
import { asApiError } from '../shared/session';
import { EmptyState, ErrorPanel, LoadingLine } from '../shared/states';
import { Time } from '../shared/time';
import { toast } from '../shared/toast';
import {
  type Domain,
  domainApi,
  formatCount,
  isEligibleType,
  plural,
  type User,
  type UserList,
  type UserType,
  USER_TYPES,
  userTypeLabel,
  xtramailReason,
} from './model';
import { BackupAddressDialog } from './BackupAddressDialog';
import { BackupImportDialog } from './BackupImportDialog';
import { InviteDialog } from './InviteDialog';
import { MfaResetDialog } from './MfaResetDialog';
import { PasswordDialog, type PasswordTarget } from './PasswordDialog';
import { StartDrillDialog } from './StartDrillDialog';

const PAGE_SIZE = 50;
const TYPE_FILTERS = [{ value: '', label: 'All types' }, ...USER_TYPES] as const;
const TYPE_OPTIONS = USER_TYPES.map(({ value, label }) => ({ value, label }));

export function UsersTab({ domain }: { domain: Domain }) {
  const [type, setType] = useState('');
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const pager = usePager();
  const path = domainApi(domain.name, `/users${query({ limit: PAGE_SIZE, cursor: pager.cursor, type, q })}`);
  const { data, error, loading, reload, update } = useResource<UserList>(path);

  // Selection: addresses on this page, or every user matching the filter.
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [passwordTarget, setPasswordTarget] = useState<PasswordTarget | undefined>();
  const [inviteTarget, setInviteTarget] = useState<PasswordTarget | undefined>();
  const [drillTarget, setDrillTarget] = useState<PasswordTarget | undefined>();
  const [adding, setAdding] = useState(false);
  const [backupUser, setBackupUser] = useState<User | undefined>();
  const [mfaResetUser, setMfaResetUser] = useState<User | undefined>();
  const [importing, setImporting] = useState(false);

  const clearSelection = () => {
    setSelected(new Set());
    setAllMatching(false);
  };
  // A new page or filter starts with nothing selected.
  useEffect(clearSelection, [path]);

  // Search as the admin types, once they pause.
  const resetPager = pager.reset;
  useEffect(() => {
    const trimmed = search.trim();
    if (trimmed === q) return;
    const timer = setTimeout(() => {
      setQ(trimmed);
      resetPager();
    }, 300);
    return () => clearTimeout(timer);
  }, [search, q, resetPager]);

  const items = data?.items ?? [];
  const total = data?.total ?? 0;
  const pageSelected = items.length > 0 && items.every((u) => selected.has(u.address));
  const someSelected = items.some((u) => selected.has(u.address));
  const selectionCount = allMatching ? total : selected.size;
  const filtered = type !== '' || q !== '';

  const toggleRow = (address: string, on: boolean) => {
    setAllMatching(false);
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(address);
      else next.delete(address);
      return next;
    });
  };
  const togglePage = (on: boolean) => {
    setAllMatching(false);
    setSelected(on ? new Set(items.map((u) => u.address)) : new Set());
  };

  const replaceUser = (user: User) =>
    update((list) => ({ ...list, items: list.items.map((u) => (u.address === user.address ? user : u)) }));

  const columns: Column<User>[] = [
    {
      key: 'select',
      class: 'col-check',
      header: (
        <HeaderCheckbox
          label="Select all users on this page"
          checked={pageSelected || (allMatching && items.length > 0)}
          indeterminate={!pageSelected && someSelected}
          disabled={items.length === 0}
          onChange={togglePage}
        />
      ),
      cell: (u) => (
        <input
          type="checkbox"
          class="row-check"
          aria-label={`Select ${u.address}`}
          checked={allMatching || selected.has(u.address)}
          onChange={(event) => toggleRow(u.address, event.currentTarget.checked)}
        />
      ),
    },
    {
      key: 'address',
      header: 'Address',
      rowHeader: true,
      class: 'col-address',
      cell: (u) => <Address value={u.address} />,
    },
    {
      key: 'type',
      header: 'Type',
      class: 'col-type',
      cell: (u) => <TypeControl domain={domain.name} user={u} onSaved={replaceUser} />,
    },
    {
      key: 'xtramail',
      header: 'XtraMail',
      class: 'col-xtramail',
      cell: (u) =>
        u.xtramail ? (
          <Badge tone="success">Yes</Badge>
        ) : (
          <span class="status-with-reason">
            <Badge>No</Badge>
            <span class="muted">{xtramailReason(u, domain)}</span>
          </span>
        ),
    },
    {
      key: 'password',
      header: 'Portal password',
      class: 'col-password',
      cell: (u) => <PasswordStatus user={u} />,
    },
    {
      key: 'backup',
      header: 'Backup address',
      class: 'col-backup',
      cell: (u) =>
        isEligibleType(u.type) && (
          <span class="status-with-reason">
            {u.backupAddressSet ? <Badge tone="success">Set</Badge> : <span class="muted">Not set</span>}
            <button
              type="button"
              class="link-button"
              aria-label={`Edit backup address of ${u.address}`}
              onClick={() => setBackupUser(u)}
            >
              Edit
            </button>
          </span>
        ),
    },
    {
      key: 'mfa',
      header: 'Two-step',
      class: 'col-mfa',
      cell: (u) =>
        isEligibleType(u.type) &&
        (u.mfaEnrolled ? (
          <span class="status-with-reason">
            <Badge tone="success">On</Badge>
            <button
              type="button"
              class="link-button"
              aria-label={`Turn off two-step sign-in for ${u.address}`}
              onClick={() => setMfaResetUser(u)}
            >
              Turn off
            </button>
          </span>
        ) : (
          <span class="muted">Off</span>
        )),
    },
    {
      key: 'added',
      header: 'Added',
      class: 'col-date',
      cell: (u) => <Time value={u.createdAt} style="date" />,
    },
    {
      key: 'actions',
      header: <span class="sr-only">Actions</span>,
      class: 'col-actions',
      cell: (u) =>
        isEligibleType(u.type) && (
          <IconButton
            icon="key"
            tip="Set password"
            label={`Set password for ${u.address}`}
            onClick={() => setPasswordTarget({ kind: 'addresses', addresses: [u.address] })}
          />
        ),
    },
  ];

  const bulkTarget = (): PasswordTarget =>
    allMatching
      ? { kind: 'all', total, type: type || undefined, q: q || undefined }
      : { kind: 'addresses', addresses: [...selected] };

  const pageStart = (pager.page - 1) * PAGE_SIZE;
  const summary =
    data && items.length > 0
      ? `${formatCount(pageStart + 1)}–${formatCount(pageStart + items.length)} of ${plural(total, filtered ? 'matching user' : 'user')}`
      : undefined;

  return (
    <div class="stack-lg">
      <div class="toolbar">
        <form class="toolbar-filters" role="search" onSubmit={(event) => event.preventDefault()}>
          <Field
            label="Search addresses"
            type="search"
            name="q"
            value={search}
            onValue={setSearch}
            placeholder="name@ or part of an address"
            autoComplete="off"
          />
          <Select
            label="Type"
            name="type"
            value={type}
            options={TYPE_FILTERS}
            onValue={(value) => {
              setType(value);
              pager.reset();
            }}
          />
        </form>
        <Button onClick={() => setImporting(true)}>Import backup addresses</Button>
        <Button icon="plus" onClick={() => setAdding(true)}>
          Add user
        </Button>
      </div>

      {error && !data && <ErrorPanel title="Couldn't load the users" error={error} onRetry={reload} />}
      {!data && loading && <LoadingLine label="Loading users…" />}
      {data && items.length === 0 && (
        <EmptyState>
          {filtered ? (
            <p>No users match this search and type. Clear the search or choose "All types".</p>
          ) : (
            <p>
              No users yet. Add users with "Add user"
              {domain.addressDiscovery
                ? ', or let address discovery add them as mail arrives for new addresses.'
                : ', or turn on address discovery on the Products tab to add them as mail arrives.'}
            </p>
          )}
        </EmptyState>
      )}
      {data && items.length > 0 && (
        <div>
          {error && <ErrorPanel title="Couldn't load that page" error={error} onRetry={reload} />}
          {selectionCount > 0 && (
            <div class="bulk-bar" role="region" aria-label="Selected users">
              <p class="bulk-count">
                {allMatching
                  ? `All ${plural(total, 'user')} selected`
                  : `${plural(selected.size, 'user')} selected`}
              </p>
              <Button variant="primary" icon="key" onClick={() => setPasswordTarget(bulkTarget())}>
                Set portal password
              </Button>
              <Button onClick={() => setInviteTarget(bulkTarget())}>Invite to portal</Button>
              <Button onClick={() => setDrillTarget(bulkTarget())}>Start fire drill</Button>
              <Button variant="quiet" onClick={clearSelection}>
                Clear selection
              </Button>
            </div>
          )}
          {pageSelected && total > items.length && (
            <p class="select-all-banner" role="status">
              {allMatching ? (
                <>
                  All {formatCount(total)} users are selected.{' '}
                  <button type="button" class="link-button" onClick={clearSelection}>
                    Clear selection
                  </button>
                </>
              ) : (
                <>
                  All {formatCount(items.length)} users on this page are selected.{' '}
                  <button type="button" class="link-button" onClick={() => setAllMatching(true)}>
                    Select all {formatCount(total)} users
                  </button>
                </>
              )}
            </p>
          )}
          <DataTable
            caption={`Users of ${domain.name}`}
            class={`users-table${selectionCount > 0 ? ' with-bulkbar' : ''}`}
            columns={columns}
            rows={items}
            rowKey={(u) => u.address}
            rowClass={(u) => (allMatching || selected.has(u.address) ? 'is-selected' : undefined)}
            busy={loading}
          />
          <Pager
            pager={pager}
            nextCursor={data.nextCursor}
            label="User pages"
            summary={summary}
            busy={loading}
          />
        </div>
      )}

      {passwordTarget && (
        <PasswordDialog
          domain={domain.name}
          target={passwordTarget}
          onClose={() => setPasswordTarget(undefined)}
          onDone={reload}
        />
      )}
      {inviteTarget && (
        <InviteDialog domain={domain.name} target={inviteTarget} onClose={() => setInviteTarget(undefined)} />
      )}
      {drillTarget && (
        <StartDrillDialog
          domain={domain.name}
          target={drillTarget}
          onClose={() => setDrillTarget(undefined)}
        />
      )}
      {backupUser && (
        <BackupAddressDialog
          domain={domain.name}
          user={backupUser}
          onClose={() => setBackupUser(undefined)}
          onSaved={(user, message) => {
            setBackupUser(undefined);
            replaceUser(user);
            toast(message);
          }}
        />
      )}
      {mfaResetUser && (
        <MfaResetDialog
          domain={domain.name}
          user={mfaResetUser}
          onClose={() => setMfaResetUser(undefined)}
          onDone={(user, message) => {
            setMfaResetUser(undefined);
            replaceUser(user);
            toast(message);
          }}
        />
      )}
      {importing && (
        <BackupImportDialog domain={domain.name} onClose={() => setImporting(false)} onDone={reload} />
      )}
      {adding && (
        <AddUserDialog
          domain={domain.name}
          onClose={() => setAdding(false)}
          onAdded={(user) => {
            setAdding(false);
            toast(`${user.address} added as ${userTypeLabel(user.type)}.`);
            reload();
          }}
        />
      )}
    </div>
  );
}

function PasswordStatus({ user }: { user: User }) {
  if (!user.passwordSet) return <span class="muted">Not set</span>;
  if (user.mustChangePassword)
    return (
      <span title="A temporary password: the user must choose their own at first portal sign-in">
        <Badge tone="warning">Must change</Badge>
      </span>
    );
  return <Badge tone="success">Set</Badge>;
}

/** The user's type, changeable in place: pick a new one and Save. */
function TypeControl({
  domain,
  user,
  onSaved,
}: {
  domain: string;
  user: User;
  onSaved: (user: User) => void;
}) {
  const [value, setValue] = useState<UserType>(user.type);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => setValue(user.type), [user.type]);

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api.patch<User>(domainApi(domain, `/users/${encodeURIComponent(user.address)}`), {
        type: value,
      });
      onSaved(saved);
      toast(`${saved.address} is now ${userTypeLabel(saved.type)}.`);
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  const changed = value !== user.type;
  return (
    <div class="type-control">
      <div class="type-control-row">
        <Select
          label={`Type of ${user.address}`}
          hideLabel
          name="type"
          value={value}
          options={TYPE_OPTIONS}
          onValue={setValue}
          disabled={busy}
          class="field-compact"
        />
        {changed && (
          <>
            <Button
              variant="primary"
              class="button-small"
              busy={busy}
              label={`Save type for ${user.address}`}
              onClick={() => void save()}
            >
              Save
            </Button>
            <Button
              variant="quiet"
              class="button-small"
              disabled={busy}
              label={`Cancel type change for ${user.address}`}
              onClick={() => {
                setValue(user.type);
                setError(undefined);
              }}
            >
              Cancel
            </Button>
          </>
        )}
      </div>
      {changed && !error && !isEligibleType(value) && isEligibleType(user.type) && (
        <p class="field-hint">No more snapshots or portal sign-in for this address.</p>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function AddUserDialog({
  domain,
  onClose,
  onAdded,
}: {
  domain: string;
  onClose: () => void;
  onAdded: (user: User) => void;
}) {
  const [address, setAddress] = useState('');
  const [type, setType] = useState<UserType>('user');
  const [problem, setProblem] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const full = useMemo(() => {
    const value = address.trim().toLowerCase();
    return value.includes('@') ? value : value ? `${value}@${domain}` : '';
  }, [address, domain]);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const [local, at, ...more] = full.split('@');
    if (!local || at !== domain || more.length > 0 || /\s/.test(local)) {
      setProblem(
        full.includes('@') && at !== domain
          ? `The address must be in ${domain}, for example ann@${domain}.`
          : `Enter a local part such as "ann", or a full address such as ann@${domain}.`,
      );
      return;
    }
    setProblem(undefined);
    setError(undefined);
    setBusy(true);
    try {
      onAdded(await api.post<User>(domainApi(domain, '/users'), { address: full, type }));
    } catch (cause) {
      const apiError = asApiError(cause);
      setError(
        apiError.code === 'user_exists'
          ? `${full} is already a user of ${domain}. Search for it in the list to change its type.`
          : apiError.message,
      );
      setBusy(false);
    }
  };

  return (
    <Dialog title="Add user" size="small" onClose={onClose}>
      <form class="stack" onSubmit={submit} noValidate>
        {error && <Alert tone="error">{error}</Alert>}
        <Field
          label="Address"
          name="address"
          value={address}
          onValue={setAddress}
          placeholder={`ann or ann@${domain}`}
          autoComplete="off"
          required
          autoFocus
          error={problem}
          hint={full && !problem ? `Will add ${full}` : `The part before @${domain}, or the full address.`}
        />
        <Select label="Type" name="type" value={type} options={TYPE_OPTIONS} onValue={setType} />
        <p class="field-hint">
          {isEligibleType(type)
            ? 'Gets a snapshot while XtraMail is on, and can sign in to the portal once you set a password.'
            : `${USER_TYPES.find((t) => t.value === type)?.plural ?? 'These'} never get a snapshot and can't sign in to the portal.`}
        </p>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Add user
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
