import { useState } from 'preact/hooks';
import { api } from '../shared/api';
import { Dialog, DialogActions } from '../shared/Dialog';
import { Alert, Button, Field } from '../shared/forms';
import { asApiError } from '../shared/session';
import { domainApi, type User } from './model';

/**
 * Sets or removes one user's backup address: a personal mailbox outside the domain where
 * sign-in links go when the user's own mailbox is down. The server tells the old and the new
 * address, so the dialog says so before saving.
 */
export function BackupAddressDialog({
  domain,
  user,
  onClose,
  onSaved,
}: {
  domain: string;
  user: User;
  onClose: () => void;
  onSaved: (user: User, message: string) => void;
}) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState<'save' | 'remove' | undefined>();

  const save = async (backupAddress: string | null) => {
    setBusy(backupAddress === null ? 'remove' : 'save');
    setError(undefined);
    try {
      const saved = await api.put<User>(
        domainApi(domain, `/users/${encodeURIComponent(user.address)}/backup-address`),
        { backupAddress },
      );
      onSaved(
        saved,
        backupAddress === null
          ? `The backup address of ${user.address} is removed.`
          : `The backup address of ${user.address} is set. Both addresses were told.`,
      );
    } catch (cause) {
      setError(asApiError(cause).message);
      setBusy(undefined);
    }
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (!value.trim()) {
      setError('Enter an address, for example ann.smith@gmail.com.');
      return;
    }
    void save(value.trim());
  };

  return (
    <Dialog title={`Backup address of ${user.address}`} size="small" onClose={onClose}>
      <form class="stack" onSubmit={submit} noValidate>
        {error && <Alert tone="error">{error}</Alert>}
        <p>
          {user.backupAddressSet
            ? 'A backup address is set. Enter a new one to replace it, or remove it.'
            : 'No backup address is set yet.'}
        </p>
        <Field
          label="New backup address"
          type="email"
          name="backupAddress"
          value={value}
          onValue={setValue}
          autoComplete="off"
          autoFocus
          hint={`A personal mailbox outside ${domain} and your other domains: sign-in links go there when ${user.address} is down. The old and the new address are told of the change.`}
        />
        <DialogActions>
          {user.backupAddressSet && (
            <Button
              variant="danger"
              busy={busy === 'remove'}
              disabled={Boolean(busy)}
              onClick={() => void save(null)}
            >
              Remove
            </Button>
          )}
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy === 'save'} disabled={Boolean(busy)}>
            Save backup address
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
