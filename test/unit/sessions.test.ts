import { randomBytes } from 'node:crypto';
import { adminSessions } from '../../lambdas/core/auth/admin-sessions';
import { LOCKOUT_SECONDS, LoginThrottle, SOURCE_FAILURE_LIMIT } from '../../lambdas/core/auth/login-throttle';
import { hashPassword } from '../../lambdas/core/auth/password';
import { portalSessions } from '../../lambdas/core/auth/portal-sessions';
import { issueSessionToken, SESSION_TTL_SECONDS } from '../../lambdas/core/auth/session-token';
import type { SessionDeps } from '../../lambdas/core/auth/sessions';
import { adminKey, adminToItem } from '../../lambdas/core/entities/admin';
import { domainToItem } from '../../lambdas/core/entities/domain';
import { portalUserToItem, type UserType } from '../../lambdas/core/entities/portal-user';
import { AppError } from '../../lambdas/core/errors';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

const ADMIN = 'partner@example.com';
const PASSWORD = 'correct horse battery staple';
const WRONG = 'incorrect horse battery staple';
const IP = '203.0.113.7';

const MFA_KEY = new TextEncoder().encode('an mfa sealing key of at least 32 characters');
let passwordHash: string;
beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD);
});

let table: MemoryTable;
let clock: ManualClock;
let deps: SessionDeps;
beforeEach(() => {
  table = new MemoryTable();
  clock = new ManualClock('2025-01-06T12:00:00.000Z');
  const key = new Uint8Array(randomBytes(32));
  deps = { table, clock, signingKey: async () => key, mfaKey: async () => MFA_KEY };
});

const putAdmin = (overrides: { tokenVersion?: number } = {}) =>
  table.put(
    adminToItem({
      email: ADMIN,
      role: 'partner',
      domains: [],
      passwordHash,
      tokenVersion: overrides.tokenVersion ?? 0,
      createdAt: clock.now().toISOString(),
    }),
  );

const putUser = (address: string, type: UserType, withPassword = true) =>
  table.put(
    portalUserToItem({
      address,
      type,
      ...(withPassword ? { passwordHash } : {}),
      mustChangePassword: false,
      tokenVersion: 0,
      createdAt: clock.now().toISOString(),
    }),
  );

