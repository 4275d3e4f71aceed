import { signedIn, type ApiClient } from '../support/api-client';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';

/**
 * `GET /api/portal/messages/{id}/body`: the message body as its own sandboxed document, which
 * the portal frames by URL so the mail's inline styles apply under the document's own CSP.
 */
let stack: TestStack;
let partner: ApiClient;
const D = 'body.test';
const PASSWORD = 'my own password 42';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** A portal user who has chosen their own password, signed in as a browser is: by cookie. */
async function portalUser(local: string) {
  await partner.post(`/api/console/domains/${D}/users`, { address: local, type: 'user' });
  const set = await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [`${local}@${D}`],
    generate: true,
  });
  const temporary = set.body.generated[0].password;
  const first = await signedIn(stack.webUrl, 'portal', `${local}@${D}`, temporary);
  expect(
    (await first.put('/api/portal/password', { currentPassword: temporary, newPassword: PASSWORD })).status,
  ).toBe(204);
  const response = await fetch(`${stack.webUrl}/api/portal/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${local}@${D}`, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('xm_portal='))!;
  const get = (path: string) => fetch(`${stack.webUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
  const json = async (path: string) => (await get(path)).json();
  return { get, json };
}

const directives = (csp: string) =>
  Object.fromEntries(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
const unescapeAttribute = (value: string) => value.replace(/&quot;/g, '"').replace(/&amp;/g, '&');

let alice: Awaited<ReturnType<typeof portalUser>>;
let bob: Awaited<ReturnType<typeof portalUser>>;
let ids: { html: string; text: string };

beforeAll(async () => {
  stack = await startTestStack();
  partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  await partner.post('/api/console/domains', { name: D });
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });
  alice = await portalUser('alice');
  bob = await portalUser('bob');
  await new Promise((resolve) => setTimeout(resolve, 5));

  const smtp = smtpClient(stack.smtpPort);
  await smtp.send({
    from: 'news@vendor.test',
    to: `alice@${D}`,
    subject: 'Styled',
    html:
      '<p style="color: rgb(200, 0, 0); background-color: #ffeeaa">Red on yellow</p>' +
      '<script>alert(1)</script>' +
      '<img src="x" onerror="alert(2)" alt="broken">' +
      '<img src="https://tracker.example/x.png" alt="tracker">' +
      '<img src="cid:logo@vendor.test" alt="logo">' +
      '<a href="https://vendor.test/offer">Offer</a>',
    attachments: [{ filename: 'logo.png', content: PNG, contentType: 'image/png', cid: 'logo@vendor.test' }],
  });
  await smtp.send({
    from: 'carol@partner.test',
    to: `alice@${D}`,
    subject: 'Plain',
    text: 'Fish & chips <b>not bold</b>\nSecond line',
  });
  smtp.close();
  await stack.ingestIdle();
  const inbox = await alice.json('/api/portal/messages');
  ids = {
    html: inbox.items.find((m: { subject: string }) => m.subject === 'Styled').id,
    text: inbox.items.find((m: { subject: string }) => m.subject === 'Plain').id,
  };
  expect(ids.html && ids.text).toBeTruthy();
});
afterAll(async () => {
  await stack?.stop();
});

test('the body is a sandboxed HTML document of its own: styles kept, scripts gone, remote images blocked', async () => {
  const response = await alice.get(`/api/portal/messages/${ids.html}/body?images=0`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  expect(response.headers.get('cache-control')).toBe('private, no-store');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  const csp = response.headers.get('content-security-policy')!;
  // One policy, the document's own (the local server's page CSP must not ride along).
  expect(csp).not.toContain(',');
  const policy = directives(csp);
  expect(policy['default-src']).toEqual(["'none'"]);
  expect(policy['style-src']).toEqual(["'unsafe-inline'"]);
  expect(policy['frame-ancestors']).toEqual(["'self'"]);
  expect(policy['base-uri']).toEqual(["'none'"]);
  expect(policy['form-action']).toEqual(["'none'"]);
  expect(policy.sandbox).toEqual(['allow-popups', 'allow-popups-to-escape-sandbox']);
  expect(policy['img-src']).not.toContain('https:');
  expect(policy['img-src']).not.toContain('http:');

  const html = await response.text();
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).toContain('<meta charset="utf-8"><base target="_blank"><style>');
  expect(html).toContain('color-scheme:light dark');
  expect(html).toContain('<p style="color:rgb(200, 0, 0);background-color:#ffeeaa">Red on yellow</p>');
  expect(html).toContain('<html class="light">');
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/onerror/i);
  // Without images the remote source is left out too, so the browser does not even try it; a
  // relative one would point into the API and is always left out.
  expect(html).not.toContain('tracker.example');
  expect(html).toContain('<img alt="tracker" />');
  expect(html).toContain('<img alt="broken" />');
  expect(html).not.toContain('cid:');

  // The inline image points at the attachment's short-lived link, whose origin the CSP allows.
  const src = unescapeAttribute(/<img src="([^"]*)" alt="logo"/.exec(html)![1]);
  const link = new URL(src);
  expect(link.searchParams.get('X-Amz-Expires')).toBe('300');
  expect(policy['img-src']).toEqual(['data:', link.origin]);
  expect(Buffer.from(await (await fetch(src)).arrayBuffer()).equals(PNG)).toBe(true);

  const withImages = await alice.get(`/api/portal/messages/${ids.html}/body?images=1`);
  expect(directives(withImages.headers.get('content-security-policy')!)['img-src']).toEqual([
    'data:',
    link.origin,
    'https:',
    'http:',
  ]);
  expect(await withImages.text()).toContain('<img src="https://tracker.example/x.png" alt="tracker" />');
  expect((await alice.get(`/api/portal/messages/${ids.html}/body`)).status).toBe(200);
  expect((await alice.get(`/api/portal/messages/${ids.html}/body?images=yes`)).status).toBe(400);

  // Reading the body is not reading the message: the JSON read marks it read, this does not.
  const listed = await alice.json(`/api/portal/messages?q=${encodeURIComponent('is:unread subject:styled')}`);
  expect(listed.items.map((m: { id: string }) => m.id)).toEqual([ids.html]);
  const read = await alice.json(`/api/portal/messages/${ids.html}`);
  const logo = read.attachments.find((a: { filename: string }) => a.filename === 'logo.png');
  expect(new URL(logo.url).pathname).toBe(link.pathname);
});

test('a message without HTML is its text, escaped, in a wrapping <pre>', async () => {
  const response = await alice.get(`/api/portal/messages/${ids.text}/body?images=0`);
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(html).toContain('<pre class="text">Fish &amp; chips &lt;b&gt;not bold&lt;/b&gt;\nSecond line');
  expect(html).toContain('pre{white-space:pre-wrap');
  expect(html).not.toContain('<html class="light">');
  expect(directives(response.headers.get('content-security-policy')!)['img-src']).toEqual(['data:']);
});

test("another user's message id answers 404 as JSON under the API's strict CSP, like a missing one", async () => {
  for (const path of [`/api/portal/messages/${ids.html}/body`, '/api/portal/messages/not-an-id/body']) {
    const response = await bob.get(path);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect((await response.json()).error.code).toBe('not_found');
  }
  const anonymous = await fetch(`${stack.webUrl}/api/portal/messages/${ids.html}/body`);
  expect(anonymous.status).toBe(401);
});

test('every other API response carries the strict CSP and DENY framing, once', async () => {
  const response = await alice.get('/api/portal/messages');
  expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  const page = await fetch(`${stack.webUrl}/portal`);
  expect(page.headers.get('content-security-policy')).toContain("img-src 'self' data: blob:;");
  expect(page.headers.get('content-security-policy')).toContain("frame-src 'self'");
});
