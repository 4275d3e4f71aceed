import { simpleParser } from 'mailparser';
import { createHash } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../lambdas/core/auth/password';
import { consumeLink, issueLink, peekLink } from '../../lambdas/core/auth/sign-in-links';
import { linkUrl } from '../../lambdas/core/auth/sign-in-links-mail';
import {
  LINK_REQUESTS_PER_ACCOUNT,
  LINK_REQUESTS_PER_SOURCE,
  LinkRequestRateLimit,
} from '../../lambdas/core/auth/sign-in-links-rate-limit';
import { requestSignInLink } from '../../lambdas/core/auth/sign-in-links-request';
import { csvCell, drillReportCsv } from '../../lambdas/core/drills/drill-report';
import { domainToItem } from '../../lambdas/core/entities/domain';
import {
  portalUserFromItem,
  portalUserKey,
  portalUserToItem,
  type PortalUser,
} from '../../lambdas/core/entities/portal-user';
import { AppError } from '../../lambdas/core/errors';
import { acceptInvitation } from '../../lambdas/core/invitations/accept-invitation';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

const ANN = 'ann@acme.test';
const HOME = 'ann@home.example';
let table: MemoryTable;
let clock: ManualClock;
let deps: { table: MemoryTable; clock: ManualClock };

const putUser = (overrides: Partial<PortalUser> = {}) =>
  table.put(
    portalUserToItem({
      address: ANN,
      type: 'user',
      mustChangePassword: false,
      tokenVersion: 0,
      createdAt: '2025-01-01T00:00:00.000Z',
      backupAddress: 'ann@home.example',
      ...overrides,
    }),
  );

/** The refusal every unusable link gets, whatever the reason. */
const unusable = expect.objectContaining({ status: 410, code: 'link_unusable' });

beforeEach(async () => {
  table = new MemoryTable();
  clock = new ManualClock('2025-01-06T12:00:00.000Z');
  deps = { table, clock };
  await putUser();
  await table.put(
    domainToItem({
      name: 'acme.test',
      xtramail: { enabled: true, enabledAt: '2025-01-01T00:00:00.000Z' },
      addressDiscovery: true,
      createdAt: '2025-01-01T00:00:00.000Z',
    }),
  );
});

