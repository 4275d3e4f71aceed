import { adminFromItem, adminKey, type Admin } from '../entities/admin';
import { Sessions, type SessionDeps } from './sessions';

export type AdminProfile = Pick<Admin, 'email' | 'role' | 'domains'>;

export const adminSessions = (deps: SessionDeps) =>
  new Sessions<AdminProfile>(
    deps,
    'console',
    async (email) => {
      const item = await deps.table.get(adminKey(email));
      if (!item) return undefined;
      const admin = adminFromItem(item);
      return {
        passwordHash: admin.passwordHash,
        tokenVersion: admin.tokenVersion,
        canSignIn: true,
        profile: { email: admin.email, role: admin.role, domains: admin.domains },
        recordSignIn: async (at) => {
          await deps.table.increment(adminKey(email), 'signInCount', 1, { lastSignInAt: at.toISOString() });
        },
      };
    },
    'Email or password is incorrect.',
  );
