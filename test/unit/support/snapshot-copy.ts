import { messageId, messageToItem, type SnapshotMessage } from '../../../lambdas/core/entities/message';
import type { Item } from '../../../lambdas/core/entities/keys';

/**
 * A snapshot copy's item with clean verdicts and no attachments: only what a test names differs.
 * Its id follows from the folder, receipt time and SES message id, as ingest makes it.
 */
export function snapshotCopyItem(
  fields: Pick<SnapshotMessage, 'mailbox' | 'folder' | 'sesMessageId' | 'receivedAt'> &
    Partial<Omit<SnapshotMessage, 'id'>>,
): Item {
  return messageToItem({
    id: messageId(fields.folder, fields.receivedAt, fields.sesMessageId),
    from: fields.mailbox,
    to: [fields.mailbox],
    cc: [],
    subject: 'Hello',
    snippet: '',
    size: 100,
    attachments: [],
    verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
    flags: { spam: false, virus: false, unparseable: false },
    read: false,
    ...fields,
  });
}
