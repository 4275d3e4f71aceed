import { simpleParser } from 'mailparser';
import { fixedOffsetClock } from '../../lambdas/core/clock';
import { apiClient, signedIn, type ApiClient } from '../support/api-client';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';

let stack: TestStack;
let partner: ApiClient;
let alice: ApiClient;
let bob: ApiClient;
const D = 'portal.test';
const PASSWORD = 'my own password 42';

async function portalUser(partner: ApiClient, local: string): Promise<ApiClient> {
  await partner.post(`/api/console/domains/${D}/users`, { address: local, type: 'user' });
  const set = await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [`${local}@${D}`],
    generate: true,
  });
  const temporary = set.body.generated[0].password;
  const client = await signedIn(stack.webUrl, 'portal', `${local}@${D}`, temporary);
  const changed = await client.put('/api/portal/password', {
    currentPassword: temporary,
    newPassword: PASSWORD,
  });
  expect(changed.status).toBe(204);
  return signedIn(stack.webUrl, 'portal', `${local}@${D}`, PASSWORD);
}

const fetchBytes = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());
const sesStore = async () =>
  (await (await fetch(`${stack.sesUrl}/store`)).json()).emails as Array<{
    subject: string;
    destination: { to: string[] };
  }>;

let pdf: Buffer;
let ids: { plain: string; html: string; withPdf: string };

beforeAll(async () => {
  stack = await startTestStack();
  partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  await partner.post('/api/console/domains', { name: D });
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });
  alice = await portalUser(partner, 'alice');
  bob = await portalUser(partner, 'bob');
  await new Promise((resolve) => setTimeout(resolve, 5));

  pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(50_000, 7)]);
  const smtp = smtpClient(stack.smtpPort);
  const plain = await smtp.send({
    from: 'Carol <carol@partner.test>',
    to: `alice@${D}`,
    subject: 'Lunch on Friday',
    text: 'Shall we?',
  });
  const html = await smtp.send({
    from: 'news@vendor.test',
    to: `alice@${D}`,
    subject: 'Newsletter',
    html: '<p>Hello<img src="https://tracker.vendor.test/pixel.png"></p><script>alert(1)</script>',
    messageId: '<newsletter-1@vendor.test>',
  });
  const withPdf = await smtp.send({
    from: 'Carol <carol@partner.test>',
    to: `alice@${D}`,
    cc: `bob@${D}`,
    subject: 'Contract',
    text: 'Attached.',
    messageId: '<contract-1@partner.test>',
    attachments: [{ filename: 'contract.pdf', content: pdf, contentType: 'application/pdf' }],
  });
  smtp.close();
  await stack.ingestIdle();
  ids = Object.fromEntries(
    (await alice.get('/api/portal/messages')).body.items.map((m: { subject: string; id: string }) => [
      { 'Lunch on Friday': 'plain', Newsletter: 'html', Contract: 'withPdf' }[m.subject],
      m.id,
    ]),
  ) as typeof ids;
  expect(plain && html && withPdf).toBeTruthy();
});
afterAll(async () => {
  await stack?.stop();
});