/** The AppError a promise rejects with (the test fails if it resolves or throws anything else). */
async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('console sign-in (admin sessions)', () => {
  test('the right password gives a token for the console, valid 8 hours, and the admin profile', async () => {
    await putAdmin();
    const sessions = adminSessions(deps);
    const signedIn = await sessions.signIn({
      email: '  Partner@Example.COM ',
      password: PASSWORD,
      sourceIp: IP,
    });
    expect(signedIn.account).toEqual({ email: ADMIN, role: 'partner', domains: [] });
    expect(signedIn.expiresAt).toEqual(new Date(clock.now().getTime() + SESSION_TTL_SECONDS * 1000));

    clock.advanceSeconds(60);
    const session = await sessions.authenticate(signedIn.token);
    expect(session).toEqual({ account: signedIn.account, expiresAt: signedIn.expiresAt });
  });

  test('five wrong passwords lock the account: the sixth attempt, even with the right password, is a 429', async () => {
    await putAdmin();
    const sessions = adminSessions(deps);
    for (let i = 0; i < 5; i++) {
      const error = await refusal(sessions.signIn({ email: ADMIN, password: WRONG, sourceIp: IP }));
      expect(error.status).toBe(401);
    }

    const locked = await refusal(sessions.signIn({ email: ADMIN, password: PASSWORD, sourceIp: IP }));
    expect(locked.status).toBe(429);
    expect(locked.code).toBe('too_many_attempts');
    const retryAfter = Number(locked.headers['Retry-After']);
    expect(retryAfter).toBeGreaterThanOrEqual(LOCKOUT_SECONDS - 5);
    expect(retryAfter).toBeLessThanOrEqual(LOCKOUT_SECONDS);
    // The lock is on the account, so another source address does not get around it.
    const elsewhere = await refusal(
      sessions.signIn({ email: ADMIN, password: PASSWORD, sourceIp: '198.51.100.9' }),
    );
    expect(elsewhere.status).toBe(429);

    clock.advance(15 * 60 * 1000);
    await expect(sessions.signIn({ email: ADMIN, password: PASSWORD, sourceIp: IP })).resolves.toHaveProperty(
      'token',
    );
  });

  test("a successful sign-in resets the account's failure count", async () => {
    await putAdmin();
    const sessions = adminSessions(deps);
    const attempt = (password: string) => sessions.signIn({ email: ADMIN, password, sourceIp: IP });
    for (let i = 0; i < 4; i++) await expect(attempt(WRONG)).rejects.toMatchObject({ status: 401 });
    await expect(attempt(PASSWORD)).resolves.toHaveProperty('token');
    // Without the reset this would be the fifth failure, and the next attempt would be locked out.
    await expect(attempt(WRONG)).rejects.toMatchObject({ status: 401 });
    await expect(attempt(PASSWORD)).resolves.toHaveProperty('token');
  });

  test('a source locked out across accounts cannot sign in to any account', async () => {
    await putAdmin();
    // 50 failures from one address, spread over accounts that never reach their own limit.
    const throttle = new LoginThrottle(table, clock, 'console');
    for (let i = 0; i < SOURCE_FAILURE_LIMIT; i++) await throttle.recordFailure(`guess${i}@example.com`, IP);

    const sessions = adminSessions(deps);
    await expect(sessions.signIn({ email: ADMIN, password: PASSWORD, sourceIp: IP })).rejects.toMatchObject({
      status: 429,
    });
    await expect(
      sessions.signIn({ email: ADMIN, password: PASSWORD, sourceIp: '198.51.100.9' }),
    ).resolves.toHaveProperty('token');
  });

  test('an unknown account and a wrong password get the same refusal', async () => {
    await putAdmin();
    const sessions = adminSessions(deps);
    const unknown = await refusal(
      sessions.signIn({ email: 'nobody@example.com', password: PASSWORD, sourceIp: IP }),
    );
    const wrong = await refusal(sessions.signIn({ email: ADMIN, password: WRONG, sourceIp: IP }));
    expect(unknown).toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect([wrong.status, wrong.code, wrong.message, wrong.headers]).toEqual([
      unknown.status,
      unknown.code,
      unknown.message,
      unknown.headers,
    ]);
  });

  test('unknown accounts are throttled too', async () => {
    const sessions = adminSessions(deps);
    const attempt = () => sessions.signIn({ email: 'nobody@example.com', password: WRONG, sourceIp: IP });
    for (let i = 0; i < 5; i++) await expect(attempt()).rejects.toMatchObject({ status: 401 });
    await expect(attempt()).rejects.toMatchObject({ status: 429 });
  });

  test('authenticate refuses a session after the account’s tokenVersion is bumped', async () => {
    await putAdmin({ tokenVersion: 0 });
    const sessions = adminSessions(deps);
    const { token } = await sessions.signIn({ email: ADMIN, password: PASSWORD, sourceIp: IP });
    await expect(sessions.authenticate(token)).resolves.toBeDefined();

    await putAdmin({ tokenVersion: 1 });
    await expect(sessions.authenticate(token)).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });

  test('authenticate refuses a session whose account was deleted', async () => {
    await putAdmin();
    const sessions = adminSessions(deps);
    const { token } = await sessions.signIn({ email: ADMIN, password: PASSWORD, sourceIp: IP });
    await table.delete(adminKey(ADMIN));
    await expect(sessions.authenticate(token)).rejects.toMatchObject({ status: 401 });
  });

  test('authenticate refuses a missing, malformed or expired token', async () => {
    await putAdmin();
    const sessions = adminSessions(deps);
    await expect(sessions.authenticate(undefined)).rejects.toMatchObject({ status: 401 });
    await expect(sessions.authenticate('not-a-token')).rejects.toMatchObject({ status: 401 });
    const { token } = await issueSessionToken(
      { subject: ADMIN, audience: 'console', tokenVersion: 0 },
      await deps.signingKey(),
      clock.now(),
    );
    await expect(sessions.authenticate(token)).resolves.toBeDefined();
    clock.advanceSeconds(SESSION_TTL_SECONDS + 1);
    await expect(sessions.authenticate(token)).rejects.toMatchObject({ status: 401 });
  });
});

