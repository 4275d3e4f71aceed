import { formatCount } from './model';
import type { PasswordTarget } from './PasswordDialog';

/** One user's outcome when links were mailed (invitations, fire drills). */
export interface LinkResult {
  address: string;
  sent: boolean;
  reason?: string;
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
