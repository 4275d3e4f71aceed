import type { Condition } from '../../adapters/table';
import { AppError } from '../errors';

/**
 * The portal's search language: free words, and `from:` `to:` `subject:` `has:attachment`
 * `is:unread` `before:YYYY-MM-DD` `after:YYYY-MM-DD`. Values may be quoted. Each term becomes a
 * filter on the user's own partition, so a search is still one Query per page.
 */
export interface Search {
  conditions: Condition[];
}

const TOKEN = /(\w+):"([^"]*)"|(\w+):(\S+)|"([^"]*)"|(\S+)/g;

function day(value: string, operator: string): string {
  const parsed = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(value);
  const date = parsed && new Date(Date.UTC(+parsed[1], +parsed[2] - 1, +parsed[3]));
  if (!date || Number.isNaN(date.getTime())) {
    throw new AppError(400, 'invalid_search', `${operator}: takes a date like 2026-12-01, not "${value}".`);
  }
  return date.toISOString();
}

export function parseSearch(query: string | undefined): Search {
  const conditions: Condition[] = [];
  for (const match of (query ?? '').matchAll(TOKEN)) {
    const operator = (match[1] ?? match[3])?.toLowerCase();
    const value = (match[2] ?? match[4] ?? match[5] ?? match[6] ?? '').trim();
    if (!value) continue;
    const lower = value.toLowerCase();
    switch (operator) {
      case 'from':
        conditions.push({ attribute: 'fromLc', contains: lower });
        break;
      case 'to':
        conditions.push({ attribute: 'toLc', contains: lower });
        break;
      case 'subject':
        conditions.push({ attribute: 'subjectLc', contains: lower });
        break;
      case 'has':
        if (lower !== 'attachment')
          throw new AppError(400, 'invalid_search', 'has: understands has:attachment.');
        conditions.push({ attribute: 'hasAttachments', equals: true });
        break;
      case 'is':
        if (lower === 'unread') conditions.push({ attribute: 'read', equals: false });
        else if (lower === 'read') conditions.push({ attribute: 'read', equals: true });
        else throw new AppError(400, 'invalid_search', 'is: understands is:unread and is:read.');
        break;
      case 'before':
        conditions.push({ attribute: 'receivedAt', lessThan: day(value, 'before') });
        break;
      case 'after':
        conditions.push({ attribute: 'receivedAt', greaterThan: day(value, 'after') });
        break;
      case undefined:
        conditions.push({ attribute: 'textLc', contains: lower });
        break;
      default:
        // An unknown "word:" is ordinary text, e.g. a time like 10:30 or "re:".
        conditions.push({ attribute: 'textLc', contains: `${operator}:${lower}` });
    }
  }
  return { conditions };
}
