import addressparser from 'nodemailer/lib/addressparser';
import type { Table } from '../../adapters/table';
import { normalizeAddress } from '../addresses';
import type { Clock } from '../clock';
import { folderPrefix, mailboxPartition, messageFromItem, type Folder } from '../entities/message';

export interface Contact {
  address: string;
  /** The display name the person's own mail gave, when it had one. */
  name?: string;
}

/** How much recent mail the suggestions come from: one Query page per folder. */
const RECENT: Record<Folder, number> = { inbox: 300, sent: 200 };
/** Someone the user wrote to counts for more than someone who wrote to them. */
const WEIGHT: Record<Folder, number> = { inbox: 1, sent: 3 };
export const MAX_CONTACTS = 200;
/** Nobody writes to these, so they would only crowd out people. */
const UNREPLYABLE = /^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)(?:[+.-][^@]*)?@/i;

interface Ranked extends Contact {
  score: number;
  lastSeen: number;
}

/**
 * The people in a user's recent mail, most written-to and most recent first, so Compose can
 * suggest addresses while the primary system's address book is out of reach. Only the user's
 * own partition is read: the newest live copies of each folder.
 */
export async function recentContacts(
  deps: { table: Table; clock: Clock },
  mailbox: string,
): Promise<Contact[]> {
  const own = normalizeAddress(mailbox);
  const ranked = new Map<string, Ranked>();
  const note = (address: string, name: string | undefined, folder: Folder, at: number) => {
    const key = normalizeAddress(address);
    if (!key.includes('@') || key === own || UNREPLYABLE.test(key)) return;
    const entry = ranked.get(key) ?? { address: key, score: 0, lastSeen: 0 };
    entry.score += WEIGHT[folder];
    entry.lastSeen = Math.max(entry.lastSeen, at);
    if (name && !entry.name) entry.name = name;
    ranked.set(key, entry);
  };
  const pages = await Promise.all(
    (Object.keys(RECENT) as Folder[]).map(async (folder) => {
      const page = await deps.table.query(mailboxPartition(mailbox), {
        beginsWith: folderPrefix(folder),
        descending: true,
        limit: RECENT[folder],
        liveAt: deps.clock.now(),
      });
      return { folder, items: page.items };
    }),
  );
  for (const { folder, items } of pages) {
    for (const message of items.map(messageFromItem)) {
      const at = message.receivedAt.getTime();
      if (folder === 'inbox') {
        for (const sender of addressparser(message.from, { flatten: true })) {
          note(sender.address, sender.name.trim() || undefined, folder, at);
        }
      } else {
        for (const address of [...message.to, ...message.cc]) note(address, undefined, folder, at);
      }
    }
  }
  return [...ranked.values()]
    .sort((a, b) => b.score - a.score || b.lastSeen - a.lastSeen)
    .slice(0, MAX_CONTACTS)
    .map(({ address, name }) => (name ? { address, name } : { address }));
}
