import { useState } from 'preact/hooks';
import { api } from '../shared/api';
import { Dialog, DialogActions } from '../shared/Dialog';
import { Alert, Button } from '../shared/forms';
import { asApiError } from '../shared/session';
import { type LinkOutcome, type LinkResult, LinkResultsStep, selectionBody } from './link-results';
import { domainApi, formatCount, plural } from './model';
import type { PasswordTarget } from './PasswordDialog';

export interface DrillSummary {
  drillId: string;
  startedAt: string;
  startedBy: string;
  participants: number;
  sent: number;
  completed: number;
}

interface StartedDrill {
  drill: DrillSummary;
  /** Large drills: links mailed from the queue over the next minutes, not within the request. */
  queued?: number;
  results: LinkResult[];
}

/** What the admin is told first: sent now, on their way, or none at all. */
function drillOutcome(started: StartedDrill): LinkOutcome {
  const queued = started.queued ?? 0;
  if (queued > 0) {
    return {
      tone: 'success',
      text: `Fire drill started: ${formatCount(queued)} test sign-in ${queued === 1 ? 'link is' : 'links are'} being sent; this takes a few minutes. The drill's participants under Fire drills on the Readiness page show them as they go.`,
    };
  }
  if (started.drill.sent > 0) {
    return {
      tone: 'success',
      text: `Fire drill started: a test sign-in link went to ${plural(started.drill.sent, 'user')}. Follow who completes it under Fire drills on the Readiness page.`,
    };
  }
  return { tone: 'warning', text: 'The drill started, but no links could be sent.' };
}

const TITLE = 'Start a fire drill';

/** Splits pasted addresses on commas, semicolons, spaces and line breaks. */
const parseAddresses = (text: string) => [
  ...new Set(
    text
      .split(/[\s,;]+/)
      .map((a) => a.trim())
      .filter(Boolean),
  ),
];

/**
 * Starts a fire drill: each chosen user gets a test sign-in link (valid 7 days) at their backup
 * address. Given a target (the Users tab's selection) it drills those; otherwise the admin
 * chooses all users or types the addresses.
 */
export function StartDrillDialog({
  domain,
  target,
  onClose,
  onStarted,
}: {
  domain: string;
  target?: PasswordTarget;
  onClose: () => void;
  onStarted?: (drill: DrillSummary) => void;
}) {
  const [scope, setScope] = useState<'all' | 'addresses'>('all');
  const [addressText, setAddressText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [started, setStarted] = useState<StartedDrill | undefined>();

  const start = async (event: SubmitEvent) => {
    event.preventDefault();
    let body: Record<string, unknown>;
    if (target) body = selectionBody(target);
    else if (scope === 'all') body = { all: true };
    else {
      const addresses = parseAddresses(addressText).map((a) => (a.includes('@') ? a : `${a}@${domain}`));
      if (addresses.length === 0) {
        setError('Type at least one address, or choose all users.');
        return;
      }
      body = { addresses };
    }
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.post<StartedDrill>(domainApi(domain, '/drills'), body);
      setStarted(answer);
      onStarted?.(answer.drill);
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  if (started) {
    return (
      <LinkResultsStep
        title={TITLE}
        outcome={drillOutcome(started)}
        results={started.results}
        label="No link sent"
        onClose={onClose}
      />
    );
  }

  const count = target && (target.kind === 'all' ? target.total : target.addresses.length);
  return (
    <Dialog title={TITLE} step="form" onClose={onClose}>
      <form class="stack" onSubmit={start} noValidate>
        {target ? (
          <p class="dialog-subject">
            For <strong>{plural(count ?? 0, target.kind === 'all' ? 'user' : 'selected user')}</strong> in{' '}
            {domain}
          </p>
        ) : (
          <fieldset class="choice-group">
            <legend>Who takes part</legend>
            <label class="check">
              <input
                type="radio"
                name="drill-scope"
                checked={scope === 'all'}
                onChange={() => setScope('all')}
                autoFocus
              />
              All users of {domain}
            </label>
            <label class="check">
              <input
                type="radio"
                name="drill-scope"
                checked={scope === 'addresses'}
                onChange={() => setScope('addresses')}
              />
              These users
            </label>
            {scope === 'addresses' && (
              <div class="field choice-detail">
                <label for="drill-addresses">Addresses (one per line, or separated by commas)</label>
                <textarea
                  id="drill-addresses"
                  rows={4}
                  value={addressText}
                  spellcheck={false}
                  placeholder={`ann@${domain}\nbob`}
                  onInput={(event) => setAddressText(event.currentTarget.value)}
                />
              </div>
            )}
          </fieldset>
        )}
        {error && (
          <Alert tone="error" title="Couldn't start the drill">
            {error}
          </Alert>
        )}
        <p>
          Each user gets an email at their <strong>backup address</strong> with a test sign-in link, as they
          would on an outage day. The link works once, for 7 days; the drill records when each user completes
          it.
        </p>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy} autoFocus={Boolean(target)}>
            Start drill
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
