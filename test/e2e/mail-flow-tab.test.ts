/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { signedIn } from '../support/api-client';
import { launchChromium } from '../support/browser';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';
import { startSmtpSink, subjectOf, type SmtpSink } from '../support/smtp-sink';
import { seriousViolations } from '../support/axe';

let stack: TestStack;
let browser: Browser;
let page: Page;
let sink: SmtpSink;
const errors: string[] = [];
const D = 'tab.test';

beforeAll(async () => {
  [stack, browser, sink] = await Promise.all([startTestStack(), launchChromium(), startSmtpSink()]);
  page = await (await browser.newContext()).newPage();
  page.on('pageerror', (error) => errors.push(error.message));
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await sink?.stop();
});

async function send(subjects: string[]) {
  const smtp = smtpClient(stack.smtpPort);
  for (const subject of subjects) {
    await smtp.send({ from: 'sender@outside.test', to: `ann@${D}`, subject, text: `${subject}\r\n` });
  }
  smtp.close();
  await stack.ingestIdle();
}

/** Polls `read` until it gives `expected`; fails with the last value seen after `timeoutMs`. */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (last !== expected) {
    if (Date.now() > deadline) expect(last).toBe(expected);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
}

/** The held count the tab shows (it refreshes itself while mail is held). */
const heldCount = () => page.getByLabel('Held messages', { exact: true });

test('an admin pauses delivery on the Mail Flow tab, sees held mail rise as it arrives, releases it and sees it drain', async () => {
  const partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  await partner.post('/api/console/domains', { name: D });
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });

  await page.goto(`${stack.webUrl}/console`);
  await page.getByLabel('Email').fill(TEST_ADMIN.email);
  await page.getByLabel('Password').fill(TEST_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
  await page.goto(`${stack.webUrl}/console/domains/${D}/mail-flow`);

  // The destination: the local SMTP sink standing in for the primary mail server.
  await page.getByLabel('Host').fill('127.0.0.1');
  await page.getByLabel('Port').fill(String(sink.port));
  await page.getByLabel('TLS').selectOption('opportunistic');
  const arn = page.getByLabel('SMTP credentials secret ARN (optional)');
  await arn.fill('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/other-AbCdEf');
  await page.getByRole('button', { name: 'Save destination' }).click();
  await page.getByText(/can read only secrets named xtramail\/smtp\//).waitFor();
  await arn.fill('');
  await page.getByRole('button', { name: 'Save destination' }).click();
  await page.getByText('Destination settings saved.').waitFor();

  // Pause, through the confirm dialog.
  const toggle = page.getByRole('switch', { name: 'Deliver inbound mail' });
  expect(await toggle.getAttribute('aria-checked')).toBe('true');
  await toggle.click();
  const confirm = page.getByRole('dialog', { name: `Pause inbound delivery for ${D}?` });
  await confirm.getByRole('button', { name: 'Pause delivery' }).click();
  await eventually(() => toggle.getAttribute('aria-checked'), 'false');
  await eventually(() => heldCount().textContent(), '0');

  // Mail arrives over SMTP; the count on screen rises without a click.
  const subjects = Array.from({ length: 8 }, (_, i) => `Held on the tab ${i}`);
  await send(subjects.slice(0, 3));
  await eventually(() => heldCount().textContent(), '3', 10_000);
  await send(subjects.slice(3));
  await eventually(() => heldCount().textContent(), '8', 10_000);
  await page
    .getByRole('table', { name: `Held mail for ${D}, oldest first` })
    .getByText(subjects[0])
    .waitFor();
  expect(sink.received).toHaveLength(0);
  expect(await seriousViolations(page)).toEqual([]);

  // Release all (delivery stays paused): the count drains to 0 and the server got each message once, in order.
  await page.getByRole('button', { name: 'Release all' }).click();
  const release = page.getByRole('dialog', { name: 'Release all held mail?' });
  await release.getByRole('button', { name: 'Release all' }).click();
  await eventually(() => heldCount().textContent(), '0', 15_000);
  await stack.deliveryIdle();
  expect(sink.received.map((mail) => subjectOf(mail.raw))).toEqual(subjects);
  expect(await toggle.getAttribute('aria-checked')).toBe('false');

  // Mail that arrives after the release is held again: the pause still stands.
  await send(['After the release']);
  await eventually(() => heldCount().textContent(), '1', 10_000);
  expect(sink.received).toHaveLength(8);
  expect(errors).toEqual([]);
}, 60_000);