describe('portal sign-in (portal sessions)', () => {
  const USER = 'alice@example.com';
  const putDomain = (enabled: boolean) =>
    table.put(
      domainToItem({
        name: 'example.com',
        xtramail: enabled ? { enabled, enabledAt: clock.now().toISOString() } : { enabled },
        addressDiscovery: true,
        createdAt: clock.now().toISOString(),
      }),
    );
  beforeEach(() => putDomain(true));

  test('only domains with XtraMail on let their users in; off, the refusal looks like a wrong password', async () => {
    await putUser(USER, 'user');
    await putDomain(false);
    const error = await refusal(
      portalSessions(deps).signIn({ email: USER, password: PASSWORD, sourceIp: IP }),
    );
    const wrong = await refusal(
      portalSessions(deps).signIn({ email: 'nobody@example.com', password: PASSWORD, sourceIp: IP }),
    );
    expect({ status: error.status, code: error.code, message: error.message }).toEqual({
      status: wrong.status,
      code: wrong.code,
      message: wrong.message,
    });
  });

  test('a user with a portal password signs in and gets a portal session', async () => {
    await putUser(USER, 'user');
    const sessions = portalSessions(deps);
    const signedIn = await sessions.signIn({ email: 'Alice@Example.com', password: PASSWORD, sourceIp: IP });
    // With what the domain's snapshots hold: the portal's mail window starts no earlier.
    const profile = {
      address: USER,
      mustChangePassword: false,
      xtramailCoverage: { since: clock.now().toISOString(), offPeriods: [] },
    };
    expect(signedIn.account).toEqual(profile);
    await expect(sessions.authenticate(signedIn.token)).resolves.toMatchObject({ account: profile });
  });

  test('a discovered user may sign in too', async () => {
    await putUser('bob@example.com', 'discovered');
    await expect(
      portalSessions(deps).signIn({ email: 'bob@example.com', password: PASSWORD, sourceIp: IP }),
    ).resolves.toHaveProperty('token');
  });

  test('a console token is refused by the portal, and a portal token by the console', async () => {
    await putAdmin();
    await putUser(USER, 'user');
    const consoleToken = (
      await adminSessions(deps).signIn({ email: ADMIN, password: PASSWORD, sourceIp: IP })
    ).token;
    const portalToken = (await portalSessions(deps).signIn({ email: USER, password: PASSWORD, sourceIp: IP }))
      .token;
    await expect(portalSessions(deps).authenticate(consoleToken)).rejects.toMatchObject({ status: 401 });
    await expect(adminSessions(deps).authenticate(portalToken)).rejects.toMatchObject({ status: 401 });
  });

  test('a mailing list and a user without a password get the same refusal as a wrong password', async () => {
    await putUser(USER, 'user');
    await putUser('list@example.com', 'mailing_list');
    await putUser('nopass@example.com', 'user', false);
    const sessions = portalSessions(deps);

    const wrong = await refusal(sessions.signIn({ email: USER, password: WRONG, sourceIp: IP }));
    const list = await refusal(
      sessions.signIn({ email: 'list@example.com', password: PASSWORD, sourceIp: IP }),
    );
    const noPassword = await refusal(
      sessions.signIn({ email: 'nopass@example.com', password: PASSWORD, sourceIp: IP }),
    );
    expect(wrong).toMatchObject({ status: 401, code: 'invalid_credentials' });
    for (const error of [list, noPassword]) {
      expect([error.status, error.code, error.message]).toEqual([wrong.status, wrong.code, wrong.message]);
    }
  });

  test('a valid token for an account that became a mailing list is refused', async () => {
    await putUser(USER, 'user');
    const sessions = portalSessions(deps);
    const { token } = await sessions.signIn({ email: USER, password: PASSWORD, sourceIp: IP });
    await putUser(USER, 'mailing_list');
    await expect(sessions.authenticate(token)).rejects.toMatchObject({ status: 401 });
  });

  test('a sign-in name that is not an address is refused like a wrong password', async () => {
    await putUser(USER, 'user');
    const sessions = portalSessions(deps);
    const wrong = await refusal(sessions.signIn({ email: USER, password: WRONG, sourceIp: IP }));
    const notAnAddress = await refusal(sessions.signIn({ email: 'alice', password: PASSWORD, sourceIp: IP }));
    expect([notAnAddress.status, notAnAddress.code, notAnAddress.message]).toEqual([
      wrong.status,
      wrong.code,
      wrong.message,
    ]);
  });
});
