import { Time } from '../shared/time';
import type { MailWindowFields } from './model';

/**
 * The times within the mail window when XtraMail was off, so nobody looks there for mail that
 * was never copied. Nothing when there were none.
 */
export function WindowGaps({ gaps }: { gaps: MailWindowFields['windowGaps'] }) {
  if (!gaps?.length) return null;
  return (
    <>
      {' '}
      XtraMail was off{' '}
      {gaps.map((gap, index) => (
        <span key={gap.from}>
          {index > 0 && (index === gaps.length - 1 ? ' and ' : ', ')}
          from <Time value={gap.from} /> to <Time value={gap.to} />
        </span>
      ))}
      , so mail received then wasn’t copied.
    </>
  );
}
