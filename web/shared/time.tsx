/**
 * Times are shown in the viewer's own time zone and locale, compactly, with the full absolute
 * date and time (including the zone) in the `title`, so hovering shows exactly when.
 */

export type TimeInput = string | number | Date;

export interface FormattedTime {
  /** Short text for the page: a time today, a day and time this year, a date otherwise. */
  text: string;
  /** Full absolute date and time with the time zone, for `title`. */
  title: string;
  /** ISO 8601, for `<time datetime>`. */
  iso: string;
}

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

const dayOnly = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/**
 * `auto`: a time today, a day and time this year, a date otherwise. `date`: the day only (a
 * date this year without the year), for columns like "Added" where the hour doesn't matter.
 */
export type TimeStyle = 'auto' | 'date';

export function formatTime(
  value: TimeInput,
  now: Date = new Date(),
  style: TimeStyle = 'auto',
): FormattedTime {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return { text: 'Unknown time', title: String(value), iso: '' };
  const sameYear = date.getFullYear() === now.getFullYear();
  const sameDay = sameYear && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  const short =
    style === 'date'
      ? sameYear
        ? dayOnly
        : dateOnly
      : sameDay
        ? timeOnly
        : sameYear
          ? dayAndTime
          : dateOnly;
  return { text: short.format(date), title: absolute.format(date), iso: date.toISOString() };
}

/** `style` picks the short format (see `TimeStyle`); it is not a CSS style. */
export function Time({ value, style }: { value: TimeInput; style?: TimeStyle }) {
  const { text, title, iso } = formatTime(value, undefined, style);
  return (
    <time dateTime={iso || undefined} title={title}>
      {text}
    </time>
  );
}
