import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../shared/api';
import { Alert, Button, Field } from '../shared/forms';
import { CardLayout, Page, SkipLink } from '../shared/page';
import { checkNewPassword, NewPasswordFields, type PasswordProblems } from '../shared/passwords';
import { asApiError } from '../shared/session';
import { Loading } from '../shared/states';
import { APP } from './model';
import { SignInLinkRequest } from './SignInLinkRequest';

/** What `POST /api/portal/session/link` and `…/session/mfa` answer. */
type LinkAnswer = { user: { address: string } } | { mfaRequired: true; challenge: string };

type Step =
  | { kind: 'using' }
  | { kind: 'choosePassword' }
  | { kind: 'mfa'; challenge: string }
  | { kind: 'failed'; title: string; message: string };

/**
 * `/portal/link#<token>`: the page a mailed link opens. The token is in the fragment, which the
 * browser never sends anywhere; this page reads it, takes it out of the address bar and
 * history, and uses it. An invitation first asks for a password; MFA asks for a code.
 */
export function LinkPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [token] = useState(() => location.hash.slice(1));
  const [step, setStep] = useState<Step>({ kind: 'using' });
  const started = useRef(false);

  const handle = (answer: LinkAnswer) => {
    if ('mfaRequired' in answer) setStep({ kind: 'mfa', challenge: answer.challenge });
    else onSignedIn();
  };
  const fail = (cause: unknown) => {
    const error = asApiError(cause);
    if (error instanceof ApiError && error.code === 'choose_password') setStep({ kind: 'choosePassword' });
    else if (error.status === 410 || error.status === 400)
      setStep({ kind: 'failed', title: 'This link no longer works', message: error.message });
    else setStep({ kind: 'failed', title: "Couldn't sign you in", message: error.message });
  };

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    history.replaceState(history.state, '', '/portal/link');
    if (!token) {
      setStep({
        kind: 'failed',
        title: 'This link is incomplete',
        message: 'Open the link from your email again (all of it), or request a new one below.',
      });
      return;
    }
    api.post<LinkAnswer>('/api/portal/session/link', { token }).then(handle, fail);
  }, []);

  if (step.kind === 'using') return <Loading label="Signing you in…" />;

  return (
    <>
      <SkipLink />
      <CardLayout brand={APP}>
        {step.kind === 'choosePassword' && (
          <Page
            title="Choose your password"
            app={APP}
            lead="Your administrator invited you to the XtraMail portal. Choose the password you will sign in with."
          >
            <ChoosePassword
              onSubmit={async (newPassword) =>
                handle(await api.post<LinkAnswer>('/api/portal/session/link', { token, newPassword }))
              }
              onFailed={fail}
            />
          </Page>
        )}
        {step.kind === 'mfa' && (
          <Page title="Enter your authentication code" app={APP}>
            {/* The MFA step: a TOTP or recovery code for the challenge, as after a password sign-in. */}
            <MfaCode
              onSubmit={async (code) =>
                handle(
                  await api.post<LinkAnswer>('/api/portal/session/mfa', { challenge: step.challenge, code }),
                )
              }
            />
          </Page>
        )}
        {step.kind === 'failed' && (
          <Page title={step.title} app={APP}>
            <Alert tone="error">{step.message}</Alert>
            <p class="form-footer">
              <a href="/portal">Back to sign in</a>
            </p>
            <SignInLinkRequest />
          </Page>
        )}
      </CardLayout>
    </>
  );
}

function ChoosePassword({
  onSubmit,
  onFailed,
}: {
  onSubmit: (password: string) => Promise<void>;
  onFailed: (cause: unknown) => void;
}) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problems, setProblems] = useState<PasswordProblems>({});
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const found = checkNewPassword(password, confirm);
    setChecked(true);
    setProblems(found);
    if (found.password || found.confirm) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(password);
    } catch (cause) {
      setBusy(false);
      // A refused password can be corrected here; a used-up or expired link cannot.
      if (asApiError(cause).status === 400) setError(asApiError(cause).message);
      else onFailed(cause);
    }
  };

  const revalidate = (p: string, c: string) => {
    if (checked) setProblems(checkNewPassword(p, c));
  };
  return (
    <form class="stack" onSubmit={submit} noValidate>
      {error && <Alert tone="error">{error}</Alert>}
      <NewPasswordFields
        password={password}
        confirm={confirm}
        onPassword={(value) => {
          setPassword(value);
          revalidate(value, confirm);
        }}
        onConfirm={(value) => {
          setConfirm(value);
          revalidate(password, value);
        }}
        problems={problems}
        labels={{ password: 'New password', confirm: 'Confirm new password' }}
        autoFocus
      />
      <Button type="submit" variant="primary" busy={busy} class="button-block">
        Save password and continue
      </Button>
    </form>
  );
}

function MfaCode({ onSubmit }: { onSubmit: (code: string) => Promise<void> }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; attempt: number } | undefined>();
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onSubmit(code.trim());
    } catch (cause) {
      setError((previous) => ({ message: asApiError(cause).message, attempt: (previous?.attempt ?? 0) + 1 }));
      setBusy(false);
    }
  };
  return (
    <form class="stack" onSubmit={submit}>
      {error && (
        <Alert key={error.attempt} tone="error">
          {error.message}
        </Alert>
      )}
      <Field
        label="Authentication code"
        name="code"
        value={code}
        onValue={setCode}
        autoComplete="one-time-code"
        hint="The 6-digit code from your authenticator app, or one of your recovery codes."
        required
        autoFocus
      />
      <Button type="submit" variant="primary" busy={busy} class="button-block">
        Continue
      </Button>
    </form>
  );
}
