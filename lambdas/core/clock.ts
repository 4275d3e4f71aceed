/** Every time-dependent rule takes a Clock, so tests and local demos can move "now". */
export interface Clock {
  now(): Date;
}

export const DAY_MS = 86_400_000;

export const fixedOffsetClock = (offsetDays: number): Clock => ({
  now: () => new Date(Date.now() + offsetDays * DAY_MS),
});

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

export const addDays = (date: Date, days: number): Date => new Date(date.getTime() + days * DAY_MS);