describe('links', () => {
  test('are 32 random bytes, stored only as a hash with a TTL', async () => {
    const a = await issueLink(deps, { address: ANN, purpose: 'sign-in', tokenVersion: 0, sentTo: HOME });
    const b = await issueLink(deps, {
      address: 'bob@acme.test',
      purpose: 'sign-in',
      tokenVersion: 0,
      sentTo: HOME,
    });
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
    // Everything the table holds, keys included.
    const partitions = (table as unknown as { partitions: Map<string, Map<string, unknown>> }).partitions;
    const everything = JSON.stringify([...partitions].map(([pk, items]) => [pk, [...items]]));
    expect(everything).toContain('"purpose":"sign-in"');
    expect(everything).not.toContain(a.token);
    expect(everything).toContain(createHash('sha256').update(a.token).digest('hex'));
    expect(a.expiresAt.toISOString()).toBe('2025-01-06T12:15:00.000Z');
  });

  test('work once, even when used twice at the same moment', async () => {
    const { token } = await issueLink(deps, {
      address: ANN,
      purpose: 'sign-in',
      tokenVersion: 0,
      sentTo: HOME,
    });
    const outcomes = await Promise.allSettled([consumeLink(deps, token), consumeLink(deps, token)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: unusable });
    await expect(consumeLink(deps, token)).rejects.toEqual(unusable);
  });

  test.each([
    ['sign-in', 15 * 60],
    ['invite', 7 * 86_400],
    ['drill', 7 * 86_400],
  ] as const)('a %s link lasts %i seconds', async (purpose, seconds) => {
    const early = await issueLink(deps, { address: ANN, purpose, tokenVersion: 0, sentTo: HOME });
    clock.advanceSeconds(seconds - 1);
    await expect(consumeLink(deps, early.token)).resolves.toMatchObject({ purpose, address: ANN });
    const late = await issueLink(deps, { address: ANN, purpose, tokenVersion: 0, sentTo: HOME });
    clock.advanceSeconds(seconds);
    await expect(peekLink(deps, late.token)).rejects.toEqual(unusable);
    await expect(consumeLink(deps, late.token)).rejects.toEqual(unusable);
  });

  test('are refused once the user’s tokenVersion moves on (password changed)', async () => {
    const { token } = await issueLink(deps, {
      address: ANN,
      purpose: 'sign-in',
      tokenVersion: 0,
      sentTo: HOME,
    });
    await putUser({ tokenVersion: 1 });
    await expect(consumeLink(deps, token)).rejects.toEqual(unusable);
  });

  test('die when the backup address they were mailed to is changed or removed', async () => {
    const { token } = await issueLink(deps, {
      address: ANN,
      purpose: 'sign-in',
      tokenVersion: 0,
      sentTo: HOME,
    });
    await putUser({ backupAddress: 'ann@elsewhere.example' });
    await expect(consumeLink(deps, token)).rejects.toEqual(unusable);
    const invite = await issueLink(deps, {
      address: ANN,
      purpose: 'invite',
      tokenVersion: 0,
      sentTo: 'ann@elsewhere.example',
    });
    await putUser({ backupAddress: undefined });
    await expect(consumeLink(deps, invite.token)).rejects.toEqual(unusable);
    const kept = await issueLink(deps, {
      address: ANN,
      purpose: 'drill',
      tokenVersion: 0,
      sentTo: 'ANN@Home.example',
    });
    await putUser({ backupAddress: 'ann@home.example' });
    await expect(consumeLink(deps, kept.token)).resolves.toMatchObject({ purpose: 'drill' });
  });

  test('a newer link of the same purpose supersedes the older; other purposes are unaffected', async () => {
    const invite = await issueLink(deps, { address: ANN, purpose: 'invite', tokenVersion: 0, sentTo: HOME });
    const first = await issueLink(deps, { address: ANN, purpose: 'sign-in', tokenVersion: 0, sentTo: HOME });
    const second = await issueLink(deps, { address: ANN, purpose: 'sign-in', tokenVersion: 0, sentTo: HOME });
    await expect(consumeLink(deps, first.token)).rejects.toEqual(unusable);
    await expect(consumeLink(deps, second.token)).resolves.toMatchObject({ purpose: 'sign-in' });
    await expect(consumeLink(deps, invite.token)).resolves.toMatchObject({ purpose: 'invite' });
  });

  test('a link used for the wrong purpose, malformed or unknown gets the same refusal', async () => {
    const { token } = await issueLink(deps, {
      address: ANN,
      purpose: 'invite',
      tokenVersion: 0,
      sentTo: HOME,
    });
    await expect(consumeLink(deps, token, ['sign-in', 'drill'])).rejects.toEqual(unusable);
    await expect(consumeLink(deps, 'short')).rejects.toEqual(unusable);
    await expect(consumeLink(deps, 'A'.repeat(43))).rejects.toEqual(unusable);
  });

  test('a drill link carries its drill id', async () => {
    const { token } = await issueLink(deps, {
      address: ANN,
      purpose: 'drill',
      tokenVersion: 0,
      sentTo: HOME,
      drillId: 'd1',
    });
    await expect(consumeLink(deps, token)).resolves.toEqual({
      purpose: 'drill',
      address: ANN,
      drillId: 'd1',
    });
  });

  test('the URL keeps the token in the fragment', () => {
    expect(linkUrl('https://mail.example.net/', 'tok')).toBe('https://mail.example.net/portal/link#tok');
  });
});

describe('invitations', () => {
  test('set the password, clear the temporary flag, bump tokenVersion and keep other attributes', async () => {
    await putUser({
      passwordHash: await hashPassword('temporary password', 2 ** 10),
      mustChangePassword: true,
    });
    await table.increment(portalUserKey(ANN), 'signInCount', 1);
    const { token } = await issueLink(deps, {
      address: ANN,
      purpose: 'invite',
      tokenVersion: 0,
      sentTo: HOME,
    });
    await expect(acceptInvitation(deps, token, 'short')).rejects.toMatchObject({ code: 'weak_password' });
    await expect(acceptInvitation(deps, token, 'my own long password')).resolves.toEqual({ address: ANN });
    const item = (await table.get(portalUserKey(ANN)))!;
    const user = portalUserFromItem(item);
    expect(user).toMatchObject({ mustChangePassword: false, tokenVersion: 1 });
    expect(await verifyPassword('my own long password', user.passwordHash!)).toBe(true);
    expect(await verifyPassword('temporary password', user.passwordHash!)).toBe(false);
    expect(item.signInCount).toBe(1);
    await expect(acceptInvitation(deps, token, 'my own long password')).rejects.toEqual(unusable);
  });

  test('are refused, without using the link or setting a password, once the account has no portal access', async () => {
    const { token } = await issueLink(deps, {
      address: ANN,
      purpose: 'invite',
      tokenVersion: 0,
      sentTo: HOME,
    });
    await putUser({ type: 'mailing_list' });
    await expect(acceptInvitation(deps, token, 'my own long password')).rejects.toMatchObject({
      status: 403,
      code: 'no_portal_access',
    });
    expect(portalUserFromItem((await table.get(portalUserKey(ANN)))!).passwordHash).toBeUndefined();
    // The refusal did not use the link up: once access is back, it works.
    await putUser({ type: 'user' });
    await expect(acceptInvitation(deps, token, 'my own long password')).resolves.toEqual({ address: ANN });
  });

  test('a sign-in link cannot set a password', async () => {
    const { token } = await issueLink(deps, {
      address: ANN,
      purpose: 'sign-in',
      tokenVersion: 0,
      sentTo: HOME,
    });
    await expect(acceptInvitation(deps, token, 'my own long password')).rejects.toEqual(unusable);
    await expect(consumeLink(deps, token)).resolves.toMatchObject({ purpose: 'sign-in' });
  });
});

