import { xtramailCoversReceipt, type Domain } from '../entities/domain';
import { isEligible, type PortalUser } from '../entities/portal-user';

/** What intake does for one envelope recipient; the log entry records it. */
export type RecipientAction =
  /** Copied into the user's snapshot. */
  | 'snapshot'
  /** A new Discovered User was created and the message copied. */
  | 'discovered'
  /** XtraMail is off for the domain, or was turned on after the message arrived. */
  | 'not-enabled'
  /** The account type is not billable (a mailing list, an alias…): no copy. */
  | 'not-eligible'
  /** Unknown address and address discovery is off. */
  | 'invalid-recipient'
  /** The recipient's domain is not managed by this deployment. */
  | 'unmanaged-domain'
  /** Copied, but the MIME structure could not be read: the portal shows the raw source. */
  | 'unparseable';

export interface RecipientDecision {
  action: RecipientAction;
  /** Create a Discovered User for this address before copying. */
  discover: boolean;
  copy: boolean;
}

const decision = (action: RecipientAction, copy = false, discover = false): RecipientDecision => ({
  action,
  copy,
  discover,
});

/**
 * The eligibility table. Discovery happens whether or not XtraMail is on (the address is a real
 * mailbox of the domain either way); only the copy depends on the product and the receipt time.
 */
export function decideRecipient(
  domain: Domain | undefined,
  user: Pick<PortalUser, 'type'> | undefined,
  receivedAt: Date,
): RecipientDecision {
  if (!domain) return decision('unmanaged-domain');
  const covered = xtramailCoversReceipt(domain, receivedAt);
  if (!user) {
    if (!domain.addressDiscovery) return decision('invalid-recipient');
    return covered ? decision('discovered', true, true) : decision('not-enabled', false, true);
  }
  if (!covered) return decision('not-enabled');
  if (!isEligible(user.type)) return decision('not-eligible');
  return decision('snapshot', true);
}
