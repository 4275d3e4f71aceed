/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { portalUserKey } from '../../lambdas/core/entities/portal-user';
import { runtime } from '../../lambdas/handlers/runtime';
import { signedIn, type ApiClient } from '../support/api-client';
import { launchChromium } from '../support/browser';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { seriousViolations } from '../support/axe';

/**
 * Two-step sign-in in a real browser, with codes from the same TOTP library an authenticator
 * app would use: a portal user sets it up from the profile and signs in with it; then a partner
 * admin requires it for every admin, and a domain admin must set it up at the next sign-in.
 */
let stack: TestStack;
let browser: Browser;
const D = 'mfa-e2e.test';
const USER = `ivy@${D}`;
const USER_PASSWORD = 'ivy portal password';
const DOMAIN_ADMIN = 'dora@example.com';
const DOMAIN_ADMIN_PASSWORD = 'dora admin password';
const INVITED = `joy@${D}`;
const INVITED_BACKUP = 'joy@home.example';
const pageErrors: string[] = [];
let partnerApi: ApiClient;

/** The code an authenticator app shows `offsetSeconds` from now. */
const codeFor = (secret: string, offsetSeconds = 0) =>
  new TOTP({ secret }).generate({ timestamp: Date.now() + offsetSeconds * 1000 });

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
  const partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  partnerApi = partner;
  await partner.post('/api/console/domains', { name: D });
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });
  await partner.post(`/api/console/domains/${D}/users`, { address: 'ivy', type: 'user' });
  const set = await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [USER],
    generate: true,
  });
  const temporary = set.body.generated[0].password;
  const ivy = await signedIn(stack.webUrl, 'portal', USER, temporary);
  expect(
    (await ivy.put('/api/portal/password', { currentPassword: temporary, newPassword: USER_PASSWORD }))
      .status,
  ).toBe(204);
  const created = await partner.post('/api/console/admins', {
    email: DOMAIN_ADMIN,
    role: 'domain',
    domains: [D],
    password: DOMAIN_ADMIN_PASSWORD,
  });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { context, page };
}

/** Sets up TOTP on the page shown (profile, account or forced screen); returns secret and codes. */
async function setUpTotp(page: Page) {
  await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
  const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
  await qr.waitFor();
  await expect(qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).resolves.toBe(
    true,
  );
  // The key shown for typing in by hand, as a person would read it off the page.
  const shown = (await page.locator('.mfa-secret').textContent()) ?? '';
  const secret = shown.replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(seriousViolations(page)).resolves.toEqual([]);

  await page.getByLabel('Code from the app').fill(codeFor(secret));
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  const list = page.getByRole('list', { name: 'Recovery codes' });
  await list.waitFor();
  const recoveryCodes = (await list.getByRole('listitem').allTextContents()).map((c) => c.trim());
  expect(recoveryCodes).toHaveLength(10);
  await expect(seriousViolations(page)).resolves.toEqual([]);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download codes' }).click();
  const saved = readFileSync((await (await download).path())!, 'utf8');
  for (const code of recoveryCodes) expect(saved).toContain(code);

  await page.getByRole('button', { name: "I've saved my recovery codes" }).click();
  return { secret, recoveryCodes };
}

/** Password, then the code step. */
async function signInWithCode(page: Page, url: string, email: string, password: string, code: string) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
  const field = page.getByLabel('Authentication code');
  await expect(field.getAttribute('autocomplete')).resolves.toBe('one-time-code');
  await expect(field.getAttribute('inputmode')).resolves.toBe('numeric');
  await expect(seriousViolations(page)).resolves.toEqual([]);
  await field.fill(code);
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
}

