import { useState } from 'preact/hooks';
import { Alert } from '../shared/forms';
import { Icon } from '../shared/icons';
import { asApiError } from '../shared/session';
import type { ResendProgress } from './model';
import { portalApi } from './nav';

type ResendState =
  | { status: 'idle' }
  | { status: 'running'; progress?: ResendProgress }
  | { status: 'done'; total: number; sentNow: number }
  | { status: 'error'; message: string; progress?: ResendProgress };

/**
 * The Sent folder's way home: an mbox download, and re-sending each sent item to the person's
 * own address so it can be filed in the main mailbox. The server keeps track, so running it
 * again (or after an error) carries on without duplicates.
 */
export function SentTools({ address }: { address: string }) {
  const [state, setState] = useState<ResendState>({ status: 'idle' });

  const run = async () => {
    let progress: ResendProgress | undefined;
    let sentNow = 0;
    setState({ status: 'running' });
    try {
      for (let batch = 0; batch < 10_000; batch++) {
        progress = await portalApi.post<ResendProgress>('/api/portal/sent/resend');
        sentNow += progress.resent;
        if (progress.remaining <= 0) break;
        setState({ status: 'running', progress });
      }
      setState({ status: 'done', total: progress?.total ?? 0, sentNow });
    } catch (error) {
      setState({ status: 'error', message: asApiError(error).message, progress });
    }
  };

  const progress = state.status === 'running' || state.status === 'error' ? state.progress : undefined;
  const done = progress ? progress.total - progress.remaining : 0;

  return (
    <section class="sent-tools" aria-label="Take your sent items home">
      <div class="sent-tools-actions">
        <a class="button button-secondary button-small" href="/api/portal/export?folder=sent" download>
          <Icon name="download" />
          Export Sent (.mbox)
        </a>
        <button
          type="button"
          class="button button-secondary button-small"
          onClick={() => void run()}
          disabled={state.status === 'running'}
          aria-busy={state.status === 'running' ? 'true' : undefined}
        >
          Send my sent items to my mailbox
        </button>
      </div>
      <p class="sent-tools-note">
        Sent items don't sync back to your main mailbox. This sends each one to{' '}
        <strong class="address">{address}</strong> as an attachment so you can file them once your main mail
        is back.
      </p>
      <div role="status" class="sent-tools-status">
        {state.status === 'running' && (
          <>
            <progress max={progress?.total || 1} value={progress ? done : undefined} />
            <span>{progress ? `Sent ${done} of ${progress.total}…` : 'Starting…'}</span>
          </>
        )}
        {state.status === 'done' && (
          <Alert tone="success">{doneMessage(state.total, state.sentNow, address)}</Alert>
        )}
      </div>
      {state.status === 'error' && (
        <Alert tone="error" title="Sending your sent items stopped">
          {state.message} {progress ? `${done} of ${progress.total} were sent. ` : ''}Press the button again
          to carry on; items already sent are not sent twice.
        </Alert>
      )}
    </section>
  );
}

function doneMessage(total: number, sentNow: number, address: string): string {
  if (total === 0) return 'There was nothing to send: your Sent folder is empty.';
  const items = (n: number) => `${n} sent ${n === 1 ? 'item' : 'items'}`;
  if (sentNow === 0) return `Nothing new to send: all ${items(total)} already went to ${address}.`;
  if (sentNow === total) return `Done: all ${items(total)} are on the way to ${address}.`;
  return `Done: ${items(sentNow)} are on the way to ${address}; the other ${total - sentNow} went earlier.`;
}
