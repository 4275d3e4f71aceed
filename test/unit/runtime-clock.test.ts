test('XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS shifts every handler\'s "now"; unset, it is the real time', () => {
  const load = () => {
    let clock: { now(): Date } | undefined;
    jest.isolateModules(() => {
      clock = jest.requireActual('../../lambdas/handlers/runtime').runtime.clock;
    });
    return clock!;
  };
  const saved = process.env.XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS;
  try {
    delete process.env.XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS;
    expect(Math.abs(load().now().getTime() - Date.now())).toBeLessThan(1000);
    process.env.XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS = '30';
    const shift = load().now().getTime() - Date.now();
    expect(shift / 86_400_000).toBeCloseTo(30, 3);
  } finally {
    if (saved === undefined) delete process.env.XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS;
    else process.env.XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS = saved;
  }
});
