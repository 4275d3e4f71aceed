import { z } from 'zod';
import type { MfaFactor } from '../../core/auth/mfa';
import { route, type HttpRequest } from '../http/types';
import type { Authenticated } from './session-routes';

const codeBody = z.object({ code: z.string().trim().min(1).max(64) });

export interface MfaRoutesOptions {
  /** `/api/console/account/mfa` or `/api/portal/profile/mfa`. */
  path: string;
  mfa: MfaFactor;
  /** The signed-in account's email or address. */
  subjectOf(request: HttpRequest<unknown, unknown>): string;
  /** A fresh session (cookie and token) once enrolment or disable moved the tokenVersion. */
  renew(subject: string, tokenVersion: number): Promise<{ token: string; expiresAt: Date; cookie: string }>;
  /** Throws when the caller may not change how the account signs in (e.g. an API token). */
  assertMayChange?(request: HttpRequest<unknown, unknown>): void;
  /** Told of each change, e.g. for the console's audit log. */
  onChange?(
    request: HttpRequest<unknown, unknown>,
    action: 'enrol' | 'disable' | 'recovery-codes',
  ): Promise<void>;
}

/**
 * The signed-in account's own TOTP: status, enrolment (begin, then confirm with a code),
 * disable and new recovery codes. The same routes serve admins and portal users.
 */
export function mfaRoutes(options: MfaRoutesOptions) {
  const { path, mfa, subjectOf } = options;
  const mayChange = (request: HttpRequest<unknown, unknown>) => options.assertMayChange?.(request);

  return [
    route({
      method: 'GET',
      path,
      summary:
        'Two-step sign-in (TOTP) for your account: enrolled or not, recovery codes left, required or not',
      async handle(request) {
        const status = await mfa.status(subjectOf(request));
        const { mfaEnrolmentRequired } = request.account as Partial<Authenticated<unknown>>;
        return { status: 200, body: { ...status, enrolmentRequired: Boolean(mfaEnrolmentRequired) } };
      },
    }),
    route({
      method: 'POST',
      path: `${path}/enrolment`,
      summary:
        'Start setting up TOTP: a new secret, its otpauth:// URI and a QR code (an SVG data URL); confirm with a code within 15 minutes',
      async handle(request) {
        mayChange(request);
        return { status: 200, body: await mfa.beginEnrolment(subjectOf(request)) };
      },
    }),
    route({
      method: 'POST',
      path,
      summary:
        'Confirm TOTP setup with a code from the app; returns 10 recovery codes (shown once) and a fresh session (other sessions end)',
      body: codeBody,
      async handle(request) {
        mayChange(request);
        const subject = subjectOf(request);
        const enrolled = await mfa.confirmEnrolment(subject, request.body.code, request.sourceIp);
        const session = await options.renew(subject, enrolled.tokenVersion);
        await options.onChange?.(request, 'enrol');
        return {
          status: 201,
          body: {
            enrolledAt: enrolled.enrolledAt,
            recoveryCodes: enrolled.recoveryCodes,
            token: session.token,
            expiresAt: session.expiresAt.toISOString(),
          },
          cookies: [session.cookie],
        };
      },
    }),
    route({
      method: 'DELETE',
      path,
      summary:
        'Turn TOTP off, with a current code or a recovery code; returns a fresh session (other sessions end)',
      body: codeBody,
      async handle(request) {
        mayChange(request);
        const subject = subjectOf(request);
        const { tokenVersion } = await mfa.disable(subject, request.body.code, request.sourceIp);
        const session = await options.renew(subject, tokenVersion);
        await options.onChange?.(request, 'disable');
        return {
          status: 200,
          body: { token: session.token, expiresAt: session.expiresAt.toISOString() },
          cookies: [session.cookie],
        };
      },
    }),
    route({
      method: 'POST',
      path: `${path}/recovery-codes`,
      summary: 'Replace the recovery codes (a current code is needed); the new ones are shown once',
      body: codeBody,
      async handle(request) {
        mayChange(request);
        const regenerated = await mfa.regenerateRecoveryCodes(
          subjectOf(request),
          request.body.code,
          request.sourceIp,
        );
        await options.onChange?.(request, 'recovery-codes');
        return { status: 200, body: regenerated };
      },
    }),
  ];
}

/** The same session bits both audiences hand to their MFA routes. */
export interface MfaSessionApi {
  sessions: { mfa?: MfaFactor };
  renew: MfaRoutesOptions['renew'];
}

export const PORTAL_MFA_PATH = '/api/portal/profile/mfa';
export const CONSOLE_MFA_PATH = '/api/console/account/mfa';

export function portalMfaRoutes(session: MfaSessionApi) {
  if (!session.sessions.mfa) throw new Error('Portal sessions were built without MFA');
  return mfaRoutes({
    path: PORTAL_MFA_PATH,
    mfa: session.sessions.mfa,
    renew: session.renew,
    subjectOf: (request) => (request.account as Authenticated<{ address: string }>).account.address,
  });
}
