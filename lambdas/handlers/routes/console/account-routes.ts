import { z } from 'zod';
import { createAdmin, listAdmins } from '../../../core/admins/admins';
import { changeAdminPassword } from '../../../core/admins/change-password';
import { ApiTokens } from '../../../core/auth/api-tokens';
import { issueSessionToken } from '../../../core/auth/session-token';
import { listAudit } from '../../../core/audit/audit';
import { assertPartner } from '../../../core/console/authz';
import { AppError } from '../../../core/errors';
import { sessionCookie } from '../../http/cookies';
import { route } from '../../http/types';
import { actorOf, adminOf, audit, type ConsoleDeps } from './context';

export const accountRoutes = (deps: ConsoleDeps, tokens: ApiTokens) => [
  route({
    method: 'PUT',
    path: '/api/console/password',
    summary: "Change the signed-in admin's password (ends every other session)",
    body: z.object({
      currentPassword: z.string().min(1).max(1024),
      newPassword: z.string().min(1).max(1024),
    }),
    async handle(request) {
      const { account, tokenId } = actorOf(request);
      if (tokenId)
        throw new AppError(
          403,
          'forbidden',
          'An API token cannot change a password; sign in to the console.',
        );
      const admin = await changeAdminPassword(
        deps,
        account.email,
        request.body.currentPassword,
        request.body.newPassword,
      );
      await audit(deps, request, 'admin.password-change', admin.email);
      const now = deps.clock.now();
      const { token, expiresAt } = await issueSessionToken(
        { subject: admin.email, audience: 'console', tokenVersion: admin.tokenVersion },
        await deps.signingKey(),
        now,
      );
      return { status: 204, cookies: [sessionCookie('xm_console', token, '/api/console', expiresAt, now)] };
    },
  }),
  route({
    method: 'GET',
    path: '/api/console/admins',
    summary: 'Every admin of this deployment (partner admins)',
    async handle(request) {
      assertPartner(adminOf(request), 'list admins');
      return { status: 200, body: { items: await listAdmins(deps) } };
    },
  }),
  route({
    method: 'POST',
    path: '/api/console/admins',
    summary:
      'Add a partner or domain admin (partner admins); without a password one is generated and shown once',
    body: z.object({
      email: z.email().max(320),
      role: z.enum(['partner', 'domain']),
      domains: z.array(z.string().trim().min(3).max(253)).max(1000).default([]),
      password: z.string().max(1024).optional(),
    }),
    async handle(request) {
      assertPartner(adminOf(request), 'add admins');
      const created = await createAdmin(deps, request.body);
      await audit(deps, request, 'admin.create', created.admin.email, {
        role: created.admin.role,
        domains: created.admin.domains,
      });
      return { status: 201, body: created };
    },
  }),
  route({
    method: 'GET',
    path: '/api/console/tokens',
    summary: "The signed-in admin's API tokens",
    async handle(request) {
      return { status: 200, body: { items: await tokens.list(adminOf(request).email) } };
    },
  }),
  route({
    method: 'POST',
    path: '/api/console/tokens',
    summary: 'Create an API token (shown once; it acts with its creator’s scope)',
    body: z.object({ name: z.string().trim().min(1).max(100) }),
    async handle(request) {
      const created = await tokens.create(adminOf(request).email, request.body.name);
      await audit(deps, request, 'token.create', created.id, { name: created.name });
      return { status: 201, body: created };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/console/tokens/{id}',
    summary: 'Revoke an API token',
    async handle(request) {
      await tokens.revoke(adminOf(request).email, request.params.id);
      await audit(deps, request, 'token.revoke', request.params.id);
      return { status: 204 };
    },
  }),
  route({
    method: 'GET',
    path: '/api/console/audit',
    summary: 'Admin actions of the last 90 days (partner admins)',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).optional(),
      cursor: z.string().max(2048).optional(),
    }),
    async handle(request) {
      assertPartner(adminOf(request), 'read the audit log');
      return { status: 200, body: await listAudit(deps, request.query) };
    },
  }),
];
