import { useState } from 'preact/hooks';
import { api } from '../shared/api';
import { Dialog, DialogActions } from '../shared/Dialog';
import { copyText, downloadText, toCsv } from '../shared/files';
import { Alert, Button } from '../shared/forms';
import { checkNewPassword, NewPasswordFields, type PasswordProblems } from '../shared/passwords';
import { asApiError } from '../shared/session';
import { domainApi, formatCount, type PasswordResult, plural, userTypeLabel } from './model';

export type PasswordTarget =
  | { kind: 'addresses'; addresses: string[] }
  /** Every user matching the Users tab's filter, across all pages. */
  | { kind: 'all'; total: number; type?: string; q?: string };

interface PasswordDialogProps {
  domain: string;
  target: PasswordTarget;
  onClose: () => void;
  /** Called once passwords were set, so the list can show the new status. */
  onDone: () => void;
}

const TITLE = 'Set portal password';

/** Reasons the API may give as codes, in words. */
const REFUSAL_REASONS: Record<string, string> = {
  not_eligible: "This type can't sign in to the portal; only Users and Discovered Users can.",
  not_found: 'No such user in this domain any more.',
};

/**
 * Sets portal passwords for one user, the selected users or every matching user: one typed
 * password for all, or a unique generated one each. Generated passwords are shown once, here.
 */
