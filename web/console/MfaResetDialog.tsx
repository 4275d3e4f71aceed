import { useState } from 'preact/hooks';
import { api } from '../shared/api';
import { Dialog, DialogActions } from '../shared/Dialog';
import { Alert, Button } from '../shared/forms';
import { asApiError } from '../shared/session';
import { domainApi, type User } from './model';

/**
 * Turns off a user's two-step sign-in when they have lost both their phone and their recovery
 * codes. It ends their sessions; if the domain requires two-step sign-in they set it up again at
 * their next sign-in.
 */
export function MfaResetDialog({
  domain,
  user,
  onClose,
  onDone,
}: {
  domain: string;
  user: User;
  onClose: () => void;
  onDone: (user: User, message: string) => void;
}) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const reset = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.delete(domainApi(domain, `/users/${encodeURIComponent(user.address)}/mfa`));
      onDone({ ...user, mfaEnrolled: false }, `Two-step sign-in is off for ${user.address}.`);
    } catch (cause) {
      setError(asApiError(cause).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Turn off two-step sign-in for ${user.address}?`} size="small" onClose={onClose}>
      <div class="stack">
        {error && <Alert tone="error">{error}</Alert>}
        <p>
          Do this only when the user has lost both their authenticator and their recovery codes, and you have
          confirmed who they are another way. Their portal sessions end now, and they can sign in with their
          password alone until they set up two-step sign-in again.
        </p>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" busy={busy} disabled={busy} onClick={() => void reset()}>
            Turn off two-step sign-in
          </Button>
        </DialogActions>
      </div>
    </Dialog>
  );
}
