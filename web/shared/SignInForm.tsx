import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';
import { Alert, Button, Field } from './forms';
import { asApiError, signInErrorMessage, type MfaChallenge } from './session';

interface SignInFormProps {
  /** Resolves with a challenge when the account has two-step sign-in. */
  onSignIn: (email: string, password: string) => Promise<MfaChallenge | void>;
  /** The second step: a code from the authenticator app or a recovery code. */
  onCode: (challenge: string, code: string) => Promise<void>;
  /** What to say on 401; the console and the portal word it differently. */
  unauthorizedMessage: string;
  /** A notice to show above the form, e.g. "You have signed out." */
  notice?: string;
  footer?: ComponentChildren;
}

type Failure = { message: string; attempt: number };

export function SignInForm({ onSignIn, onCode, unauthorizedMessage, notice, footer }: SignInFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Failure | undefined>();
  const [challenge, setChallenge] = useState<MfaChallenge | undefined>();
  const passwordInput = useRef<HTMLInputElement>(null);

  const fail = (message: string) =>
    setError((previous) => ({ message, attempt: (previous?.attempt ?? 0) + 1 }));

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const next = await onSignIn(email.trim(), password);
      // Without a challenge the parent swaps this form out for the signed-in page.
      if (next) {
        setPassword('');
        setChallenge(next);
        setBusy(false);
      }
    } catch (cause) {
      const apiError = asApiError(cause);
      fail(signInErrorMessage(apiError, unauthorizedMessage));
      setBusy(false);
      if (apiError.status === 401) {
        setPassword('');
        passwordInput.current?.focus();
      }
    }
  };

  if (challenge) {
    return (
      <MfaCodeForm
        challenge={challenge}
        onCode={onCode}
        onRestart={(message) => {
          setChallenge(undefined);
          if (message) fail(message);
        }}
      />
    );
  }

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

interface MfaCodeFormProps {
  challenge: MfaChallenge;
  onCode: (challenge: string, code: string) => Promise<void>;
  /** Back to the first step, with a message when the challenge ran out. */
  onRestart: (message?: string) => void;
}

/**
 * The second sign-in step. One field takes either kind of code: six digits from the app
 * (numeric keyboard, `one-time-code` so phones offer a code they received) or a recovery code
 * (letters too, so the keyboard switches when the person says they have one).
 */
export function MfaCodeForm({ challenge, onCode, onRestart }: MfaCodeFormProps) {
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Failure | undefined>();
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy) return;
    const typed = code.trim();
    if (!typed) {
      setError((previous) => ({ message: 'Type the code first.', attempt: (previous?.attempt ?? 0) + 1 }));
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await onCode(challenge.challenge, typed);
      // On success the parent swaps this form out for the signed-in page.
    } catch (cause) {
      const apiError = asApiError(cause);
      setBusy(false);
      if (apiError.status === 401) {
        onRestart('That sign-in took too long, so it was cancelled. Enter your password again.');
        return;
      }
      setError((previous) => ({
        message: signInErrorMessage(apiError, apiError.message),
        attempt: (previous?.attempt ?? 0) + 1,
      }));
      setCode('');
      input.current?.focus();
    }
  };

  const switchKind = () => {
    setRecovery((r) => !r);
    setCode('');
    setError(undefined);
    input.current?.focus();
  };

  return (
    <form class="stack" onSubmit={submit} aria-busy={busy ? 'true' : undefined} noValidate>
      <h2 class="mfa-step-title">Two-step sign-in</h2>
      <p id={`${id}-hint`}>
        {recovery
          ? 'Type one of the recovery codes you saved when you set up two-step sign-in. Each works once.'
          : 'Open your authenticator app and type the 6-digit code it shows for XtraMail.'}
      </p>
      {error && (
        <Alert key={error.attempt} tone="error">
          {error.message}
        </Alert>
      )}
      <div class="field">
        <label for={id}>{recovery ? 'Recovery code' : 'Authentication code'}</label>
        <input
          id={id}
          ref={input}
          key={recovery ? 'recovery' : 'totp'}
          type="text"
          name="code"
          value={code}
          onInput={(event) => setCode(event.currentTarget.value)}
          autoComplete="one-time-code"
          inputMode={recovery ? 'text' : 'numeric'}
          pattern={recovery ? undefined : '[0-9 ]*'}
          maxLength={recovery ? 20 : 7}
          placeholder={recovery ? 'xxxxx-xxxxx' : '123456'}
          spellcheck={false}
          autoCapitalize="off"
          autoFocus
          required
          aria-describedby={`${id}-hint`}
          aria-invalid={error ? 'true' : undefined}
        />
      </div>
      <Button type="submit" variant="primary" busy={busy} class="button-block">
        Verify and sign in
      </Button>
      <p class="form-footer">
        <button type="button" class="link-button" onClick={switchKind}>
          {recovery ? 'Use the code from your app instead' : 'Use a recovery code instead'}
        </button>
        {' · '}
        <button type="button" class="link-button" onClick={() => onRestart()}>
          Start again
        </button>
      </p>
    </form>
  );
}
