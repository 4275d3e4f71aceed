/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';

let stack: TestStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
});
beforeEach(async () => {
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 401/.test(message.text())) pageErrors.push(message.text());
  });
});
afterEach(async () => {
  await page?.close();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the bootstrap admin signs in to the console, sees it, reloads, and signs out', async () => {
  await page.goto(`${stack.webUrl}/console`);
  await page.getByLabel('Email').fill(TEST_ADMIN.email);
  await page.getByLabel('Password').fill(TEST_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  const rail = page.getByRole('navigation', { name: 'Console' });
  await rail.waitFor();
  for (const section of ['Domains', 'Readiness', 'Audit', 'Tokens', 'Account']) {
    await expect(rail.getByRole('link', { name: section }).isVisible()).resolves.toBe(true);
  }
  await expect(page.getByTestId('admin-email').textContent()).resolves.toBe(TEST_ADMIN.email);
  expect(new URL(page.url()).pathname).toBe('/console/domains');

  // The session is an httpOnly cookie: scripts cannot read it, and a reload keeps the admin in.
  await expect(page.evaluate(() => document.cookie)).resolves.toBe('');
  await page.reload();
  await rail.waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  expect(pageErrors).toEqual([]);
});

test('a wrong password shows a clear error and keeps the admin out', async () => {
  await page.goto(`${stack.webUrl}/console`);
  await page.getByLabel('Email').fill(TEST_ADMIN.email);
  await page.getByLabel('Password').fill('definitely not it');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  await expect(alert.textContent()).resolves.toContain('Email or password is incorrect.');
  await expect(page.getByRole('navigation', { name: 'Console' }).count()).resolves.toBe(0);
});