test('the inbox lists newest first, with its window; search operators filter it', async () => {
  const inbox = await alice.get('/api/portal/messages?folder=inbox');
  expect(inbox.body.items.map((m: { subject: string }) => m.subject)).toEqual([
    'Contract',
    'Newsletter',
    'Lunch on Friday',
  ]);
  // XtraMail went on for the domain when this test began, so the window starts then, not 30 days back.
  const domain = (await partner.get(`/api/console/domains/${D}`)).body;
  const enabledAt = domain.domain.xtramail.enabledAt;
  expect(enabledAt).toEqual(expect.any(String));
  expect(inbox.body).toMatchObject({ windowStart: enabledAt, windowStartsWhenEnabled: true });
  expect((await alice.get('/api/portal/session')).body).toMatchObject({
    windowStart: enabledAt,
    windowStartsWhenEnabled: true,
  });
  const subjects = async (q: string) =>
    (await alice.get(`/api/portal/messages?q=${encodeURIComponent(q)}`)).body.items.map(
      (m: { subject: string }) => m.subject,
    );
  expect(await subjects('has:attachment')).toEqual(['Contract']);
  expect(await subjects('from:carol')).toEqual(['Contract', 'Lunch on Friday']);
  expect(await subjects('from:CAROL subject:lunch')).toEqual(['Lunch on Friday']);
  expect(await subjects('to:bob')).toEqual(['Contract']);
  expect(await subjects('newsletter')).toEqual(['Newsletter']);
  expect(await subjects('"on friday"')).toEqual(['Lunch on Friday']);
  expect(await subjects('is:unread')).toHaveLength(3);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  expect(await subjects(`before:${tomorrow}`)).toHaveLength(3);
  expect(await subjects(`after:${tomorrow}`)).toEqual([]);
  expect((await alice.get('/api/portal/messages?q=before:yesterday')).status).toBe(400);
});

test('reading: sanitized HTML, headers, attachment bytes identical through a short-lived link, read state', async () => {
  const html = await alice.get(`/api/portal/messages/${ids.html}`);
  expect(html.body.html).toContain('https://tracker.vendor.test/pixel.png');
  expect(html.body.html).not.toContain('<script');
  expect(html.body.message.headers['message-id']).toBe('<newsletter-1@vendor.test>');

  const contract = await alice.get(`/api/portal/messages/${ids.withPdf}`);
  const [attachment] = contract.body.attachments;
  expect(attachment).toMatchObject({
    filename: 'contract.pdf',
    contentType: 'application/pdf',
    size: pdf.length,
  });
  expect(new URL(attachment.url).searchParams.get('X-Amz-Expires')).toBe('300');
  expect((await fetchBytes(attachment.url)).equals(pdf)).toBe(true);
  const raw = await fetchBytes(contract.body.rawUrl);
  expect(raw.toString()).toContain('Subject: Contract');

  expect((await alice.get('/api/portal/messages?q=is:unread')).body.items).toHaveLength(1);
  expect((await alice.patch(`/api/portal/messages/${ids.withPdf}`, { read: false })).status).toBe(204);
  expect((await alice.get('/api/portal/messages?q=is:unread')).body.items).toHaveLength(2);
});

test("a user can only reach their own messages: another user's id answers 404, like a missing one", async () => {
  for (const path of [`/api/portal/messages/${ids.plain}`, `/api/portal/messages/${ids.plain}/raw`]) {
    const other = await bob.get(path);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
  }
  expect((await bob.patch(`/api/portal/messages/${ids.plain}`, { read: true })).status).toBe(404);
  expect((await bob.get('/api/portal/messages/not-an-id')).status).toBe(404);
  // Bob's own copy of the message he was cc'd on is his.
  const bobInbox = await bob.get('/api/portal/messages');
  expect(bobInbox.body.items.map((m: { subject: string }) => m.subject)).toEqual(['Contract']);
});

test('header injection and bad recipients are refused with 400', async () => {
  const attempts = [
    { to: ['x@elsewhere.test'], subject: 'Hi\r\nBcc: victim@elsewhere.test', text: 'x' },
    { to: ['x@elsewhere.test\r\nBcc: victim@elsewhere.test'], subject: 'Hi', text: 'x' },
    { to: ['not an address'], subject: 'Hi', text: 'x' },
    { to: [], subject: 'Nobody', text: 'x' },
    { to: Array.from({ length: 51 }, (_, i) => `r${i}@elsewhere.test`), subject: 'Many', text: 'x' },
    {
      to: ['x@elsewhere.test'],
      subject: 'Hi',
      attachments: [{ uploadId: '0'.repeat(32), filename: 'a\r\nb.txt', contentType: 'text/plain' }],
    },
  ];
  const before = (await sesStore()).length;
  for (const body of attempts) {
    const result = await alice.post('/api/portal/messages', body);
    expect(result.status).toBe(400);
    expect(result.body.error.message).toEqual(expect.any(String));
  }
  expect((await sesStore()).length).toBe(before);
});

