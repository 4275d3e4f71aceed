import { isEligible, portalUserFromItem, portalUserKey } from '../entities/portal-user';
import type { SessionDeps } from './sessions';
import { Sessions } from './sessions';

export interface PortalProfile {
  address: string;
  mustChangePassword: boolean;
}

/**
 * Only User and Discovered User accounts with a portal password may sign in. Whether their
 * domain has XtraMail enabled is checked here too once domains carry products.
 */
export const portalSessions = (deps: SessionDeps) =>
  new Sessions<PortalProfile>(
    deps,
    'portal',
    async (address) => {
      let key;
      try {
        key = portalUserKey(address);
      } catch {
        return undefined;
      }
      const item = await deps.table.get(key);
      if (!item) return undefined;
      const user = portalUserFromItem(item);
      return {
        passwordHash: user.passwordHash,
        tokenVersion: user.tokenVersion,
        canSignIn: isEligible(user.type),
        profile: { address: user.address, mustChangePassword: user.mustChangePassword },
      };
    },
    'Email or password is incorrect, or this account has no portal access.',
  );
