import { useRef, useState } from 'preact/hooks';
import { Alert, Button, Field } from '../shared/forms';
import { Page } from '../shared/page';
import { RequiredStepPage } from '../shared/RequiredStepPage';
import { checkNewPassword, NewPasswordFields, type PasswordProblems } from '../shared/passwords';
import { MfaSettings } from '../shared/MfaSettings';
import { asApiError } from '../shared/session';
import { Time } from '../shared/time';
import { BackupAddressSettings } from './BackupAddressSettings';
import { MailLayout } from './Mailbox';
import { APP, type PortalSession } from './model';
import { portalApi } from './nav';
import type { MailStore } from './store';
import { WindowGaps } from './WindowGaps';

interface ChangePasswordFormProps {
  /** Called after the server accepted the new password. */
  onChanged: () => void;
  currentLabel: string;
  submitLabel: string;
  autoFocus?: boolean;
  /** Signed in with a link moments ago: the server takes a new password without the old one. */
  withoutCurrent?: boolean;
}

function ChangePasswordForm({
  onChanged,
  currentLabel,
  submitLabel,
  autoFocus,
  withoutCurrent,
}: ChangePasswordFormProps) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; attempt: number } | undefined>();
  const currentInput = useRef<HTMLInputElement>(null);
  const problems: PasswordProblems = submitted ? checkNewPassword(password, confirm) : {};
  const sameAsCurrent =
    submitted && !problems.password && current && password === current
      ? 'Choose a password different from the current one.'
      : undefined;

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const check = checkNewPassword(password, confirm);
    if (check.password || check.confirm || (!withoutCurrent && !current) || password === current) return;
    setBusy(true);
    setError(undefined);
    try {
      await portalApi.put('/api/portal/password', {
        ...(withoutCurrent ? {} : { currentPassword: current }),
        newPassword: password,
      });
      setBusy(false);
      setCurrent('');
      setPassword('');
      setConfirm('');
      setSubmitted(false);
      onChanged();
    } catch (cause) {
      const apiError = asApiError(cause);
      setBusy(false);
      setError((previous) => ({
        message:
          apiError.status === 401 || apiError.code === 'invalid_credentials'
            ? `${currentLabel} is incorrect. Type it again.`
            : apiError.message,
        attempt: (previous?.attempt ?? 0) + 1,
      }));
      if (apiError.status === 401 || apiError.code === 'invalid_credentials') {
        setCurrent('');
        currentInput.current?.focus();
      }
    }
  };

  return (
    <form class="stack" onSubmit={onSubmit} aria-busy={busy ? 'true' : undefined} noValidate>
      {error && (
        <Alert key={error.attempt} tone="error">
          {error.message}
        </Alert>
      )}
      {!withoutCurrent && (
        <Field
          label={currentLabel}
          type="password"
          name="current-password"
          value={current}
          onValue={setCurrent}
          autoComplete="current-password"
          required
          autoFocus={autoFocus}
          inputRef={currentInput}
          error={submitted && !current ? `Type your ${currentLabel.toLowerCase()}.` : undefined}
        />
      )}
      <NewPasswordFields
        password={password}
        confirm={confirm}
        onPassword={setPassword}
        onConfirm={setConfirm}
        problems={{ ...problems, password: problems.password ?? sameAsCurrent }}
        labels={{ password: 'New password', confirm: 'Type the new password again' }}
      />
      <Button type="submit" variant="primary" busy={busy}>
        {submitLabel}
      </Button>
    </form>
  );
}

/** The only page while the password is the temporary one an administrator set. */
export function ForcedPasswordChange({
  address,
  withoutCurrent,
  onChanged,
  onSignOut,
}: {
  address: string;
  /** Signed in with a link: the temporary password is not needed. */
  withoutCurrent?: boolean;
  onChanged: () => void;
  onSignOut: () => Promise<void>;
}) {
  return (
    <RequiredStepPage
      app={APP}
      title="Choose your own password"
      lead={
        withoutCurrent
          ? 'You signed in with a link. Choose your own password to continue.'
          : 'Your administrator set a temporary password. Choose your own to continue.'
      }
      who={address}
      signOutPrompt="Not you?"
      onSignOut={onSignOut}
    >
      <ChangePasswordForm
        onChanged={onChanged}
        currentLabel="Temporary password"
        submitLabel="Save password and continue"
        autoFocus
        withoutCurrent={withoutCurrent}
      />
    </RequiredStepPage>
  );
}

/** A sign-in link opened this session moments ago: a new password needs no old one until then. */
export const passwordResetOpen = (session: PortalSession) =>
  Boolean(session.passwordResetUntil && Date.parse(session.passwordResetUntil) > Date.now());

export function Profile({ session, store }: { session: PortalSession; store: MailStore }) {
  const [changed, setChanged] = useState(0);
  // The change renews the session without the link's allowance.
  const withoutCurrent = changed === 0 && passwordResetOpen(session);
  return (
    <MailLayout store={store} class="mail-page">
      <main id="main" class="portal-page" tabIndex={-1}>
        <Page title="Profile" app={APP}>
          <dl class="details">
            <div>
              <dt>Address</dt>
              <dd class="address">{session.user.address}</dd>
            </div>
            {session.windowStart && (
              <div>
                <dt>Mail kept since</dt>
                <dd>
                  <Time value={session.windowStart} style="date" />
                  {session.windowStartsWhenEnabled
                    ? ', when XtraMail was turned on (it keeps the last 30 days).'
                    : ' (the last 30 days).'}
                  <WindowGaps gaps={session.windowGaps} />
                </dd>
              </div>
            )}
            <div>
              <dt>Session ends</dt>
              <dd>
                <Time value={session.expiresAt} />
              </dd>
            </div>
          </dl>
          <section class="panel profile-password" aria-labelledby="password-title">
            <h2 id="password-title">Change password</h2>
            <p class="muted">
              This is your XtraMail portal password, separate from your usual mail password. Changing it signs
              you out everywhere else.
            </p>
            {changed > 0 && (
              <Alert key={changed} tone="success">
                Your password is changed. Other sessions have been signed out.
              </Alert>
            )}
            {withoutCurrent && session.passwordResetUntil && (
              <p>
                You signed in with a link, so you can choose a new password without the old one until{' '}
                <Time value={session.passwordResetUntil} />.
              </p>
            )}
            <ChangePasswordForm
              onChanged={() => setChanged((n) => n + 1)}
              currentLabel="Current password"
              submitLabel="Change password"
              withoutCurrent={withoutCurrent}
            />
          </section>
          <MfaSettings path="/api/portal/profile/mfa" product="XtraMail portal" />
          <BackupAddressSettings />
        </Page>
      </main>
    </MailLayout>
  );
}
