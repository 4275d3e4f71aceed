import { Dialog, DialogActions } from '../shared/Dialog';
import { Alert, Button } from '../shared/forms';
import { formatCount } from './model';
import type { PasswordTarget } from './PasswordDialog';

/** One user's outcome when links were mailed (invitations, fire drills). */
export interface LinkResult {
  address: string;
  sent: boolean;
  status?: 'sent' | 'queued' | 'refused' | 'failed';
  reason?: string;
}

/** What a send came to, in one line for the result step. */
export interface LinkOutcome {
  tone: 'success' | 'warning';
  text: string;
}

/**
 * The result step of a dialog that mailed links (invitations, fire drills): the outcome, and the
 * users who got none. Queued users are on their way, not refused, so only the others are listed.
 */
export function LinkResultsStep(props: {
  title: string;
  outcome: LinkOutcome;
  results: LinkResult[];
  label: string;
  onClose: () => void;
}) {
  return (
    <Dialog title={props.title} size="large" step="result" onClose={props.onClose}>
      <div class="stack">
        <Alert tone={props.outcome.tone}>{props.outcome.text}</Alert>
        <NotSentTable results={props.results.filter((r) => r.status !== 'queued')} label={props.label} />
      </div>
      <DialogActions>
        <Button variant="primary" onClick={props.onClose} autoFocus>
          Done
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** The API's selection body for the Users tab's target: listed addresses, or all matching the filter. */
export const selectionBody = (target: PasswordTarget) =>
  target.kind === 'all'
    ? { all: true, ...(target.type ? { type: target.type } : {}), ...(target.q ? { q: target.q } : {}) }
    : { addresses: target.addresses };

/** The users who got no link, one per row, with the reason in words. */
export function NotSentTable({ results, label }: { results: LinkResult[]; label: string }) {
  const notSent = results.filter((r) => !r.sent);
  if (notSent.length === 0) return null;
  return (
    <section class="stack" aria-label={label}>
      <h3>
        {label} ({formatCount(notSent.length)})
      </h3>
      <div class="table-wrap table-scroll" tabIndex={0} role="region" aria-label={label}>
        <table class="data-table">
          <caption class="sr-only">{label}</caption>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {notSent.map((r) => (
              <tr key={r.address}>
                <th scope="row">{r.address}</th>
                <td>{r.reason ?? 'Not sent.'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
