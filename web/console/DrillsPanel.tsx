import { useState } from 'preact/hooks';
import { Button } from '../shared/forms';
import { useResource } from '../shared/resource';
import { EmptyState, ErrorPanel, LoadingLine } from '../shared/states';
import { Time } from '../shared/time';
import { domainApi, formatCount, type List } from './model';
import { type DrillSummary, StartDrillDialog } from './StartDrillDialog';

interface DrillParticipant {
  address: string;
  /** Absent from servers before queued sends: `sent` and `reason` said it all. */
  status?: 'sent' | 'queued' | 'refused' | 'failed';
  sent: boolean;
  reason?: string;
  sentAt?: string;
  completedAt?: string;
}

/** The link's state in words: large drills mail their links over a few minutes. */
function linkState(p: DrillParticipant): string {
  if (p.sent) return 'Sent';
  if (p.status === 'queued') return 'Queued: being sent';
  if (p.status === 'failed') return `Failed: ${p.reason ?? 'the mail could not be sent'}`;
  return `Not sent: ${p.reason ?? 'unknown reason'}`;
}

interface DrillDetail {
  drill: DrillSummary;
  participants: DrillParticipant[];
}

/**
 * A domain's fire drills: start one, see each drill's completion, open a drill to see every
 * participant, and download its report as CSV. Self-contained: it needs only the domain.
 */
export function DrillsPanel({ domain }: { domain: string }) {
  const drills = useResource<List<DrillSummary>>(domainApi(domain, '/drills'));
  const [starting, setStarting] = useState(false);
  const [openId, setOpenId] = useState<string | undefined>();
  const items = drills.data?.items ?? [];

  return (
    <div class="stack drills-panel">
      <div class="toolbar">
        <p class="muted">
          A fire drill mails each user a test sign-in link at their backup address and records who completes
          it.
        </p>
        <Button variant="primary" onClick={() => setStarting(true)}>
          Start a fire drill
        </Button>
        <Button variant="quiet" icon="refresh" onClick={drills.reload} label="Refresh fire drills">
          Refresh
        </Button>
      </div>
      {drills.error && !drills.data && (
        <ErrorPanel title="Couldn't load the fire drills" error={drills.error} onRetry={drills.reload} />
      )}
      {!drills.data && drills.loading && <LoadingLine label="Loading fire drills…" />}
      {drills.data && items.length === 0 && (
        <EmptyState>
          <p>
            No fire drills yet. Start one to check that your users can sign in with a link on the day the
            primary system is down.
          </p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <div
          class="table-wrap table-scroll"
          tabIndex={0}
          role="region"
          aria-label={`Fire drills of ${domain}`}
        >
          <table class="data-table">
            <caption class="sr-only">Fire drills of {domain}</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">By</th>
                <th scope="col" class="col-num">
                  Links sent
                </th>
                <th scope="col" class="col-num">
                  Completed
                </th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((drill) => (
                <tr key={drill.drillId} class={openId === drill.drillId ? 'is-selected' : undefined}>
                  <th scope="row">
                    <Time value={drill.startedAt} />
                  </th>
                  <td>{drill.startedBy}</td>
                  <td class="col-num">
                    {formatCount(drill.sent)} of {formatCount(drill.participants)}
                  </td>
                  <td class="col-num">
                    {formatCount(drill.completed)} of {formatCount(drill.sent)}
                  </td>
                  <td>
                    <Button
                      variant="quiet"
                      onClick={() => setOpenId(openId === drill.drillId ? undefined : drill.drillId)}
                      label={`${openId === drill.drillId ? 'Hide' : 'Show'} participants of the drill started ${new Date(drill.startedAt).toLocaleString()}`}
                    >
                      {openId === drill.drillId ? 'Hide' : 'Participants'}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {openId && <DrillParticipants domain={domain} drillId={openId} />}
      {starting && (
        <StartDrillDialog
          domain={domain}
          onClose={() => setStarting(false)}
          onStarted={(drill) => {
            drills.reload();
            setOpenId(drill.drillId);
          }}
        />
      )}
    </div>
  );
}

function DrillParticipants({ domain, drillId }: { domain: string; drillId: string }) {
  const path = domainApi(domain, `/drills/${encodeURIComponent(drillId)}`);
  const { data, error, loading, reload } = useResource<DrillDetail>(path);
  if (error && !data) return <ErrorPanel title="Couldn't load the drill" error={error} onRetry={reload} />;
  if (!data) return loading ? <LoadingLine label="Loading participants…" /> : null;
  const { drill, participants } = data;
  const label = `Participants of the fire drill started ${new Date(drill.startedAt).toLocaleString()}`;
  const queued = participants.filter((p) => p.status === 'queued').length;
  return (
    <section class="stack" aria-label={label}>
      <div class="toolbar">
        <h3>
          Participants: {formatCount(drill.completed)} of {formatCount(drill.sent)} completed
        </h3>
        <a class="button button-secondary" href={`${path}/report.csv`} download>
          Download CSV
        </a>
        <Button variant="quiet" icon="refresh" onClick={reload} label="Refresh participants">
          Refresh
        </Button>
      </div>
      {queued > 0 && (
        <p class="muted" role="status">
          {formatCount(queued)} {queued === 1 ? 'link is' : 'links are'} still being sent. Refresh to see them
          go out.
        </p>
      )}
      <div class="table-wrap table-scroll" tabIndex={0} role="region" aria-label={label}>
        <table class="data-table">
          <caption class="sr-only">{label}</caption>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Link</th>
              <th scope="col">Completed</th>
            </tr>
          </thead>
          <tbody>
            {participants.map((p) => (
              <tr key={p.address}>
                <th scope="row">{p.address}</th>
                <td>{linkState(p)}</td>
                <td>{p.completedAt ? <Time value={p.completedAt} /> : p.sent ? 'Not yet' : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
