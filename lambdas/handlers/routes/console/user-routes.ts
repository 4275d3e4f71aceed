import { z } from 'zod';
import { assertDomainAccess } from '../../../core/console/authz';
import { requireDomain } from '../../../core/domains/domains';
import { USER_TYPES } from '../../../core/entities/portal-user';
import { setPortalPasswords } from '../../../core/users/set-passwords';
import { addUser, changeUserType, listUsers, userView } from '../../../core/users/users';
import { route } from '../../http/types';
import { adminOf, audit, type ConsoleDeps } from './context';

const userType = z.enum(USER_TYPES);
const filter = { type: userType.optional(), q: z.string().trim().max(320).optional() };

const passwordsBody = z
  .object({
    addresses: z.array(z.string().trim().min(3).max(320)).min(1).max(5000).optional(),
    all: z.literal(true).optional(),
    ...filter,
    password: z.string().min(1).max(1024).optional(),
    generate: z.literal(true).optional(),
  })
  .refine((b) => Boolean(b.addresses) !== Boolean(b.all), {
    message: 'Give either "addresses" or "all": true.',
  })
  .refine((b) => Boolean(b.password) !== Boolean(b.generate), {
    message: 'Give either "password" or "generate": true.',
  });

export const userRoutes = (deps: ConsoleDeps) => [
  route({
    method: 'GET',
    path: '/api/console/domains/{domain}/users',
    summary: 'A page of users (50 by default), filtered by type and address, with the total',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).optional(),
      cursor: z.string().max(2048).optional(),
      ...filter,
    }),
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const { limit, cursor, type, q } = request.query;
      const page = await listUsers(deps, domain.name, { type, q }, { limit: limit ?? 50, cursor });
      const now = deps.clock.now();
      return {
        status: 200,
        body: {
          items: page.items.map((u) => userView(u, domain, now)),
          nextCursor: page.nextCursor,
          total: page.total,
        },
      };
    },
  }),
  route({
    method: 'POST',
    path: '/api/console/domains/{domain}/users',
    summary: 'Add a user with a type',
    body: z.object({ address: z.string().trim().min(1).max(320), type: userType }),
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const user = await addUser(deps, domain.name, request.body.address, request.body.type);
      await audit(deps, request, 'user.create', user.address, { type: user.type });
      return { status: 201, body: userView(user, domain, deps.clock.now()) };
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/console/domains/{domain}/users/{address}',
    summary: "Change a user's type",
    body: z.object({ type: userType }),
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const user = await changeUserType(deps, domain.name, request.params.address, request.body.type);
      await audit(deps, request, 'user.type', user.address, { type: user.type });
      return { status: 200, body: userView(user, domain, deps.clock.now()) };
    },
  }),
  route({
    method: 'POST',
    path: '/api/console/domains/{domain}/passwords',
    summary:
      'Set portal passwords for selected users (or all matching a filter): one typed, or generated per user',
    body: passwordsBody,
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const { addresses, type, q, password } = request.body;
      const result = await setPortalPasswords(
        deps,
        domain,
        addresses ? { addresses } : { all: true, filter: { type, q } },
        password ? { password } : { generate: true },
      );
      await audit(deps, request, 'user.password-reset', domain.name, {
        updated: result.updated,
        refused: result.refused.length,
        mode: password ? 'typed' : 'generated',
        selection: addresses
          ? `${addresses.length} selected`
          : `all${type ? ` ${type}` : ''}${q ? ` matching "${q}"` : ''}`,
      });
      return { status: 200, body: result };
    },
  }),
];
