import { adminFromItem, adminKey, type Admin } from '../entities/admin';
import { deploymentSecurityFromItem, deploymentSecurityKey } from '../entities/security-settings';
import { adminMfa } from './mfa-accounts';
import { Sessions, type SessionDeps } from './sessions';

export type AdminProfile = Pick<Admin, 'email' | 'role' | 'domains'>;

export const adminSessions = (deps: SessionDeps) =>
  new Sessions<AdminProfile>(
    deps,
    'console',
    async (email) => {
      const items = await deps.table.getAll([adminKey(email), deploymentSecurityKey()]);
      const item = items.find((found) => found.type === 'admin');
      if (!item) return undefined;
      const admin = adminFromItem(item);
      return {
        passwordHash: admin.passwordHash,
        tokenVersion: admin.tokenVersion,
        canSignIn: true,
        profile: { email: admin.email, role: admin.role, domains: admin.domains },
        mfa: {
          enrolled: Boolean(admin.mfaEnrolledAt),
          required: deploymentSecurityFromItem(items.find((found) => found.type === 'deployment-security'))
            .requireAdminMfa,
        },
        recordSignIn: async (at) => {
          await deps.table.increment(adminKey(email), 'signInCount', 1, { lastSignInAt: at.toISOString() });
        },
      };
    },
    'Email or password is incorrect.',
    adminMfa(deps),
  );
