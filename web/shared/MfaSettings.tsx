import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, request } from './api';
import { copyText, downloadText } from './files';
import { Alert, Button } from './forms';
import { asApiError } from './session';
import { LoadingLine } from './states';
import { Time } from './time';
import './mfa.css';

/** `GET <path>`: the account's two-step sign-in. */
interface MfaStatus {
  enrolled: boolean;
  enrolledAt?: string;
  recoveryCodesLeft: number;
  enrolmentRequired: boolean;
}

/** `POST <path>/enrolment`. */
interface Enrolment {
  secret: string;
  otpauthUri: string;
  qrCode: string;
  expiresAt: string;
}

type View =
  | { kind: 'loading' }
  | { kind: 'failed'; message: string }
  | { kind: 'off'; status: MfaStatus }
  | { kind: 'scanning'; enrolment: Enrolment }
  | { kind: 'codes'; codes: string[]; reason: 'enrolled' | 'regenerated' }
  | { kind: 'on'; status: MfaStatus };

interface MfaSettingsProps {
  /** `/api/portal/profile/mfa` or `/api/console/account/mfa`. */
  path: string;
  /** An administrator requires two-step sign-in for this account. */
  required?: boolean;
  /** What the authenticator app and the downloaded file are about, e.g. "XtraMail portal". */
  product: string;
  /** Told once TOTP is on (after the recovery codes were acknowledged) or off. */
  onChange?: (enrolled: boolean) => void;
  /** The forced-enrolment screen: set-up steps only, no heading. */
  enrolOnly?: boolean;
}

/** Four-character groups are easier to type into an authenticator app. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/**
 * Two-step sign-in with an authenticator app: set up with a QR code (or the key typed in),
 * confirm with a code, save the ten recovery codes (shown once), and later replace them or
 * turn it off with a current code.
 */
export function MfaSettings({ path, required, product, onChange, enrolOnly }: MfaSettingsProps) {
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [notice, setNotice] = useState<{ text: string; n: number } | undefined>();

  const load = async () => {
    try {
      const status = await api.get<MfaStatus>(path);
      setView(status.enrolled ? { kind: 'on', status } : { kind: 'off', status });
    } catch (cause) {
      setView({ kind: 'failed', message: asApiError(cause).message });
    }
  };
  useEffect(() => {
    void load();
  }, [path]);

  const begin = async () => {
    const enrolment = await api.post<Enrolment>(`${path}/enrolment`);
    setNotice(undefined);
    setView({ kind: 'scanning', enrolment });
  };

  let body;
  if (view.kind === 'loading') body = <LoadingLine label="Checking two-step sign-in…" />;
  else if (view.kind === 'failed')
    body = (
      <Alert tone="error" title="Couldn't check two-step sign-in">
        {view.message} Reload the page to try again.
      </Alert>
    );
  else if (view.kind === 'off')
    body = <Off required={view.status.enrolmentRequired} onBegin={begin} enrolOnly={enrolOnly} />;
  else if (view.kind === 'scanning')
    body = (
      <Scan
        enrolment={view.enrolment}
        path={path}
        onCancel={() => void load()}
        onRestart={begin}
        onConfirmed={(codes) => setView({ kind: 'codes', codes, reason: 'enrolled' })}
      />
    );
  else if (view.kind === 'codes')
    body = (
      <RecoveryCodes
        codes={view.codes}
        product={product}
        reason={view.reason}
        onDone={() => {
          setView({ kind: 'loading' });
          void load();
          if (view.reason === 'enrolled') onChange?.(true);
        }}
      />
    );
  else
    body = (
      <On
        status={view.status}
        path={path}
        required={required}
        onRegenerated={(codes) => setView({ kind: 'codes', codes, reason: 'regenerated' })}
        onDisabled={() => {
          setNotice({ text: 'Two-step sign-in is off. Your other sessions were signed out.', n: Date.now() });
          void load();
          onChange?.(false);
        }}
      />
    );

  if (enrolOnly) return <div class="mfa stack">{body}</div>;
  return (
    <section class="panel mfa stack" aria-labelledby="mfa-title">
      <h2 id="mfa-title">Two-step sign-in</h2>
      {notice && (
        <Alert key={notice.n} tone="success">
          {notice.text}
        </Alert>
      )}
      {body}
    </section>
  );
}