test('reply threads, forward carries the attachment, compose uploads one; all land in Sent and in SES', async () => {
  const reply = await alice.post('/api/portal/messages', {
    to: ['carol@partner.test'],
    subject: 'Re: Contract',
    text: 'Signed.',
    inReplyTo: ids.withPdf,
  });
  expect(reply.status).toBe(201);
  const replyRead = await alice.get(`/api/portal/messages/${reply.body.id}`);
  expect(replyRead.body.message.headers['in-reply-to']).toBe('<contract-1@partner.test>');
  expect(replyRead.body.message.headers.references).toContain('<contract-1@partner.test>');
  expect(replyRead.body.message.from).toContain(`alice@${D}`);

  const forward = await alice.post('/api/portal/messages', {
    to: ['dave@elsewhere.test'],
    subject: 'Fwd: Contract',
    text: 'FYI',
    forwardOf: ids.withPdf,
    includeOriginalAttachments: true,
  });
  const forwarded = await alice.get(`/api/portal/messages/${forward.body.id}`);
  expect(forwarded.body.attachments).toHaveLength(1);
  expect((await fetchBytes(forwarded.body.attachments[0].url)).equals(pdf)).toBe(true);

  const upload = await alice.post('/api/portal/uploads', {
    filename: 'notes.txt',
    contentType: 'text/plain',
    size: 11,
  });
  expect(upload.status).toBe(201);
  const put = await fetch(upload.body.url, {
    method: 'PUT',
    headers: { 'content-type': 'text/plain' },
    body: 'hello notes',
  });
  expect(put.ok).toBe(true);
  const composed = await alice.post('/api/portal/messages', {
    to: ['erin@elsewhere.test'],
    bcc: ['hidden@elsewhere.test'],
    subject: 'Notes',
    text: 'See notes',
    attachments: [{ uploadId: upload.body.uploadId, filename: 'notes.txt', contentType: 'text/plain' }],
  });
  const composedRead = await alice.get(`/api/portal/messages/${composed.body.id}`);
  expect(await (await fetch(composedRead.body.attachments[0].url)).text()).toBe('hello notes');
  expect((await fetchBytes(composedRead.body.rawUrl)).toString()).not.toMatch(/^Bcc:/im);

  const sent = await alice.get('/api/portal/messages?folder=sent');
  expect(sent.body.items.map((m: { subject: string }) => m.subject)).toEqual([
    'Notes',
    'Fwd: Contract',
    'Re: Contract',
  ]);
  const subjects = (await sesStore()).map((e) => e.subject);
  expect(subjects).toEqual(expect.arrayContaining(['Re: Contract', 'Fwd: Contract', 'Notes']));
});

test('Sent exports as an mbox that parses back to every message', async () => {
  const exported = await alice.get('/api/portal/export?folder=sent');
  expect(exported.status).toBe(302);
  const mbox = (await fetchBytes(exported.headers.get('location')!)).toString('latin1');
  const messages = mbox.split(/^From \S+ .*$/m).filter((part) => part.trim());
  expect(messages).toHaveLength(3);
  const parsed = await Promise.all(messages.map((m) => simpleParser(Buffer.from(m.trimStart(), 'latin1'))));
  expect(parsed.map((m) => m.subject).sort()).toEqual(['Fwd: Contract', 'Notes', 'Re: Contract']);
});

