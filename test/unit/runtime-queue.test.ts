test('a function without QUEUE_URL can still spread the runtime; only an enqueue needs the queue', async () => {
  const saved = { ...process.env };
  delete process.env.QUEUE_URL;
  // What every API function has (lib/api.ts); the portal API has no queue.
  Object.assign(process.env, { TABLE_NAME: 'table', MAIL_BUCKET: 'bucket', AWS_REGION: 'eu-west-1' });
  try {
    let runtime: Record<string, unknown> & { queue: { enqueue(job: unknown): Promise<void> } };
    jest.isolateModules(() => {
      runtime = jest.requireActual('../../lambdas/handlers/runtime').runtime;
    });
    const deps = { ...runtime!, extra: true };
    expect(deps.extra).toBe(true);
    await expect(runtime!.queue.enqueue({ kind: 'release-walk', domain: 'example.com' })).rejects.toThrow(
      'Environment variable QUEUE_URL is not set',
    );
  } finally {
    process.env = saved;
  }
});
