import { useState } from 'preact/hooks';
import { api } from '../shared/api';
import { Alert, Button, Field } from '../shared/forms';
import { Page } from '../shared/page';
import { checkNewPassword, NewPasswordFields, type PasswordProblems } from '../shared/passwords';
import { MfaSettings } from '../shared/MfaSettings';
import { asApiError } from '../shared/session';
import { Time } from '../shared/time';
import { CONSOLE_APP as APP, type ConsoleSession, isPartner, roleLabel } from './model';
import { RequireAdminMfa } from './SecuritySettings';

export function AccountPage({ session }: { session: ConsoleSession }) {
  const { admin } = session;
  return (
    <Page title="Account" app={APP}>
      <div class="stack-lg account">
        <dl class="details">
          <div>
            <dt>Email</dt>
            <dd>{admin.email}</dd>
          </div>
          <div>
            <dt>Role</dt>
            <dd>{roleLabel(admin.role)}</dd>
          </div>
          <div>
            <dt>Domains</dt>
            <dd>
              {isPartner(session)
                ? 'All domains of this deployment'
                : admin.domains?.length
                  ? admin.domains.join(', ')
                  : 'None yet: ask a partner admin to grant you your domains'}
            </dd>
          </div>
          <div>
            <dt>Session ends</dt>
            <dd>
              <Time value={session.expiresAt} />
            </dd>
          </div>
        </dl>
        <ChangePassword />
        <MfaSettings path="/api/console/account/mfa" product="XtraMail Console" />
        {isPartner(session) && <RequireAdminMfa />}
      </div>
    </Page>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problems, setProblems] = useState<PasswordProblems & { current?: string }>({});
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<
    { tone: 'success' | 'error'; text: string; n: number } | undefined
  >();

  const check = (c: string, p: string, k: string) => ({
    ...checkNewPassword(p, k),
    ...(c ? {} : { current: 'Enter the password you use now.' }),
  });

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const found = check(current, password, confirm);
    setChecked(true);
    setProblems(found);
    if (found.current || found.password || found.confirm) return;
    setBusy(true);
    setOutcome(undefined);
    try {
      await api.put('/api/console/password', { currentPassword: current, newPassword: password });
      setCurrent('');
      setPassword('');
      setConfirm('');
      setChecked(false);
      setOutcome({
        tone: 'success',
        text: 'Password changed. Your other sessions were signed out; this one stays signed in.',
        n: Date.now(),
      });
    } catch (cause) {
      const error = asApiError(cause);
      setOutcome({
        tone: 'error',
        text:
          error.code === 'wrong_password' || error.code === 'invalid_credentials'
            ? 'Your current password is incorrect. Type it again; nothing was changed.'
            : error.message,
        n: Date.now(),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel stack" onSubmit={submit} noValidate aria-labelledby="change-password">
      <h2 id="change-password">Change password</h2>
      {outcome && (
        <Alert key={outcome.n} tone={outcome.tone}>
          {outcome.text}
        </Alert>
      )}
      <Field
        label="Current password"
        type="password"
        name="current-password"
        value={current}
        onValue={(value) => {
          setCurrent(value);
          if (checked) setProblems(check(value, password, confirm));
        }}
        autoComplete="current-password"
        required
        error={problems.current}
      />
      <NewPasswordFields
        password={password}
        confirm={confirm}
        onPassword={(value) => {
          setPassword(value);
          if (checked) setProblems(check(current, value, confirm));
        }}
        onConfirm={(value) => {
          setConfirm(value);
          if (checked) setProblems(check(current, password, value));
        }}
        problems={problems}
        labels={{ password: 'New password', confirm: 'Confirm new password' }}
      />
      <p class="muted">Changing it signs you out everywhere else.</p>
      <div>
        <Button type="submit" variant="primary" busy={busy}>
          Change password
        </Button>
      </div>
    </form>
  );
}
