/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { signedIn, type ApiClient } from '../support/api-client';
import { launchChromium } from '../support/browser';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { seriousViolations } from '../support/axe';

/**
 * Outage readiness in a real browser: the dashboard's figures move when an admin sets a backup
 * address and a password on the Users tab, and a portal user sees the outage banner while
 * Mail Flow is paused.
 */
let stack: TestStack;
let browser: Browser;
let page: Page;
let partner: ApiClient;
const errors: string[] = [];
const D = 'ready-e2e.test';
const CY_PASSWORD = 'cy has her own password';

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
  partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  await partner.post('/api/console/domains', { name: D });
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });
  for (const address of ['ann', 'bob', 'cy'])
    await partner.post(`/api/console/domains/${D}/users`, { address, type: 'user' });
  await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [`cy@${D}`],
    password: 'temporary password',
  });
  const cy = await signedIn(stack.webUrl, 'portal', `cy@${D}`, 'temporary password');
  await cy.put('/api/portal/password', { currentPassword: 'temporary password', newPassword: CY_PASSWORD });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (error) => errors.push(error.message));
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const figure = (label: string) => page.getByTestId(`figure-${label}`);

test('the dashboard counts change when an admin sets a backup address and a password', async () => {
  await page.goto(`${stack.webUrl}/console`);
  await page.getByLabel('Email').fill(TEST_ADMIN.email);
  await page.getByLabel('Password').fill(TEST_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Readiness' }).click();

  await page.getByTestId('readiness-total').getByText('1 of 3 users ready').waitFor();
  await page.getByRole('link', { name: D }).click();
  await page.getByRole('heading', { name: `Readiness of ${D}` }).waitFor();
  await expectText(figure('With a backup address'), '0 of 3');
  await expectText(figure('With a password'), '1 of 3');
  await expectText(page.getByTestId('ready-share'), '33%');
  // The fire-drill panel is part of the domain's readiness.
  await page
    .getByRole('region', { name: 'Fire drills' })
    .getByRole('button', { name: 'Start a fire drill' })
    .waitFor();

  // The Users tab: a backup address for ann, then a password for bob.
  await page.goto(`${stack.webUrl}/console/domains/${D}/users`);
  await page.getByRole('button', { name: `Edit backup address of ann@${D}` }).click();
  const backup = page.getByRole('dialog', { name: `Backup address of ann@${D}` });
  await backup.getByLabel('New backup address').fill(`ann@${D}`);
  await backup.getByRole('button', { name: 'Save backup address' }).click();
  await backup.getByText(`must be outside ${D}`).waitFor();
  await backup.getByLabel('New backup address').fill('ann.smith@home.example');
  await backup.getByRole('button', { name: 'Save backup address' }).click();
  await backup.waitFor({ state: 'detached' });
  const annRow = page.getByRole('row', { name: new RegExp(`ann@${D}`) });
  await annRow.getByText('Set', { exact: true }).waitFor();

  await page.getByRole('button', { name: `Set password for bob@${D}` }).click();
  const password = page.getByRole('dialog', { name: 'Set portal password' });
  await password.getByLabel('Password', { exact: true }).fill('bob gets this temporary one');
  await password.getByLabel('Confirm password').fill('bob gets this temporary one');
  await password.getByRole('button', { name: 'Set password' }).click();
  await page
    .getByRole('row', { name: new RegExp(`bob@${D}`) })
    .getByText('Must change')
    .waitFor();

  await page.goto(`${stack.webUrl}/console/readiness/${D}`);
  await expectText(figure('With a backup address'), '1 of 3');
  await expectText(figure('With a password'), '2 of 3');
  await expectText(page.getByTestId('ready-share'), '100%');

  // A figure opens the list of the users it leaves out.
  await page.getByRole('button', { name: 'Show 2 users without a backup address' }).click();
  const list = page.getByRole('table', { name: 'Users without a backup address' });
  await list.getByText(`bob@${D}`).waitFor();
  expect(await list.getByRole('row').count()).toBe(3); // header + bob + cy
  await list.getByText(`cy@${D}`).waitFor();
  expect(errors).toEqual([]);
}, 60_000);

test('the portal shows the outage banner while Mail Flow is paused', async () => {
  const portal = await browser.newPage();
  await portal.goto(`${stack.webUrl}/portal`);
  await portal.getByLabel('Email').fill(`cy@${D}`);
  await portal.getByLabel('Password').fill(CY_PASSWORD);
  const firstCheck = portal.waitForResponse((r) => r.url().endsWith('/api/portal/status'));
  await portal.getByRole('button', { name: 'Sign in' }).click();
  expect(await (await firstCheck).json()).toEqual({ outage: false });
  const banner = portal.getByTestId('outage-banner');
  await expect(banner.textContent()).resolves.toBe('');

  await partner.put(`/api/console/domains/${D}/mail-flow`, {
    inbound: 'paused',
    notice: 'Microsoft 365 is down; work here until we say so',
  });
  await portal.reload();
  await portal.getByRole('status').getByText('Microsoft 365 is down; work here until we say so').waitFor();
  expect(await banner.getAttribute('role')).toBe('status');
  // It does not block work: the inbox is still there to use.
  await portal.getByRole('link', { name: 'Compose' }).click();
  await portal.getByLabel('To').waitFor();

  await partner.put(`/api/console/domains/${D}/mail-flow`, { inbound: 'deliver' });
  const lastCheck = portal.waitForResponse((r) => r.url().endsWith('/api/portal/status'));
  await portal.reload();
  expect(await (await lastCheck).json()).toEqual({ outage: false });
  await portal.getByTestId('portal-address').waitFor();
  await expect(banner.textContent()).resolves.toBe('');
  await portal.close();
}, 60_000);

test.each([
  { width: 1280, height: 800 },
  { width: 375, height: 740 },
])(
  'readiness pages and the outage banner pass axe at %o',
  async (viewport) => {
    const context = await browser.newContext({ viewport });
    const admin = await context.newPage();
    await admin.goto(`${stack.webUrl}/console`);
    await admin.getByLabel('Email').fill(TEST_ADMIN.email);
    await admin.getByLabel('Password').fill(TEST_ADMIN.password);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByRole('navigation', { name: 'Console' }).waitFor();
    const found: Record<string, string[]> = {};
    await admin.goto(`${stack.webUrl}/console/readiness`);
    await admin.getByTestId('readiness-total').waitFor();
    found.summary = await seriousViolations(admin);
    await admin.goto(`${stack.webUrl}/console/readiness/${D}`);
    await admin.getByRole('button', { name: /without a backup address/ }).click();
    await admin.getByRole('table', { name: 'Users without a backup address' }).waitFor();
    found.domain = await seriousViolations(admin);
    await admin.goto(`${stack.webUrl}/console/domains/${D}/users`);
    await admin.getByRole('button', { name: 'Import backup addresses' }).click();
    await admin.getByRole('dialog', { name: 'Import backup addresses' }).waitFor();
    found.importDialog = await seriousViolations(admin);

    await partner.put(`/api/console/domains/${D}/mail-flow`, {
      inbound: 'paused',
      notice: 'Down until 3 pm',
    });
    const portal = await context.newPage();
    await portal.goto(`${stack.webUrl}/portal`);
    await portal.getByLabel('Email').fill(`cy@${D}`);
    await portal.getByLabel('Password').fill(CY_PASSWORD);
    await portal.getByRole('button', { name: 'Sign in' }).click();
    await portal.getByText('Down until 3 pm').waitFor();
    found.banner = await seriousViolations(portal);
    await portal.goto(`${stack.webUrl}/portal/profile`);
    await portal.getByRole('heading', { name: 'Backup address' }).waitFor();
    found.profile = await seriousViolations(portal);
    await partner.put(`/api/console/domains/${D}/mail-flow`, { inbound: 'deliver' });
    await context.close();
    expect(Object.fromEntries(Object.entries(found).filter(([, list]) => list.length > 0))).toEqual({});
  },
  60_000,
);

async function expectText(locator: ReturnType<Page['getByTestId']>, text: string) {
  const deadline = Date.now() + 10_000;
  let seen = '';
  while (Date.now() < deadline) {
    seen = ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    if (seen.includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Expected "${text}", saw "${seen}"`);
}