test('a portal user sets up TOTP from the profile, signs out, and signs in with password and code', async () => {
  const { context, page } = await newPage();
  await page.goto(`${stack.webUrl}/portal`);
  await page.getByLabel('Email').fill(USER);
  await page.getByLabel('Password').fill(USER_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Profile' }).click();
  await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();

  const { secret } = await setUpTotp(page);
  await page.getByText(/On since/).waitFor();
  await page.getByText('10 of 10 recovery codes left.').waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();

  // A wrong code is refused and the person stays on the code step.
  await page.getByLabel('Email').fill(USER);
  await page.getByLabel('Password').fill(USER_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Authentication code').fill(codeFor(secret, 3600));
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not right, or it was already used/);

  // The next code from the app (the enrolment used the current one) signs in.
  await signInWithCode(page, `${stack.webUrl}/portal`, USER, USER_PASSWORD, codeFor(secret, 30));
  await page.getByRole('link', { name: 'Profile' }).waitFor();
  await expect(page.evaluate(() => document.cookie)).resolves.toBe('');
  expect(pageErrors).toEqual([]);
  await context.close();
});

test('a domain admin turns off two-step sign-in for a user who lost phone and codes; the password alone then works', async () => {
  const { context, page } = await newPage();
  await page.goto(`${stack.webUrl}/console/domains/${D}/users`);
  await page.getByLabel('Email').fill(DOMAIN_ADMIN);
  await page.getByLabel('Password').fill(DOMAIN_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const row = page.getByRole('row', { name: new RegExp(USER) });
  await row.getByText('On', { exact: true }).waitFor();
  await row.getByRole('button', { name: `Turn off two-step sign-in for ${USER}` }).click();
  const dialog = page.getByRole('dialog');
  await expect(seriousViolations(page)).resolves.toEqual([]);
  await dialog.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
  await page.getByText(`Two-step sign-in is off for ${USER}.`).waitFor();
  await row.getByText('Off', { exact: true }).waitFor();

  const signIn = await fetch(`${stack.webUrl}/api/portal/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: USER, password: USER_PASSWORD }),
  });
  const body = await signIn.json();
  expect(signIn.status).toBe(200);
  expect(body.mfaRequired).toBeUndefined();
  expect(body.token).toEqual(expect.any(String));
  expect(pageErrors).toEqual([]);
  await context.close();
});

test('a partner admin requires two-step sign-in for every admin; a domain admin sets it up at next sign-in', async () => {
  // A domain admin already at work when the policy changes.
  const working = await newPage();
  await working.page.goto(`${stack.webUrl}/console`);
  await working.page.getByLabel('Email').fill(DOMAIN_ADMIN);
  await working.page.getByLabel('Password').fill(DOMAIN_ADMIN_PASSWORD);
  await working.page.getByRole('button', { name: 'Sign in' }).click();
  const workingRail = working.page.getByRole('navigation', { name: 'Console' });
  await workingRail.waitFor();

  const partner = await newPage();
  await partner.page.goto(`${stack.webUrl}/console/account`);
  await partner.page.getByLabel('Email').fill(TEST_ADMIN.email);
  await partner.page.getByLabel('Password').fill(TEST_ADMIN.password);
  await partner.page.getByRole('button', { name: 'Sign in' }).click();
  const requirement = partner.page.getByRole('switch', { name: 'Require two-step sign-in for every admin' });
  await requirement.waitFor();
  await expect(requirement.getAttribute('aria-checked')).resolves.toBe('false');
  await requirement.click();
  await partner.page.waitForFunction(
    () => document.querySelector('[role="switch"][aria-checked="true"]') !== null,
  );
  await partner.context.close();

  // Their next click is refused, and the console shows the set-up step instead of an error.
  await workingRail.getByRole('link', { name: 'Readiness' }).click();
  await working.page.getByRole('heading', { name: 'Set up two-step sign-in' }).waitFor();
  await working.context.close();

  const { context, page } = await newPage();
  await page.goto(`${stack.webUrl}/console`);
  await page.getByLabel('Email').fill(DOMAIN_ADMIN);
  await page.getByLabel('Password').fill(DOMAIN_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Set up two-step sign-in' }).waitFor();
  await expect(seriousViolations(page)).resolves.toEqual([]);
  // Nothing else answers meanwhile.
  const blocked = await page.evaluate(async () => (await fetch('/api/console/domains')).status);
  expect(blocked).toBe(403);

  const { secret } = await setUpTotp(page);
  const rail = page.getByRole('navigation', { name: 'Console' });
  await rail.waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();

  await signInWithCode(
    page,
    `${stack.webUrl}/console`,
    DOMAIN_ADMIN,
    DOMAIN_ADMIN_PASSWORD,
    codeFor(secret, 30),
  );
  await rail.waitFor();
  await expect(page.getByTestId('admin-email').textContent()).resolves.toBe(DOMAIN_ADMIN);
  expect(pageErrors).toEqual([]);
  await context.close();
});

/** The sign-in link in the newest mail to `backup`, from the SES stand-in's store. */
async function linkFromStore(backup: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const emails = (await (await fetch(`${stack.sesUrl}/store`)).json()).emails as Array<{
      destination: { to: string[] };
      body: { text?: string };
    }>;
    const mail = emails.filter((m) => m.destination.to.includes(backup)).at(-1);
    const url = mail && /https?:\/\/\S+\/portal\/link#[A-Za-z0-9_-]+/.exec(mail.body.text ?? '')?.[0];
    if (url) return url;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`No link mailed to ${backup}`);
}

test('an invited user of a domain that requires MFA chooses a password, must set up TOTP, then signs in with both', async () => {
  // Admin MFA is required since the test before, so the partner's API session from the start of
  // this file may only set it up (over the API, with a code as an app shows it).
  const begun = await partnerApi.post('/api/console/account/mfa/enrolment');
  const enrolled = await partnerApi.post('/api/console/account/mfa', { code: codeFor(begun.body.secret) });
  expect(enrolled.status).toBe(201);
  const bearer = enrolled.body.token as string;
  const call = (method: string, path: string, json?: unknown) =>
    fetch(`${stack.webUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  expect((await call('PUT', `/api/console/domains/${D}/security`, { requirePortalMfa: true })).status).toBe(
    200,
  );
  expect(
    (await call('POST', `/api/console/domains/${D}/users`, { address: 'joy', type: 'user' })).status,
  ).toBe(201);
  const item = await runtime.table.get(portalUserKey(INVITED));
  await runtime.table.put({ ...item!, backupAddress: INVITED_BACKUP });
  expect((await call('POST', `/api/console/domains/${D}/invitations`, { addresses: [INVITED] })).status).toBe(
    200,
  );

  const { context, page } = await newPage();
  await page.goto(await linkFromStore(INVITED_BACKUP));
  await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
  await page.getByLabel('New password', { exact: true }).fill('joy chooses this one');
  await page.getByLabel('Confirm new password').fill('joy chooses this one');
  await page.getByRole('button', { name: 'Save password and continue' }).click();

  // The domain requires MFA: nothing else opens until it is set up.
  await page.getByRole('heading', { name: 'Set up two-step sign-in' }).waitFor();
  const { secret } = await setUpTotp(page);
  await page.getByRole('link', { name: 'Profile' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();

  await signInWithCode(page, `${stack.webUrl}/portal`, INVITED, 'joy chooses this one', codeFor(secret, 30));
  await page.getByRole('link', { name: 'Profile' }).waitFor();
  expect(pageErrors).toEqual([]);
  await context.close();
});
