import { useState } from 'preact/hooks';
import { api } from '../shared/api';
import { Alert, Button, Field } from '../shared/forms';
import { asApiError, tooManyAttemptsMessage } from '../shared/session';

export const LINK_ON_ITS_WAY = 'If that account has a backup address, a link is on its way.';

/**
 * "Email me a sign-in link", beside the password form: for the day the usual password or the
 * primary system is unavailable. The answer is the same for every address, on purpose.
 */
export function SignInLinkRequest() {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  if (!open) {
    return (
      <p class="form-footer">
        Can't use your password?{' '}
        <button type="button" class="link-button" onClick={() => setOpen(true)}>
          Email me a sign-in link
        </button>
      </p>
    );
  }

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.post('/api/portal/sign-in-link', { email: email.trim() });
      setSentTo(email.trim());
    } catch (cause) {
      const apiError = asApiError(cause);
      setError(
        apiError.status === 429 ? tooManyAttemptsMessage(apiError.retryAfterSeconds) : apiError.message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack sign-in-link" onSubmit={submit} aria-label="Email me a sign-in link">
      <h2 class="sign-in-link-title">Email me a sign-in link</h2>
      {sentTo ? (
        <Alert tone="success" title={LINK_ON_ITS_WAY}>
          Check the personal mailbox your administrator or you set as the backup for {sentTo}. The link works
          once, for 15 minutes.
        </Alert>
      ) : (
        <p class="muted">
          We send a single-use link to your account's backup address (a personal mailbox outside your
          company's email), so you can get in while your usual email is down.
        </p>
      )}
      {error && <Alert tone="error">{error}</Alert>}
      <Field
        label="Your work email"
        type="email"
        name="link-email"
        value={email}
        onValue={setEmail}
        autoComplete="username"
        required
        autoFocus
      />
      <Button type="submit" busy={busy} class="button-block">
        {sentTo ? 'Send another link' : 'Send me a link'}
      </Button>
    </form>
  );
}