export function PasswordDialog({ domain, target, onClose, onDone }: PasswordDialogProps) {
  const [mode, setMode] = useState<'type' | 'generate'>('type');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problems, setProblems] = useState<PasswordProblems>({});
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [result, setResult] = useState<PasswordResult | undefined>();
  const [saved, setSaved] = useState(false);
  const [leaving, setLeaving] = useState(false);

  const single = target.kind === 'addresses' && target.addresses.length === 1;
  const count = target.kind === 'all' ? target.total : target.addresses.length;
  const who =
    target.kind === 'all'
      ? `all ${plural(target.total, 'user')}${target.type || target.q ? ' matching the current filter' : ''} in ${domain}`
      : single
        ? target.addresses[0]
        : `${plural(count, 'selected user')} in ${domain}`;

  const revalidate = (p: string, c: string) => {
    if (checked) setProblems(checkNewPassword(p, c));
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (mode === 'type') {
      const found = checkNewPassword(password, confirm);
      setChecked(true);
      setProblems(found);
      if (found.password || found.confirm) return;
    }
    const selection =
      target.kind === 'all'
        ? { all: true, ...(target.type ? { type: target.type } : {}), ...(target.q ? { q: target.q } : {}) }
        : { addresses: target.addresses };
    const secret = mode === 'generate' ? { generate: true } : { password };
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.post<PasswordResult>(domainApi(domain, '/passwords'), {
        ...selection,
        ...secret,
      });
      setPassword('');
      setConfirm('');
      setResult({ ...answer, refused: answer.refused ?? [] });
      onDone();
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  // Generated passwords can't be shown again: ask before closing if they weren't saved.
  const unsaved = Boolean(result?.generated?.length) && !saved;
  const canDismiss = () => {
    if (!unsaved) return true;
    setLeaving(true);
    return false;
  };

  if (result) {
    return (
      <Dialog title={TITLE} size="large" step="result" onClose={onClose} canDismiss={canDismiss}>
        <PasswordResultView
          domain={domain}
          result={result}
          onSaved={() => {
            setSaved(true);
            setLeaving(false);
          }}
        />
        {leaving && unsaved && (
          <Alert tone="warning" title="Close without saving the passwords?">
            You haven't downloaded or copied them. Once this dialog closes they can't be shown again, and you
            would have to set new ones.
          </Alert>
        )}
        <DialogActions>
          {leaving && unsaved ? (
            <Button variant="danger" onClick={onClose}>
              Close without saving
            </Button>
          ) : (
            <Button
              variant="primary"
              onClick={() => canDismiss() && onClose()}
              autoFocus={!result.generated?.length}
            >
              Done
            </Button>
          )}
        </DialogActions>
      </Dialog>
    );
  }

  return (
    <Dialog title={TITLE} step="form" onClose={onClose}>
      <form class="stack" onSubmit={submit} noValidate>
        <p class="dialog-subject">
          For <strong>{who}</strong>
        </p>
        {error && (
          <Alert tone="error" title="Couldn't set passwords">
            {error}
          </Alert>
        )}
        <fieldset class="choice-group">
          <legend>Password</legend>
          <label class="check">
            <input
              type="radio"
              name="mode"
              value="type"
              checked={mode === 'type'}
              onChange={() => setMode('type')}
              autoFocus
            />
            {single ? 'Type a password' : 'Type one password for all'}
          </label>
          {mode === 'type' && (
            <div class="choice-detail">
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
              />
            </div>
          )}
          <label class="check">
            <input
              type="radio"
              name="mode"
              value="generate"
              checked={mode === 'generate'}
              onChange={() => setMode('generate')}
            />
            Generate a unique strong password for each user
          </label>
          {mode === 'generate' && (
            <p class="choice-detail field-hint">
              You will see the generated passwords once, right after this step, to download or copy.
            </p>
          )}
        </fieldset>
        <p class="muted">
          {single ? 'The user' : 'Each user'} must choose a new password at their first portal sign-in.
          Mailing lists, aliases, shared mailboxes and system accounts are skipped: they can't sign in.
        </p>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {single ? 'Set password' : 'Set passwords'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function PasswordResultView({
  domain,
  result,
  onSaved,
}: {
  domain: string;
  result: PasswordResult;
  onSaved: () => void;
}) {
  const [copyStatus, setCopyStatus] = useState<string | undefined>();
  const generated = result.generated ?? [];

  const download = () => {
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
    downloadText(
      `portal-passwords-${domain}-${stamp}.csv`,
      toCsv(
        ['address', 'password'],
        generated.map((g) => [g.address, g.password]),
      ),
    );
    onSaved();
  };
  const copy = async () => {
    const text = generated.map((g) => `${g.address}\t${g.password}`).join('\n');
    if (await copyText(text)) {
      setCopyStatus(`Copied ${plural(generated.length, 'password')} (address, tab, password on each line).`);
      onSaved();
    } else setCopyStatus("Couldn't copy: the browser didn't allow it. Use Download CSV instead.");
  };

  return (
    <div class="stack">
      <Alert tone={result.updated > 0 ? 'success' : 'warning'}>
        {result.updated > 0
          ? `Portal password set for ${plural(result.updated, 'user')}. ${result.updated === 1 ? 'They' : 'Each'} must choose a new password at their first portal sign-in.`
          : 'No passwords were set.'}
      </Alert>

      {generated.length > 0 && (
        <section class="stack" aria-labelledby="generated-heading">
          <h3 id="generated-heading">Generated passwords</h3>
          <Alert tone="warning" title="Shown only this once">
            Download or copy these passwords now and give each user theirs over a safe channel. XtraMail keeps
            only a hash: after you close this dialog they can't be shown again.
          </Alert>
          <div class="dialog-actions dialog-actions-start">
            <Button variant="primary" icon="download" onClick={download} autoFocus>
              Download CSV
            </Button>
            <Button icon="copy" onClick={() => void copy()}>
              Copy
            </Button>
          </div>
          <p role="status" class="muted">
            {copyStatus}
          </p>
          <div class="table-wrap table-scroll" tabIndex={0} role="region" aria-label="Generated passwords">
            <table class="data-table secret-table">
              <caption class="sr-only">Generated passwords</caption>
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Password</th>
                </tr>
              </thead>
              <tbody>
                {generated.map((g) => (
                  <tr key={g.address}>
                    <th scope="row">{g.address}</th>
                    <td>
                      <code class="secret">{g.password}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      {result.refused.length > 0 && (
        <section class="stack" aria-labelledby="refused-heading">
          <h3 id="refused-heading">Not changed ({formatCount(result.refused.length)})</h3>
          <div
            class="table-wrap table-scroll"
            tabIndex={0}
            role="region"
            aria-label="Users whose password was not set"
          >
            <table class="data-table">
              <caption class="sr-only">Users whose password was not set</caption>
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {result.refused.map((r) => (
                  <tr key={r.address}>
                    <th scope="row">{r.address}</th>
                    <td>{refusalText(r.reason)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}

function refusalText(reason: string): string {
  if (REFUSAL_REASONS[reason]) return REFUSAL_REASONS[reason];
  // `type:mailing_list` style codes, just in case; plain sentences pass through.
  const typed = /^(?:not_eligible|type)[:=](\w+)$/.exec(reason);
  if (typed) return `${userTypeLabel(typed[1])}: this type can't sign in to the portal.`;
  return reason;
}
