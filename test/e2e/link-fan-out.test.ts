/// <reference lib="dom" />
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import type { DeliveryQueue, QueuedJob } from '../../lambdas/adapters/delivery-queue';
import { portalUserToItem } from '../../lambdas/core/entities/portal-user';
import { runtime } from '../../lambdas/handlers/runtime';
import { signedIn } from '../support/api-client';
import { launchChromium } from '../support/browser';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';

/**
 * Large selections in a real browser: the invitation and drill dialogs say the links are being
 * sent, and the drill's participants show them queued, then sent once the queue has run.
 */
let stack: TestStack;
let browser: Browser;
let admin: Page;
let realQueue: DeliveryQueue;
/** Jobs the console queued while the queue is held, so "queued" can be seen before it runs. */
let held: Array<{ job: QueuedJob; delaySeconds?: number }> = [];
const errors: string[] = [];
const D = 'many.test';
const USERS = 60;
const address = (i: number) => `u${String(i).padStart(2, '0')}@${D}`;

async function violations(page: Page, include: string) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .include(include)
    .analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

/** Lets the held jobs run, as SQS would, and waits until they are done. */
async function releaseQueue() {
  for (const { job, delaySeconds } of held) await realQueue.enqueue(job, delaySeconds);
  held = [];
  await stack.deliveryIdle();
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
  realQueue = runtime.queue;
  runtime.queue = { enqueue: async (job, delaySeconds) => void held.push({ job, delaySeconds }) };
  const partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  await partner.post('/api/console/domains', { name: D });
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });
  await runtime.table.putAll(
    Array.from({ length: USERS }, (_, i) =>
      portalUserToItem({
        address: address(i),
        type: 'user',
        mustChangePassword: true,
        tokenVersion: 0,
        createdAt: new Date().toISOString(),
        backupAddress: `u${i}@home.example`,
      }),
    ),
  );
  admin = await (await browser.newContext()).newPage();
  admin.on('pageerror', (error) => errors.push(error.message));
  await admin.goto(`${stack.webUrl}/console`);
  await admin.getByLabel('Email').fill(TEST_ADMIN.email);
  await admin.getByLabel('Password').fill(TEST_ADMIN.password);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.getByRole('navigation', { name: 'Console' }).waitFor();
});
afterAll(async () => {
  if (realQueue) runtime.queue = realQueue;
  await browser?.close();
  await stack?.stop();
});

test('inviting every user says the 60 invitations are being sent', async () => {
  await admin.goto(`${stack.webUrl}/console/domains/${D}/users`);
  await admin.getByLabel('Select all users on this page').check();
  const banner = admin.getByRole('button', { name: /^Select all \d+ users$/ });
  if (await banner.isVisible()) await banner.click();
  await admin
    .getByRole('region', { name: 'Selected users' })
    .getByRole('button', { name: 'Invite to portal' })
    .click();
  const dialog = admin.getByRole('dialog', { name: 'Invite to portal' });
  await dialog.getByRole('button', { name: 'Send invitations' }).click();
  await dialog
    .getByText('60 invitations are being sent; this takes a few minutes.', { exact: false })
    .waitFor();
  // Nobody is listed as not invited: queued users are on their way.
  expect(await dialog.getByRole('region', { name: 'Not invited' }).count()).toBe(0);
  expect(await violations(admin, 'dialog')).toEqual([]);
  await dialog.getByRole('button', { name: 'Done' }).click();
  expect(held.length).toBe(3);
  await releaseQueue();
});

test('a drill of every user shows its participants queued, then sent', async () => {
  await admin.goto(`${stack.webUrl}/console/readiness/${D}`);
  await admin.getByRole('button', { name: 'Start a fire drill' }).click();
  const dialog = admin.getByRole('dialog', { name: 'Start a fire drill' });
  await dialog.getByRole('button', { name: 'Start drill' }).click();
  await dialog
    .getByText('60 test sign-in links are being sent; this takes a few minutes.', { exact: false })
    .waitFor();
  await dialog.getByRole('button', { name: 'Done' }).click();

  const participants = admin.getByRole('region', { name: /^Participants of the fire drill/ });
  await participants.getByRole('row', { name: new RegExp(`${address(0)}.*Queued: being sent`) }).waitFor();
  await admin.getByText('60 links are still being sent.', { exact: false }).waitFor();
  expect(await violations(admin, '.drills-panel')).toEqual([]);

  await releaseQueue();
  await admin.getByRole('button', { name: 'Refresh participants' }).click();
  await participants.getByRole('row', { name: new RegExp(`${address(59)}.*Sent.*Not yet`) }).waitFor();
  expect(await participants.getByText('Queued: being sent').count()).toBe(0);
  expect(await admin.getByText('still being sent', { exact: false }).count()).toBe(0);
  expect(errors).toEqual([]);
});
