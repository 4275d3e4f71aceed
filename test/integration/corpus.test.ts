import { readFileSync } from 'node:fs';
import type { Item } from '../../lambdas/core/entities/keys';
import { ensureCorpus } from '../support/corpus';
import { startTestStack, type TestStack } from '../support/local-stack';

/**
 * Real mail no one here wrote (SpamAssassin ham, enmime's odd and broken messages, bounces,
 * MIME-tools tests): every message ends with exactly one copy per eligible recipient, or a log
 * entry saying why not. The whole corpus runs in `npm run bench -- ingest`.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

/** The SMTP form of a stored message: no mbox "From " line, CRLF line ends. */
const asReceived = (raw: Buffer) =>
  Buffer.from(
    raw
      .toString('latin1')
      .replace(/^From [^\n]*\n/, '')
      .replace(/\r?\n/g, '\r\n'),
    'latin1',
  );

test('a few hundred real messages: one copy per eligible recipient, a logged reason for everyone else', async () => {
  const corpus = await ensureCorpus();
  const files = [
    ...corpus.sets.spamassassin.filter((_, i) => i % 12 === 0),
    ...corpus.sets.enmime,
    ...corpus.sets.bounces.slice(0, 30),
    ...corpus.sets['mime-tools'],
  ];
  expect(files.length).toBeGreaterThan(300);

  const { runtime } = await import('../../lambdas/handlers/runtime');
  const { handler } = await import('../../lambdas/handlers/ingest');
  const { sesEvent } = await import('../../bin/local/smtp-receiver');
  const { createDomain, setXtraMail } = await import('../../lambdas/core/domains/domains');
  const { putUser } = await import('../../lambdas/core/users/users');
  await createDomain(runtime, 'corpus.test');
  await setXtraMail(runtime, 'corpus.test', true);
  await putUser(runtime, 'reader@corpus.test', 'user');
  await putUser(runtime, 'list@corpus.test', 'mailing_list');
  await new Promise((resolve) => setTimeout(resolve, 5));

  // Each message to a User, a mailing list, and (every third one) a new address to discover.
  const expectations: Array<{ id: string; recipients: Record<string, string> }> = [];
  for (const [n, file] of files.entries()) {
    const raw = asReceived(readFileSync(file));
    const id = `corpus${String(n).padStart(5, '0')}`;
    const recipients: Record<string, string> = {
      'reader@corpus.test': 'snapshot',
      'list@corpus.test': 'not-eligible',
      ...(n % 3 === 0 ? { [`new${n}@corpus.test`]: 'discovered' } : {}),
    };
    await runtime.blobs.put(`incoming/${id}`, raw, 'message/rfc822');
    await handler(sesEvent(id, raw, 'sender@corpus.example', Object.keys(recipients), new Date()));
    expectations.push({ id, recipients });
  }

  const query = async (pk: string) => {
    const items: Item[] = [];
    let cursor: string | undefined;
    do {
      const page = await runtime.table.query(pk, { cursor });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };
  const logs = await query(`LOG#corpus.test#${new Date().toISOString().slice(0, 10)}`);
  const readerCopies = await query('MBX#reader@corpus.test');
  const listCopies = await query('MBX#list@corpus.test');
  expect(listCopies).toEqual([]);

  const problems: string[] = [];
  for (const { id, recipients } of expectations) {
    const copies = readerCopies.filter((item) => item.sesMessageId === id);
    if (copies.length !== 1) problems.push(`${id}: ${copies.length} copies for reader`);
    for (const [address, expected] of Object.entries(recipients)) {
      const entries = logs.filter((item) => item.sesMessageId === id && item.recipient === address);
      const action = entries[0]?.action;
      // A message the parser gave up on is still copied, and logged as unparseable.
      const ok =
        entries.length === 1 &&
        (action === expected || (expected !== 'not-eligible' && action === 'unparseable'));
      if (!ok)
        problems.push(
          `${id} → ${address}: ${entries.length} log entries, action ${action}, expected ${expected}`,
        );
    }
    if (recipients[`new${id.slice(6).replace(/^0+/, '') || '0'}@corpus.test`]) {
      const discovered = await query(`MBX#new${Number(id.slice(6))}@corpus.test`);
      if (discovered.length !== 1) problems.push(`${id}: discovered user has ${discovered.length} copies`);
    }
  }
  expect(problems).toEqual([]);
}, 300_000);