function Off({
  required,
  onBegin,
  enrolOnly,
}: {
  required: boolean;
  onBegin: () => Promise<void>;
  enrolOnly?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onBegin();
    } catch (cause) {
      setError(asApiError(cause).message);
      setBusy(false);
    }
  };
  return (
    <>
      {!enrolOnly && (
        <p>
          <strong>Off.</strong> {required ? 'Your administrator requires it. ' : ''}With two-step sign-in,
          signing in also asks for a code from an authenticator app on your phone, so a stolen password alone
          is not enough.
        </p>
      )}
      {error && <Alert tone="error">{error}</Alert>}
      <div>
        <Button variant="primary" busy={busy} onClick={() => void start()} autoFocus={enrolOnly}>
          Set up two-step sign-in
        </Button>
      </div>
    </>
  );
}

/** A short form for one code: used to confirm set-up, replace recovery codes and turn off. */
function CodeForm({
  label,
  submitLabel,
  variant = 'primary',
  hint,
  onCode,
  onCancel,
  allowRecovery,
}: {
  label: string;
  submitLabel: string;
  variant?: 'primary' | 'danger';
  hint: string;
  onCode: (code: string) => Promise<void>;
  onCancel?: () => void;
  allowRecovery?: boolean;
}) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; n: number } | undefined>();
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!code.trim()) {
      setError({ text: 'Type the code first.', n: Date.now() });
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await onCode(code.trim());
    } catch (cause) {
      setError({ text: asApiError(cause).message, n: Date.now() });
      setBusy(false);
      setCode('');
      input.current?.focus();
    }
  };
  return (
    <form class="stack mfa-code-form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
      {error && (
        <Alert key={error.n} tone="error">
          {error.text}
        </Alert>
      )}
      <div class="field">
        <label for={id}>{label}</label>
        <input
          id={id}
          ref={input}
          type="text"
          name="code"
          value={code}
          onInput={(event) => setCode(event.currentTarget.value)}
          autoComplete="one-time-code"
          inputMode={allowRecovery ? 'text' : 'numeric'}
          maxLength={allowRecovery ? 20 : 7}
          spellcheck={false}
          autoCapitalize="off"
          aria-describedby={`${id}-hint`}
          aria-invalid={error ? 'true' : undefined}
          autoFocus
        />
        <p id={`${id}-hint`} class="field-hint">
          {hint}
        </p>
      </div>
      <div class="mfa-actions">
        <Button type="submit" variant={variant} busy={busy}>
          {submitLabel}
        </Button>
        {onCancel && (
          <Button variant="quiet" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}

function Scan({
  enrolment,
  path,
  onConfirmed,
  onCancel,
  onRestart,
}: {
  enrolment: Enrolment;
  path: string;
  onConfirmed: (codes: string[]) => void;
  onCancel: () => void;
  onRestart: () => Promise<void>;
}) {
  const [copied, setCopied] = useState<boolean | undefined>();
  const confirm = async (code: string) => {
    try {
      const confirmed = await api.post<{ recoveryCodes: string[] }>(path, { code });
      onConfirmed(confirmed.recoveryCodes);
    } catch (cause) {
      // A lapsed set-up cannot be confirmed: start a fresh one rather than leave the person stuck.
      if (asApiError(cause).code === 'no_enrolment_pending') await onRestart();
      throw cause;
    }
  };
  return (
    <div class="stack">
      <ol class="mfa-steps">
        <li>
          Open an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator,
          1Password or Authy) and add an account.
        </li>
        <li>
          Scan this QR code.
          <img
            class="mfa-qr"
            src={enrolment.qrCode}
            width={200}
            height={200}
            alt="QR code for your authenticator app"
          />
          <p>
            Can't scan it? Choose to enter a key and type this one (time-based):{' '}
            <code class="mfa-secret" data-secret={enrolment.secret}>
              {grouped(enrolment.secret)}
            </code>{' '}
            <button
              type="button"
              class="link-button"
              onClick={async () => setCopied(await copyText(enrolment.secret))}
            >
              Copy key
            </button>
            {copied === false && (
              <span class="muted"> Your browser refused; select the key and copy it.</span>
            )}
            {copied && <span class="muted"> Copied.</span>}
          </p>
        </li>
        <li>Type the 6-digit code the app shows to finish.</li>
      </ol>
      <CodeForm
        label="Code from the app"
        submitLabel="Turn on two-step sign-in"
        hint={`This set-up stays open until ${new Date(enrolment.expiresAt).toLocaleTimeString()}.`}
        onCode={confirm}
        onCancel={onCancel}
      />
    </div>
  );
}

function RecoveryCodes({
  codes,
  product,
  reason,
  onDone,
}: {
  codes: string[];
  product: string;
  reason: 'enrolled' | 'regenerated';
  onDone: () => void;
}) {
  const [copied, setCopied] = useState<boolean | undefined>();
  const text = `${product} recovery codes (each works once)\r\n\r\n${codes.join('\r\n')}\r\n`;
  return (
    <div class="stack">
      <Alert tone="success" title={reason === 'enrolled' ? 'Two-step sign-in is on' : 'New recovery codes'}>
        {reason === 'enrolled'
          ? 'Your other sessions were signed out. Save your recovery codes now: they are shown only this once.'
          : 'Your old recovery codes no longer work. Save these now: they are shown only this once.'}
      </Alert>
      <p>
        If you lose your phone, each of these codes signs you in once instead of a code from the app. Keep
        them somewhere safe outside this mailbox, such as a password manager or on paper.
      </p>
      <ol class="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div class="mfa-actions">
        <Button icon="copy" onClick={async () => setCopied(await copyText(codes.join('\n')))}>
          Copy codes
        </Button>
        <Button
          icon="download"
          onClick={() => downloadText('xtramail-recovery-codes.txt', text, 'text/plain')}
        >
          Download codes
        </Button>
      </div>
      {copied === false && (
        <p class="muted">Your browser refused to copy. Download them, or select and copy.</p>
      )}
      {copied && <p class="muted">Copied.</p>}
      <div>
        <Button variant="primary" onClick={onDone}>
          I've saved my recovery codes
        </Button>
      </div>
    </div>
  );
}

function On({
  status,
  path,
  required,
  onRegenerated,
  onDisabled,
}: {
  status: MfaStatus;
  path: string;
  /** An administrator requires it: turning it off means setting it up again at once. */
  required?: boolean;
  onRegenerated: (codes: string[]) => void;
  onDisabled: () => void;
}) {
  const [action, setAction] = useState<'none' | 'regenerate' | 'disable'>('none');
  return (
    <div class="stack">
      <p>
        <strong>On</strong>
        {status.enrolledAt && (
          <>
            {' '}
            since <Time value={status.enrolledAt} />
          </>
        )}
        . Signing in asks for a code from your authenticator app.
      </p>
      <p class={status.recoveryCodesLeft <= 2 ? 'mfa-warning' : 'muted'}>
        {status.recoveryCodesLeft} of 10 recovery codes left.
        {status.recoveryCodesLeft <= 2 && ' Get new ones before you run out.'}
      </p>
      {action === 'regenerate' && (
        <CodeForm
          label="Current code"
          submitLabel="Get new recovery codes"
          hint="A code from your app, or one of your recovery codes. The old recovery codes stop working."
          allowRecovery
          onCode={async (code) =>
            onRegenerated(
              (await api.post<{ recoveryCodes: string[] }>(`${path}/recovery-codes`, { code })).recoveryCodes,
            )
          }
          onCancel={() => setAction('none')}
        />
      )}
      {action === 'disable' && (
        <CodeForm
          label="Current code"
          submitLabel="Turn off two-step sign-in"
          variant="danger"
          hint={`A code from your app, or one of your recovery codes. Your other sessions will be signed out.${
            required
              ? ' Your administrator requires two-step sign-in, so you will set it up again at once.'
              : ''
          }`}
          allowRecovery
          onCode={async (code) => {
            await request('DELETE', path, { body: { code } });
            onDisabled();
          }}
          onCancel={() => setAction('none')}
        />
      )}
      {action === 'none' && (
        <div class="mfa-actions">
          <Button onClick={() => setAction('regenerate')}>New recovery codes</Button>
          <Button variant="danger" onClick={() => setAction('disable')}>
            Turn off
          </Button>
        </div>
      )}
    </div>
  );
}