describe('link requests', () => {
  const sent: Array<{ to: string[]; raw: string }> = [];
  const requestDeps = () => ({
    table,
    clock,
    portalUrl: () => 'https://mail.example.net',
    sender: {
      sendRaw: async (raw: Buffer, envelope: { from: string; to: string[] }) => {
        sent.push({ to: envelope.to, raw: raw.toString('utf8') });
        return { messageId: 'm' };
      },
    },
  });
  beforeEach(async () => {
    sent.length = 0;
  });

  test('mail only eligible users with a backup address, with a working link', async () => {
    await putUser({ address: 'list@acme.test', type: 'mailing_list' });
    await putUser({ address: 'nobackup@acme.test', backupAddress: undefined });
    for (const email of ['list@acme.test', 'nobackup@acme.test', 'nobody@acme.test', 'x@off.test']) {
      await expect(requestSignInLink(requestDeps(), email, '203.0.113.1')).resolves.toEqual({ sent: false });
    }
    expect(sent).toEqual([]);
    await expect(requestSignInLink(requestDeps(), ' ANN@acme.test', '203.0.113.1')).resolves.toEqual({
      sent: true,
    });
    expect(sent.map((m) => m.to)).toEqual([['ann@home.example']]);
    const mail = await simpleParser(sent[0].raw);
    expect(mail.subject).toBe('Your XtraMail sign-in link');
    expect(mail.from?.value).toEqual([{ name: 'XtraMail', address: 'xtramail-no-reply@acme.test' }]);
    const token = /https:\/\/mail\.example\.net\/portal\/link#([A-Za-z0-9_-]{43})\n/.exec(
      mail.text ?? '',
    )![1];
    await expect(consumeLink(deps, token)).resolves.toMatchObject({ address: ANN, purpose: 'sign-in' });
  });

  test('are limited per account, then per source, and the limit lifts in the next window', async () => {
    const limit = new LinkRequestRateLimit(table, clock);
    for (let i = 0; i < LINK_REQUESTS_PER_ACCOUNT; i++) await limit.take(ANN, '203.0.113.1');
    const refused = await limit.take(ANN, '203.0.113.1').catch((e: AppError) => e);
    expect(refused).toMatchObject({ status: 429, code: 'too_many_link_requests' });
    expect(Number((refused as AppError).headers['Retry-After'])).toBeGreaterThan(0);
    clock.advanceSeconds(15 * 60);
    await expect(limit.take(ANN, '203.0.113.1')).resolves.toBeUndefined();

    clock.advanceSeconds(15 * 60);
    for (let i = 0; i < LINK_REQUESTS_PER_SOURCE; i++) await limit.take(`u${i}@acme.test`, '198.51.100.9');
    await expect(limit.take('fresh@acme.test', '198.51.100.9')).rejects.toMatchObject({ status: 429 });
    await expect(limit.take('fresh@acme.test', '198.51.100.10')).resolves.toBeUndefined();
  });
});

describe('drill report CSV', () => {
  test.each([
    ['plain@acme.test', 'plain@acme.test'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['a,b', '"a,b"'],
    ['line\nbreak', '"line\nbreak"'],
  ])('%j becomes %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  test('one CRLF line per participant after the header', () => {
    const csv = drillReportCsv(
      {
        drillId: 'd1',
        domain: 'acme.test',
        startedAt: '2025-01-06T12:00:00.000Z',
        startedBy: 'p@x',
        participants: 2,
        sent: 1,
        completed: 1,
      },
      [
        { address: ANN, status: 'sent', sent: true, completedAt: '2025-01-06T12:05:00.000Z' },
        {
          address: 'bob@acme.test',
          status: 'refused',
          sent: false,
          reason: 'No backup address, so none sent.',
        },
      ],
    );
    expect(csv).toBe(
      'drill,started_at,address,link_sent,not_sent_reason,completed_at\r\n' +
        `d1,2025-01-06T12:00:00.000Z,${ANN},yes,,2025-01-06T12:05:00.000Z\r\n` +
        'd1,2025-01-06T12:00:00.000Z,bob@acme.test,no,"No backup address, so none sent.",\r\n',
    );
  });
});
