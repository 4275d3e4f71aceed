import { useState } from 'preact/hooks';
import { api } from '../shared/api';
import { Dialog, DialogActions } from '../shared/Dialog';
import { Alert, Button } from '../shared/forms';
import { asApiError } from '../shared/session';
import { type LinkOutcome, type LinkResult, LinkResultsStep, selectionBody } from './link-results';
import { domainApi, formatCount, plural } from './model';
import type { PasswordTarget } from './PasswordDialog';

interface InviteResult {
  sent: number;
  /** Large selections: mailed from the queue over the next minutes, not within the request. */
  queued?: number;
  refused: number;
  results: LinkResult[];
}

/** What the admin is told first: sent now, on their way, or none at all. */
function inviteOutcome(result: InviteResult): LinkOutcome {
  const queued = result.queued ?? 0;
  if (queued > 0) {
    return {
      tone: 'success',
      text: `${formatCount(queued)} ${queued === 1 ? 'invitation is' : 'invitations are'} being sent; this takes a few minutes. Each link works once, for 7 days.`,
    };
  }
  if (result.sent > 0) {
    return {
      tone: 'success',
      text: `Invitation sent to ${plural(result.sent, 'user')}. Each link works once, for 7 days.`,
    };
  }
  return { tone: 'warning', text: 'No invitations were sent.' };
}

const TITLE = 'Invite to portal';

/**
 * Mails each selected user a single-use link (valid 7 days) at their backup address, to choose
 * their own portal password. Users who can't get one are listed with the reason.
 */
export function InviteDialog({
  domain,
  target,
  onClose,
  onDone,
}: {
  domain: string;
  target: PasswordTarget;
  onClose: () => void;
  onDone?: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [result, setResult] = useState<InviteResult | undefined>();
  const count = target.kind === 'all' ? target.total : target.addresses.length;
  const who =
    target.kind === 'all'
      ? `all ${plural(target.total, 'user')}${target.type || target.q ? ' matching the current filter' : ''} in ${domain}`
      : count === 1
        ? target.addresses[0]
        : `${plural(count, 'selected user')} in ${domain}`;

  const send = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.post<InviteResult>(domainApi(domain, '/invitations'), selectionBody(target)));
      onDone?.();
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  if (result) {
    return (
      <LinkResultsStep
        title={TITLE}
        outcome={inviteOutcome(result)}
        results={result.results}
        label="Not invited"
        onClose={onClose}
      />
    );
  }

  return (
    <Dialog title={TITLE} step="form" onClose={onClose}>
      <form class="stack" onSubmit={send}>
        <p class="dialog-subject">
          For <strong>{who}</strong>
        </p>
        {error && (
          <Alert tone="error" title="Couldn't send the invitations">
            {error}
          </Alert>
        )}
        <p>
          Each user gets an email at their <strong>backup address</strong> with a link to choose their own
          portal password. The link works once, for 7 days; choosing a password ends any temporary one.
        </p>
        <p class="muted">
          Users without a backup address, and accounts that can't sign in to the portal, are skipped and
          listed afterwards.
        </p>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy} autoFocus>
            Send invitations
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
