import { DAY_MS } from '../../lambdas/core/clock';
import { createDomain, getDomain, setXtraMail } from '../../lambdas/core/domains/domains';
import { coverageOf, MAX_OFF_PERIODS } from '../../lambdas/core/domains/xtramail-coverage';
import { mailWindow } from '../../lambdas/core/mailbox/list-messages';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

const NAME = 'cover.test';
let clock: ManualClock;
let deps: { table: MemoryTable; clock: ManualClock };

const at = () => clock.now().toISOString();
const advanceDays = (days: number) => clock.advance(days * DAY_MS);
const coverage = async () => coverageOf((await getDomain(deps, NAME))!.xtramail);

beforeEach(async () => {
  clock = new ManualClock('2026-11-01T09:00:00.000Z');
  deps = { table: new MemoryTable(), clock };
  await createDomain(deps, NAME);
});

test('turned on once: copies from that moment, no gaps', async () => {
  await setXtraMail(deps, NAME, true);
  expect(await coverage()).toEqual({ since: at(), offPeriods: [] });
});

test('never turned on: no coverage at all', async () => {
  expect(await coverage()).toEqual({ offPeriods: [] });
});

test('off and on again within 30 days: the earlier copies still count, with the time it was off as a gap', async () => {
  await setXtraMail(deps, NAME, true);
  const firstOn = at();
  advanceDays(8);
  await setXtraMail(deps, NAME, false);
  const off = at();
  advanceDays(7);
  const domain = await setXtraMail(deps, NAME, true);
  const backOn = at();

  // Ingest still copies only from the latest switch-on.
  expect(domain.xtramail.enabledAt).toBe(backOn);
  expect(await coverage()).toEqual({ since: firstOn, offPeriods: [{ from: off, to: backOn }] });
  expect(mailWindow(clock, await coverage())).toEqual({
    start: new Date(firstOn),
    startsWhenEnabled: true,
    gaps: [{ from: new Date(off), to: new Date(backOn) }],
  });
});

test('off for 30 days or more: every earlier copy has expired, so coverage starts afresh', async () => {
  await setXtraMail(deps, NAME, true);
  advanceDays(2);
  await setXtraMail(deps, NAME, false);
  advanceDays(30);
  await setXtraMail(deps, NAME, true);
  expect(await coverage()).toEqual({ since: at(), offPeriods: [] });
});

test('gaps older than the snapshot are dropped at the next switch-on', async () => {
  await setXtraMail(deps, NAME, true);
  advanceDays(1);
  await setXtraMail(deps, NAME, false);
  const firstOff = at();
  advanceDays(1);
  await setXtraMail(deps, NAME, true);
  const firstBack = at();
  expect((await coverage()).offPeriods).toEqual([{ from: firstOff, to: firstBack }]);

  advanceDays(35);
  await setXtraMail(deps, NAME, false);
  const secondOff = at();
  advanceDays(2);
  await setXtraMail(deps, NAME, true);
  expect((await coverage()).offPeriods).toEqual([{ from: secondOff, to: at() }]);
});

test('switching on twice in a row changes nothing', async () => {
  await setXtraMail(deps, NAME, true);
  const before = await coverage();
  advanceDays(1);
  await setXtraMail(deps, NAME, true);
  expect(await coverage()).toEqual(before);
});

test(`at most ${MAX_OFF_PERIODS} gaps are kept; coverage then starts after the dropped ones, never claiming uncopied mail`, async () => {
  await setXtraMail(deps, NAME, true);
  const backOnTimes: string[] = [];
  for (let i = 0; i < MAX_OFF_PERIODS + 3; i++) {
    advanceDays(1);
    await setXtraMail(deps, NAME, false);
    clock.advance(3_600_000);
    await setXtraMail(deps, NAME, true);
    backOnTimes.push(at());
  }
  const kept = await coverage();
  expect(kept.offPeriods).toHaveLength(MAX_OFF_PERIODS);
  expect(kept.since).toBe(backOnTimes[2]);
  expect(kept.offPeriods[0].from > kept.since!).toBe(true);
  expect(kept.offPeriods.at(-1)!.to).toBe(at());
});
