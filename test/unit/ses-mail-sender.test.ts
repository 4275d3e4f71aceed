import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SesMailSender } from '../../lambdas/adapters/aws/ses-mail-sender';

/** A wire-level SES v2 endpoint that throttles the first `throttled` sends, then accepts. */
function sesEndpoint(throttled: number) {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      if (calls <= throttled) {
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'TooManyRequestsException',
        });
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ MessageId: `message-${calls}` }));
    });
  });
  return {
    calls: () => calls,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('a send SES throttles is tried again until it goes out, not failed', async () => {
  const endpoint = sesEndpoint(3);
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SESV2: await endpoint.start(),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  try {
    const sent = await new SesMailSender().sendRaw(Buffer.from('Subject: hi\r\n\r\nhi\r\n'), {
      from: 'a@example.com',
      to: ['b@example.com'],
    });
    expect(sent.messageId).toBe('message-4');
    expect(endpoint.calls()).toBe(4);
  } finally {
    process.env = saved;
    await endpoint.stop();
  }
}, 30_000);
