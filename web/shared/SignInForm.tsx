import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { Alert, Button, Field } from './forms';
import { asApiError, signInErrorMessage } from './session';

interface SignInFormProps {
  onSignIn: (email: string, password: string) => Promise<void>;
  /** What to say on 401; the console and the portal word it differently. */
  unauthorizedMessage: string;
  /** A notice to show above the form, e.g. "You have signed out." */
  notice?: string;
  footer?: ComponentChildren;
}

export function SignInForm({ onSignIn, unauthorizedMessage, notice, footer }: SignInFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; attempt: number } | undefined>();
  const passwordInput = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSignIn(email.trim(), password);
      // On success the parent swaps this form out for the signed-in page.
    } catch (cause) {
      const apiError = asApiError(cause);
      setError((previous) => ({
        message: signInErrorMessage(apiError, unauthorizedMessage),
        attempt: (previous?.attempt ?? 0) + 1,
      }));
      setBusy(false);
      if (apiError.status === 401) {
        setPassword('');
        passwordInput.current?.focus();
      }
    }
  };

  return (
    <form class="stack" onSubmit={onSubmit} aria-busy={busy ? 'true' : undefined}>
      {notice && !error && <Alert tone="success">{notice}</Alert>}
      {error && (
        <Alert key={error.attempt} tone="error">
          {error.message}
        </Alert>
      )}
      <Field
        label="Email"
        type="email"
        name="email"
        value={email}
        onValue={setEmail}
        autoComplete="username"
        required
        autoFocus
      />
      <Field
        label="Password"
        type="password"
        name="password"
        value={password}
        onValue={setPassword}
        autoComplete="current-password"
        required
        inputRef={passwordInput}
      />
      <Button type="submit" variant="primary" busy={busy} class="button-block">
        Sign in
      </Button>
      {footer}
    </form>
  );
}
