import { splitAddress } from '../addresses';
import { coverageOf, type XtraMailCoverage } from '../domains/xtramail-coverage';
import { domainFromItem, domainKey } from '../entities/domain';
import { isEligible, portalUserFromItem, portalUserKey } from '../entities/portal-user';
import { domainSecurityFromItem, domainSecurityKey } from '../entities/security-settings';
import { portalMfa } from './mfa-accounts';
import type { SessionDeps } from './sessions';
import { Sessions } from './sessions';

export interface PortalProfile {
  address: string;
  mustChangePassword: boolean;
  /** What the domain's snapshots hold: no mail before `since`, nor while XtraMail was off. */
  xtramailCoverage?: XtraMailCoverage;
}

/**
 * Only User and Discovered User accounts of domains with XtraMail on, and with a portal
 * password, may sign in; everyone else gets the same refusal as a wrong password.
 */
export const portalSessions = (deps: SessionDeps) =>
  new Sessions<PortalProfile>(
    deps,
    'portal',
    async (address) => {
      let domain: string;
      try {
        domain = splitAddress(address).domain;
      } catch {
        return undefined;
      }
      const items = await deps.table.getAll([
        portalUserKey(address),
        domainKey(domain),
        domainSecurityKey(domain),
      ]);
      const userItem = items.find((item) => item.type === 'user');
      const domainItem = items.find((item) => item.type === 'domain');
      if (!userItem) return undefined;
      const user = portalUserFromItem(userItem);
      const xtramail = domainItem ? domainFromItem(domainItem).xtramail : undefined;
      return {
        passwordHash: user.passwordHash,
        tokenVersion: user.tokenVersion,
        canSignIn: isEligible(user.type) && Boolean(xtramail?.enabled),
        profile: {
          address: user.address,
          mustChangePassword: user.mustChangePassword,
          ...(xtramail ? { xtramailCoverage: coverageOf(xtramail) } : {}),
        },
        mfa: {
          enrolled: Boolean(user.mfaEnrolledAt),
          required: domainSecurityFromItem(items.find((item) => item.type === 'domain-security'))
            .requirePortalMfa,
        },
        recordSignIn: async (at) => {
          await deps.table.increment(portalUserKey(address), 'signInCount', 1, {
            lastSignInAt: at.toISOString(),
          });
        },
      };
    },
    'Email or password is incorrect, or this account has no portal access.',
    portalMfa(deps),
  );
