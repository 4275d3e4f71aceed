import './outage.css';

export type DeliveryState = 'delivered' | 'held' | 'deferred' | 'failed' | 'expired';

/** Where a message stands on its way to the user's usual mailbox (Mail Flow). */
export interface Delivery {
  state: DeliveryState;
  attempts?: number;
}

const STATES: Record<DeliveryState, { label: string; explanation: string }> = {
  delivered: { label: 'Delivered', explanation: 'It has reached your usual mailbox too.' },
  held: {
    label: 'Held',
    explanation: 'Delivery is paused: it reaches your usual mailbox when your administrator resumes it.',
  },
  deferred: {
    label: 'Deferred',
    explanation: 'Your mail server has not accepted it yet. XtraMail keeps trying for up to 14 days.',
  },
  failed: {
    label: 'Failed',
    explanation: 'Your mail server refused it. It is only here in the portal.',
  },
  expired: {
    label: 'Expired',
    explanation: 'It could not be delivered within 14 days. It is only here in the portal.',
  },
};

/** Compact, for the message list: a coloured dot and a word, with the explanation on hover. */
export function DeliveryBadge({ delivery }: { delivery?: Delivery | null }) {
  if (!delivery || !(delivery.state in STATES)) return null;
  const state = STATES[delivery.state];
  return (
    <span
      class={`delivery delivery-${delivery.state}`}
      title={state.explanation}
      data-delivery={delivery.state}
    >
      <span class="delivery-dot" aria-hidden="true" />
      <span class="sr-only">Delivery to your usual mailbox: </span>
      {state.label}
    </span>
  );
}

/** For the reading pane: the state and what it means. */
export function DeliveryLine({ delivery }: { delivery?: Delivery | null }) {
  if (!delivery || !(delivery.state in STATES)) return null;
  const state = STATES[delivery.state];
  return (
    <p class="delivery-line" data-testid="delivery-line">
      <span class={`delivery delivery-${delivery.state}`}>
        <span class="delivery-dot" aria-hidden="true" />
        {state.label}
      </span>{' '}
      <span class="muted">
        <span class="sr-only">Delivery to your usual mailbox: </span>
        {state.explanation}
      </span>
    </p>
  );
}
