import { useEffect, useState } from 'preact/hooks';
import { portalApi } from './nav';
import './outage.css';

type OutageStatus =
  { outage: false } | { outage: true; reason: 'paused' | 'bad'; notice?: string; since?: string };

/** How often the banner asks again: an outage starts and ends while the portal stays open. */
const POLL_MS = 60_000;

const HEADLINE = {
  paused: 'New mail is not being passed on to your usual mailbox right now',
  bad: 'Mail is having trouble reaching your usual mailbox',
} as const;

const FALLBACK = {
  paused:
    'Your administrator has paused delivery to your organisation’s mail server. New mail still arrives here: keep working in this portal until they tell you otherwise.',
  bad: 'XtraMail keeps retrying. New mail still arrives here: keep working in this portal until your administrator tells you otherwise.',
} as const;

/**
 * The outage banner: shown while the user's domain has Mail Flow paused or its status is Bad,
 * with the administrator's notice. It sits in the page flow (never over it) and is a polite
 * live region, so it is announced without interrupting; "Hide" keeps it away until the message
 * changes.
 */
export function OutageBanner() {
  const [status, setStatus] = useState<OutageStatus>({ outage: false });
  const [hidden, setHidden] = useState<string | undefined>(
    () => sessionStorage.getItem('xm-outage-hidden') ?? undefined,
  );

  useEffect(() => {
    let controller = new AbortController();
    const check = () => {
      controller.abort();
      controller = new AbortController();
      portalApi
        .get<OutageStatus>('/api/portal/status', controller.signal)
        .then(setStatus)
        // A failed check leaves the last answer on screen; the next one tries again.
        .catch(() => undefined);
    };
    check();
    const timer = setInterval(check, POLL_MS);
    const onVisible = () => document.visibilityState === 'visible' && check();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      controller.abort();
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  const key = status.outage ? `${status.reason}\n${status.notice ?? ''}` : undefined;
  const shown = status.outage && key !== hidden;
  const hide = () => {
    if (!key) return;
    sessionStorage.setItem('xm-outage-hidden', key);
    setHidden(key);
  };

  return (
    <div
      role="status"
      class={shown ? 'notice-banner outage-banner' : 'outage-banner-empty'}
      data-testid="outage-banner"
    >
      {shown && status.outage && (
        <div class="alert alert-warning outage-alert">
          <div>
            <p class="alert-title">{HEADLINE[status.reason]}</p>
            <div class="alert-body">
              {status.notice ? (
                <p>
                  <span class="sr-only">Message from your administrator: </span>
                  {status.notice}
                </p>
              ) : (
                <p>{FALLBACK[status.reason]}</p>
              )}
              <p class="outage-hint">
                Each message in your inbox shows whether it has reached your usual mailbox yet.
              </p>
            </div>
          </div>
          <button type="button" class="button button-quiet button-small" onClick={hide}>
            Hide
          </button>
        </div>
      )}
    </div>
  );
}
