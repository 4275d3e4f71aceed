import { useEffect, useState } from 'preact/hooks';
import { Alert, Button, Field } from '../shared/forms';
import { asApiError } from '../shared/session';
import { portalApi } from './nav';
import './outage.css';

interface Profile {
  address: string;
  backupAddress: string | null;
}

/**
 * The backup address on the Profile page: a personal mailbox outside the user's domain, where
 * "Email me a sign-in link" sends its link when their usual mailbox is down.
 */
export function BackupAddressSettings() {
  const [profile, setProfile] = useState<Profile | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState<'save' | 'remove' | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState<{ message: string; n: number } | undefined>();

  useEffect(() => {
    const controller = new AbortController();
    portalApi
      .get<Profile>('/api/portal/profile', controller.signal)
      .then((answer) => {
        setProfile(answer);
        setValue(answer.backupAddress ?? '');
      })
      .catch((cause: unknown) => {
        if (!controller.signal.aborted) setLoadError(asApiError(cause).message);
      });
    return () => controller.abort();
  }, []);

  const save = async (backupAddress: string | null) => {
    setBusy(backupAddress === null ? 'remove' : 'save');
    setError(undefined);
    try {
      const answer = await portalApi.put<Profile>('/api/portal/profile/backup-address', { backupAddress });
      setProfile(answer);
      setValue(answer.backupAddress ?? '');
      setSaved((previous) => ({
        message:
          backupAddress === null
            ? 'Your backup address is removed. The old address was told.'
            : 'Your backup address is saved. We sent a note to it (and to the old one, if there was one).',
        n: (previous?.n ?? 0) + 1,
      }));
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(undefined);
    }
  };

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const trimmed = value.trim();
    if (!trimmed) {
      setError('Enter a personal address, for example you@gmail.com.');
      return;
    }
    void save(trimmed);
  };

  const domain = profile?.address.split('@')[1];
  return (
    <section class="panel profile-backup" aria-labelledby="backup-title">
      <h2 id="backup-title">Backup address</h2>
      <p class="muted">
        A personal mailbox outside {domain ?? 'your organisation'}. If your usual mail is down, a sign-in link
        for this portal can be sent there.
      </p>
      {loadError && <Alert tone="error">{loadError}</Alert>}
      {saved && (
        <Alert key={saved.n} tone="success">
          {saved.message}
        </Alert>
      )}
      {profile && (
        <form class="stack" onSubmit={onSubmit} noValidate>
          <Field
            label="Backup address"
            type="email"
            name="backupAddress"
            value={value}
            onValue={setValue}
            autoComplete="email"
            error={error}
            hint={profile.backupAddress ? undefined : 'Not set yet.'}
          />
          <div class="backup-actions">
            <Button
              type="submit"
              variant="primary"
              busy={busy === 'save'}
              disabled={Boolean(busy) || value.trim() === (profile.backupAddress ?? '')}
            >
              Save backup address
            </Button>
            {profile.backupAddress && (
              <Button
                variant="quiet"
                busy={busy === 'remove'}
                disabled={Boolean(busy)}
                onClick={() => void save(null)}
              >
                Remove
              </Button>
            )}
          </div>
        </form>
      )}
    </section>
  );
}
