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

export function formatTime(value: TimeInput, now: Date = new Date()): FormattedTime {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return { text: 'Unknown time', title: String(value), iso: '' };
  const sameYear = date.getFullYear() === now.getFullYear();
  const sameDay = sameYear && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  const short = sameDay ? timeOnly : sameYear ? dayAndTime : dateOnly;
  return { text: short.format(date), title: absolute.format(date), iso: date.toISOString() };
}

export function Time({ value }: { value: TimeInput }) {
  const { text, title, iso } = formatTime(value);
  return (
    <time dateTime={iso || undefined} title={title}>
      {text}
    </time>
  );
}