test('"send my sent items to my mailbox" sends each once, as an attachment, even when asked twice', async () => {
  const before = (await sesStore()).length;
  const [first, second] = await Promise.all([
    alice.post('/api/portal/sent/resend'),
    alice.post('/api/portal/sent/resend'),
  ]);
  expect(first.body.resent + second.body.resent).toBe(3);
  const third = await alice.post('/api/portal/sent/resend');
  expect(third.body).toEqual({ total: 3, resent: 0, remaining: 0 });
  const copies = (await sesStore()).slice(before);
  expect(copies).toHaveLength(3);
  for (const copy of copies) {
    expect(copy.destination.to).toEqual([`alice@${D}`]);
    expect(copy.subject).toMatch(/^\[Sent \d{4}-\d\d-\d\d \d\d:\d\d UTC\] /);
  }
});

test('contacts: the people in the user’s own recent mail, most written-to first, never the user', async () => {
  const contacts = await alice.get('/api/portal/contacts');
  expect(contacts.status).toBe(200);
  expect(contacts.body.items.slice(0, 4)).toEqual([
    // Written to once and wrote twice.
    { address: 'carol@partner.test', name: 'Carol' },
    // Written to once each, the latest first.
    { address: 'erin@elsewhere.test' },
    { address: 'dave@elsewhere.test' },
    { address: 'news@vendor.test' },
  ]);
  expect(contacts.body.items.map((c: { address: string }) => c.address)).not.toContain(`alice@${D}`);
  // Bob's come from Bob's mail only.
  expect((await bob.get('/api/portal/contacts')).body.items).toEqual([
    { address: 'carol@partner.test', name: 'Carol' },
  ]);
});

test('expired messages vanish from list, search and read (clock 30 days and a second later)', async () => {
  const { runtime } = await import('../../lambdas/handlers/runtime');
  const { listMessages } = await import('../../lambdas/core/mailbox/list-messages');
  const { readMessage } = await import('../../lambdas/core/mailbox/read-message');
  const later = {
    ...runtime,
    table: runtime.table,
    blobs: runtime.blobs,
    clock: fixedOffsetClock(30 + 1 / 86_400),
  };
  expect((await listMessages(later, `alice@${D}`, 'inbox')).items).toEqual([]);
  expect((await listMessages(later, `alice@${D}`, 'inbox', { q: 'has:attachment' })).items).toEqual([]);
  await expect(readMessage(later, `alice@${D}`, ids.plain)).rejects.toMatchObject({ status: 404 });
});

test('portal sign-in is refused for domains with XtraMail off and for non-eligible accounts', async () => {
  const anonymous = apiClient(stack.webUrl);
  const refused = await anonymous.post('/api/portal/session', { email: `nobody@${D}`, password: PASSWORD });
  expect(refused.status).toBe(401);
});

test('XtraMail off and on again: earlier copies stay listed, the window says when it was off, and nothing from then was copied', async () => {
  const firstOn = (await partner.get(`/api/console/domains/${D}`)).body.domain.xtramail.enabledAt;
  const off = await partner.put(`/api/console/domains/${D}/products`, { xtramail: false });
  expect(off.status).toBe(200);
  const smtp = smtpClient(stack.smtpPort);
  await smtp.send({
    from: 'carol@partner.test',
    to: `alice@${D}`,
    subject: 'While off',
    text: 'Not copied.',
  });
  await stack.ingestIdle();
  const on = await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });
  await smtp.send({ from: 'carol@partner.test', to: `alice@${D}`, subject: 'Back on', text: 'Copied.' });
  smtp.close();
  await stack.ingestIdle();

  const gap = { from: off.body.xtramail.disabledAt, to: on.body.xtramail.enabledAt };
  expect(Date.parse(gap.to)).toBeGreaterThan(Date.parse(gap.from));
  const inbox = await alice.get('/api/portal/messages?folder=inbox');
  expect(inbox.body.items.map((m: { subject: string }) => m.subject)).toEqual([
    'Back on',
    'Contract',
    'Newsletter',
    'Lunch on Friday',
  ]);
  const covered = { windowStart: firstOn, windowStartsWhenEnabled: true, windowGaps: [gap] };
  expect(inbox.body).toMatchObject(covered);
  expect((await alice.get('/api/portal/session')).body).toMatchObject(covered);
});
