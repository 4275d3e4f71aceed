/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signedIn, type ApiClient } from '../support/api-client';
import { launchChromium } from '../support/browser';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';

/**
 * The day of the outage, in a real browser: a user signs in with a generated password, changes
 * it, finds and reads mail safely, downloads an attachment, replies, forwards and exports Sent.
 */
let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let partner: ApiClient;
const D = 'journey.test';
const REMOTE_HOST = 'tracker.remote.test';
const remoteRequests: string[] = [];
const dialogs: string[] = [];
let temporaryPassword = '';
const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(40_000, 3), Buffer.from('\n%%EOF\n')]);

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
  partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  await partner.post('/api/console/domains', { name: D });
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });
  await partner.post(`/api/console/domains/${D}/users`, { address: 'uma', type: 'user' });
  const set = await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [`uma@${D}`],
    generate: true,
  });
  temporaryPassword = set.body.generated[0].password;
  await new Promise((resolve) => setTimeout(resolve, 5));

  const smtp = smtpClient(stack.smtpPort);
  await smtp.send({
    from: 'Vic <vic@partner.test>',
    to: `uma@${D}`,
    subject: 'Plain hello',
    text: 'Just text.',
  });
  await smtp.send({
    from: 'Promo <promo@vendor.test>',
    to: `uma@${D}`,
    subject: 'Dangerous HTML',
    html:
      `<p style="color: rgb(200, 0, 0)">Big sale</p><img src="https://${REMOTE_HOST}/pixel.png" alt="pixel">` +
      '<script>alert("script ran")</script><img src="x" onerror="alert(\'onerror ran\')">',
  });
  await smtp.send({
    from: 'Vic <vic@partner.test>',
    to: `uma@${D}`,
    subject: 'Signed contract',
    text: 'Here it is.',
    messageId: '<contract-journey@partner.test>',
    attachments: [{ filename: 'contract.pdf', content: pdf, contentType: 'application/pdf' }],
  });
  await smtp.send({
    from: 'CEO <ceo@partner.test>',
    to: Array.from({ length: 150 }, (_, i) => `staff${i}@partner.test`),
    cc: `uma@${D}`,
    subject: 'Company announcement',
    text: 'All hands at ten.',
    envelope: { from: 'ceo@partner.test', to: [`uma@${D}`] },
  });
  smtp.close();
  await stack.ingestIdle();

  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  // Record (and answer) anything that tries to reach the remote image host.
  await context.route(`**://${REMOTE_HOST}/**`, (route) => {
    remoteRequests.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'image/png', body: Buffer.alloc(0) });
  });
  page = await context.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    return dialog.dismiss();
  });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('signs in with the generated password and must choose their own first', async () => {
  await page.goto(`${stack.webUrl}/portal`);
  await page.getByLabel('Email').fill(`uma@${D}`);
  await page.getByLabel('Password').fill(temporaryPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Choose your own password' }).waitFor();
  await page.getByLabel('Temporary password').fill(temporaryPassword);
  await page.getByLabel('New password', { exact: true }).fill('uma chooses this one');
  await page.getByLabel('Type the new password again').fill('uma chooses this one');
  await page.getByRole('button', { name: 'Save password and continue' }).click();
  await page.getByText('Signed contract').first().waitFor();
  for (const subject of ['Plain hello', 'Dangerous HTML']) await page.getByText(subject).first().waitFor();
  // XtraMail went on for the domain just now: the list says its mail starts then, not 30 days ago.
  await page.getByText(/^Mail since .+, when XtraMail was turned on/).waitFor();
});

test('searches has:attachment', async () => {
  await page.getByRole('searchbox').fill('has:attachment');
  await page.getByRole('searchbox').press('Enter');
  await page.getByRole('list', { name: /found/ }).waitFor();
  const found = page.getByRole('list', { name: /found/ });
  await expect(found.getByText('Signed contract').count()).resolves.toBe(1);
  await expect(found.getByText('Plain hello').count()).resolves.toBe(0);
  await page.getByRole('searchbox').fill('');
  await page.getByRole('searchbox').press('Enter');
});

test('HTML mail: no script runs, no remote request until Show images, the sender’s styles kept', async () => {
  await page.getByText('Dangerous HTML').first().click();
  const frame = page.frameLocator('iframe[title="Message body"]');
  await frame.getByText('Big sale').waitFor();
  await page.waitForTimeout(500);
  expect(dialogs).toEqual([]);
  expect(remoteRequests).toEqual([]);
  await expect(frame.getByText('Big sale').evaluate((el) => getComputedStyle(el).color)).resolves.toBe(
    'rgb(200, 0, 0)',
  );

  await page.getByRole('button', { name: 'Show images' }).click();
  await frame.getByText('Big sale').waitFor();
  for (let i = 0; i < 50 && remoteRequests.length === 0; i++) await page.waitForTimeout(100);
  expect(remoteRequests).toEqual([`https://${REMOTE_HOST}/pixel.png`]);
  expect(dialogs).toEqual([]);
});

test('a message to more addresses than a copy lists says how many more the original has', async () => {
  await page.getByText('Company announcement').first().click();
  const meta = page.locator('.reader-meta');
  await meta.getByText('staff99@partner.test').waitFor();
  await expect(meta.getByText('staff100@partner.test').count()).resolves.toBe(0);
  await expect(meta.getByText('Also to').count()).resolves.toBe(1);
  await expect(meta.getByText(/50 more addresses, listed in the original message/).count()).resolves.toBe(1);
});

test('downloads the PDF with identical bytes', async () => {
  await page.getByText('Signed contract').first().click();
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: /contract\.pdf/ }).click();
  const file = await (await download).path();
  expect(readFileSync(file).equals(pdf)).toBe(true);
});

