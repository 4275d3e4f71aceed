import type { Browser, Page } from 'playwright-core';
import { signedIn } from '../support/api-client';
import { launchChromium } from '../support/browser';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';
import { seriousViolations } from '../support/axe';

/** axe-core on every console and portal page: no serious or critical violations. */
let stack: TestStack;
let browser: Browser;
const D = 'a11y.test';
const USER_PASSWORD = 'accessible password 1';

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
  const partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  await partner.post('/api/console/domains', { name: D });
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });
  await partner.post(`/api/console/domains/${D}/users`, { address: 'ann', type: 'user' });
  await partner.post(`/api/console/domains/${D}/users`, { address: 'team', type: 'mailing_list' });
  const set = await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [`ann@${D}`],
    generate: true,
  });
  const ann = await signedIn(stack.webUrl, 'portal', `ann@${D}`, set.body.generated[0].password);
  await ann.put('/api/portal/password', {
    currentPassword: set.body.generated[0].password,
    newPassword: USER_PASSWORD,
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  const smtp = smtpClient(stack.smtpPort);
  await smtp.send({
    from: 'Bea <bea@partner.test>',
    to: `ann@${D}`,
    subject: 'Agenda',
    text: 'Items for Monday',
  });
  await smtp.send({
    from: 'news@vendor.test',
    to: `ann@${D}`,
    subject: 'Offers',
    html: '<h1>Offers</h1><p>Hello</p>',
    attachments: [
      { filename: 'list.pdf', content: Buffer.from('%PDF-1.4 tiny'), contentType: 'application/pdf' },
    ],
  });
  smtp.close();
  await stack.ingestIdle();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signIn(page: Page, app: 'console' | 'portal', email: string, password: string) {
  await page.goto(`${stack.webUrl}/${app}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.each([
  { width: 1280, height: 800 },
  { width: 375, height: 740 },
])('console pages at %o', async (viewport) => {
  const page = await (await browser.newContext({ viewport })).newPage();
  expect(await seriousViolations((await page.goto(`${stack.webUrl}/console`), page))).toEqual([]);
  await signIn(page, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
  const found: Record<string, string[]> = {};
  for (const path of [
    '/console/domains',
    `/console/domains/${D}/overview`,
    `/console/domains/${D}/products`,
    `/console/domains/${D}/users`,
    `/console/domains/${D}/logs`,
    '/console/tokens',
    '/console/audit',
    '/console/account',
  ]) {
    await page.goto(`${stack.webUrl}${path}`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForLoadState('networkidle');
    const list = await seriousViolations(page);
    if (list.length) found[path] = list;
  }
  expect(found).toEqual({});
  await page.close();
});

test.each([
  { width: 1280, height: 800 },
  { width: 375, height: 740 },
])('portal pages at %o', async (viewport) => {
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(`${stack.webUrl}/portal`);
  expect(await seriousViolations(page)).toEqual([]);
  await signIn(page, 'portal', `ann@${D}`, USER_PASSWORD);
  await page.getByText('Agenda').first().waitFor();
  const found: Record<string, string[]> = {};
  const inbox = await seriousViolations(page);
  if (inbox.length) found.inbox = inbox;
  await page.getByText('Offers').first().click();
  await page.getByRole('heading', { name: 'Offers' }).first().waitFor();
  await page.locator('iframe').first().waitFor();
  const message = await seriousViolations(page);
  if (message.length) found.message = message;
  for (const path of ['/portal/sent', '/portal/profile']) {
    await page.goto(`${stack.webUrl}${path}`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForTimeout(300);
    const list = await seriousViolations(page);
    if (list.length) found[path] = list;
  }
  // Compose with its address suggestions open.
  await page.goto(`${stack.webUrl}/portal/compose`);
  await page.getByRole('combobox', { name: 'To' }).pressSequentially('be');
  await page.getByRole('option', { name: /bea@partner\.test/ }).waitFor();
  const compose = await seriousViolations(page);
  if (compose.length) found.compose = compose;
  expect(found).toEqual({});
  await page.close();
});
