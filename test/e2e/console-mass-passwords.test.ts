/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { apiClient, signedIn } from '../support/api-client';
import { launchChromium } from '../support/browser';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';

let stack: TestStack;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const D = 'mass.test';

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
  page = await browser.newPage({ acceptDownloads: true });
  page.on('pageerror', (error) => errors.push(error.message));
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Polls until the condition holds (the UI saves asynchronously), or fails after 10 s. */
async function waitUntil(condition: () => Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function signIn(target: Page) {
  await target.goto(`${stack.webUrl}/console`);
  await target.getByLabel('Email').fill(TEST_ADMIN.email);
  await target.getByLabel('Password').fill(TEST_ADMIN.password);
  await target.getByRole('button', { name: 'Sign in' }).click();
  await target.getByRole('navigation', { name: 'Console' }).waitFor();
}

test('an admin adds a domain and turns on XtraMail with Update Products', async () => {
  await signIn(page);
  await page.getByRole('button', { name: 'Add domain' }).click();
  const add = page.getByRole('dialog', { name: 'Add domain' });
  await add.getByLabel('Domain name').fill(D);
  await add.getByRole('button', { name: 'Add domain' }).click();
  await page.getByText(D, { exact: true }).first().waitFor();
  await page.goto(`${stack.webUrl}/console/domains/${D}/products`);
  const product = page.getByLabel('XtraMail Email Continuity');
  await product.check();
  await page.getByRole('button', { name: 'Update Products' }).click();
  const partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  await waitUntil(
    async () => (await partner.get(`/api/console/domains/${D}`)).body.domain.xtramail.enabled === true,
  );
});

test('select all 120 users across pages, generate passwords, download the CSV once; a user signs in with one', async () => {
  // 120 users through the API: three pages of 50, and mailing lists among them.
  const partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  for (let i = 0; i < 120; i++) {
    const type = i % 20 === 0 ? 'mailing_list' : 'user';
    await partner.post(`/api/console/domains/${D}/users`, {
      address: `p${String(i).padStart(3, '0')}`,
      type,
    });
  }
  await page.goto(`${stack.webUrl}/console/domains/${D}/users`);
  await page.getByText(`p000@${D}`, { exact: true }).first().waitFor();
  await page.getByLabel('Select all users on this page').check();
  await page.getByRole('button', { name: /Select all 120 users/ }).click();
  await page.getByRole('button', { name: 'Set portal password' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Set portal password' });
  await dialog.getByLabel('Generate a unique strong password for each user').check();
  await dialog.getByRole('button', { name: 'Set passwords' }).click();

  const download = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Download CSV' }).click();
  const csv = readFileSync(await (await download).path(), 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(csv[0].toLowerCase()).toBe('address,password');
  const rows = csv.slice(1).map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')));
  expect(rows).toHaveLength(114); // 120 users less 6 mailing lists, refused one by one
  expect(new Set(rows.map(([, password]) => password)).size).toBe(114);
  for (const [, password] of rows) expect(password.replace(/-/g, '').length).toBeGreaterThanOrEqual(16);
  await expect(dialog.textContent()).resolves.toMatch(/mailing list|User or Discovered User/i);

  const [address, password] = rows[5];
  const portal = await apiClient(stack.webUrl).post('/api/portal/session', { email: address, password });
  expect(portal.status).toBe(200);
  expect(portal.body.mustChangePassword).toBe(true);
  expect(errors).toEqual([]);
});