test('replies (threaded, in Sent and at SES) and forwards with the attachment', async () => {
  await page.getByRole('button', { name: 'Reply', exact: true }).click();
  await page.getByLabel('Message').fill('Countersigned, thanks.');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText(/sent/i).first().waitFor();

  await page.getByText('Signed contract').first().click();
  await page.getByRole('button', { name: 'Forward' }).click();
  await page.getByLabel('To').fill('lawyer@elsewhere.test');
  await page.getByRole('button', { name: 'Send' }).click();

  const store = async () =>
    (await (await fetch(`${stack.sesUrl}/store`)).json()).emails as Array<{
      subject: string;
      destination: { to: string[] };
      attachments: Array<{ filename?: string; size: number }>;
    }>;
  for (let i = 0; i < 50 && (await store()).length < 2; i++) await page.waitForTimeout(100);
  const sent = await store();
  const reply = sent.find((e) => e.subject === 'Re: Signed contract');
  const forward = sent.find((e) => /^Fwd: Signed contract/.test(e.subject));
  expect(reply?.destination.to.join()).toContain('vic@partner.test');
  expect(forward?.destination.to.join()).toContain('lawyer@elsewhere.test');
  expect(forward?.attachments.map((a) => [a.filename, a.size])).toEqual([['contract.pdf', pdf.length]]);

  // Threading, read back from the Sent copy of exactly the bytes that went to SES.
  const api = await signedIn(stack.webUrl, 'portal', `uma@${D}`, 'uma chooses this one');
  const sentList = await api.get('/api/portal/messages?folder=sent');
  const replyId = sentList.body.items.find(
    (m: { subject: string }) => m.subject === 'Re: Signed contract',
  ).id;
  const replyRead = await api.get(`/api/portal/messages/${replyId}`);
  expect(replyRead.body.message.headers['in-reply-to']).toBe('<contract-journey@partner.test>');
  expect(replyRead.body.message.headers.references).toContain('<contract-journey@partner.test>');
});

test('exports Sent as an mbox that parses back to both messages', async () => {
  await page.getByRole('link', { name: /^Sent/ }).first().click();
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export Sent (.mbox)' }).click();
  const mbox = readFileSync(await (await download).path()).toString('latin1');
  const messages = mbox.split(/^From \S+ .*$/m).filter((part) => part.trim());
  const parsed = await Promise.all(messages.map((m) => simpleParser(Buffer.from(m.trimStart(), 'latin1'))));
  expect(parsed.map((m) => m.subject).sort()).toEqual(['Fwd: Signed contract', 'Re: Signed contract']);
});

test('after XtraMail was off for a while, the list and the profile say so', async () => {
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: false });
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });
  await page
    .getByRole('link', { name: /^Inbox/ })
    .first()
    .click();
  await page.reload();
  const gap = /XtraMail was off from .+ to .+, so mail received then wasn’t copied\.$/;
  await page
    .getByText(/^Mail since .+, when XtraMail was turned on/)
    .filter({ hasText: gap })
    .waitFor();
  await page
    .getByRole('link', { name: /Profile/ })
    .first()
    .click();
  await page.getByRole('definition').filter({ hasText: gap }).waitFor();
});

test('Compose suggests people from recent mail as an address is typed; keyboard and mouse both pick', async () => {
  await page.getByRole('link', { name: 'Compose' }).click();
  const to = page.getByRole('combobox', { name: 'To' });
  await to.pressSequentially('vi');
  const suggestions = page.getByRole('listbox', { name: 'Recipient suggestions' });
  await suggestions.getByRole('option').first().waitFor();
  await expect(suggestions.getByRole('option').allTextContents()).resolves.toEqual(['Vic vic@partner.test']);
  await expect(to.getAttribute('aria-expanded')).resolves.toBe('true');
  await to.press('Enter');
  await expect(to.inputValue()).resolves.toBe('vic@partner.test, ');
  await expect(suggestions.isHidden()).resolves.toBe(true);

  // Whoever is in the field already is not offered again; a word of a name matches too.
  await to.pressSequentially('vi');
  await expect(suggestions.isHidden()).resolves.toBe(true);
  await to.press('Backspace');
  await to.press('Backspace');
  await to.pressSequentially('pro');
  await suggestions.getByRole('option').first().waitFor();
  // Shift+Tab leaves the field as typed.
  await to.press('Shift+Tab');
  await expect(to.inputValue()).resolves.toBe('vic@partner.test, pro');
  await to.focus();
  await to.pressSequentially('m');
  await suggestions.getByRole('option', { name: /promo@vendor\.test/ }).click();
  await expect(to.inputValue()).resolves.toBe('vic@partner.test, promo@vendor.test, ');

  await page.getByRole('button', { name: 'Discard' }).click();
});
