import type { Ref } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../shared/api';
import { Alert } from '../shared/forms';
import { Icon } from '../shared/icons';
import { ErrorPanel, LoadingLine } from '../shared/states';
import { Time } from '../shared/time';
import { bodyUrl, hasRemoteImages } from './body';
import { DeliveryLine } from './DeliveryState';
import type { ReplyMode } from './draft';
import { PIcon, type PortalIconName } from './icons';
import {
  type Attachment,
  type Folder,
  folderLabel,
  formatSize,
  mailUrl,
  type MessageDetail,
  messageTime,
  subjectOf,
  type Summary,
} from './model';
import { onPlainClick } from './nav';

interface ReadingPaneProps {
  folder: Folder;
  q: string;
  messageId?: string;
  summary?: Summary;
  data?: MessageDetail;
  error?: ApiError;
  onRetry?: () => void;
  headingRef: Ref<HTMLHeadingElement>;
  onDraft: (mode: ReplyMode) => void;
  onMarkUnread: () => void;
  marking: boolean;
}

export function ReadingPane(props: ReadingPaneProps) {
  const { folder, q, messageId, data, error } = props;
  if (!messageId) {
    return (
      <section class="reading-pane reading-empty" aria-label="Reading pane">
        <p>Select a message to read it.</p>
        <p class="muted">
          Tip: press <kbd>j</kbd> and <kbd>k</kbd> to move through messages, <kbd>?</kbd> for every shortcut.
        </p>
      </section>
    );
  }
  const back = mailUrl(folder, q);
  return (
    <section class="reading-pane" aria-label="Message">
      <a class="back-link" href={back} onClick={onPlainClick(back)}>
        <PIcon name="back" />
        Back to {q ? 'search results' : folderLabel(folder)}
      </a>
      {data ? (
        <MessageView {...props} data={data} />
      ) : error ? (
        <ErrorPanel
          title="Couldn't open this message"
          error={
            error.status === 404
              ? new ApiError(
                  404,
                  error.code,
                  'It is no longer in your XtraMail snapshot (mail is kept for 30 days). Go back to the list and refresh it.',
                )
              : error
          }
          onRetry={error.status === 404 ? undefined : props.onRetry}
        />
      ) : (
        <LoadingLine label={`Opening ${props.summary ? `“${subjectOf(props.summary)}”` : 'the message'}…`} />
      )}
    </section>
  );
}

function MessageView({
  data,
  headingRef,
  onDraft,
  onMarkUnread,
  marking,
}: ReadingPaneProps & { data: MessageDetail }) {
  const { message, attachments, rawUrl, html, text } = data;
  const { flags } = message;
  const shown = attachments.filter(
    (a) =>
      !(
        html &&
        a.contentId &&
        html.toLowerCase().includes(`cid:${a.contentId.replace(/^<|>$/g, '').toLowerCase()}`)
      ),
  );

  return (
    <article class="reader" aria-labelledby="reader-title">
      <header class="reader-head">
        <h2 id="reader-title" ref={headingRef} tabIndex={-1}>
          {subjectOf(message)}
        </h2>
        {(flags.spam || flags.virus || flags.unparseable) && (
          <p class="reader-flags">
            {flags.spam && <span class="badge badge-warning">Spam</span>}
            {flags.virus && <span class="badge badge-danger">Virus found</span>}
            {flags.unparseable && <span class="badge badge-neutral">Couldn't be read</span>}
          </p>
        )}
        <dl class="reader-meta">
          <div>
            <dt>From</dt>
            <dd>{message.from}</dd>
          </div>
          {message.to.length > 0 && (
            <div>
              <dt>To</dt>
              <dd>{message.to.join(', ')}</dd>
            </div>
          )}
          {message.cc.length > 0 && (
            <div>
              <dt>Cc</dt>
              <dd>{message.cc.join(', ')}</dd>
            </div>
          )}
          {(message.unlisted ?? 0) > 0 && (
            <div>
              <dt>Also to</dt>
              <dd>
                {message.unlisted!.toLocaleString()} more {message.unlisted === 1 ? 'address' : 'addresses'},
                listed in the original message
              </dd>
            </div>
          )}
          <div>
            <dt>Date</dt>
            <dd>
              <Time value={messageTime(message)} />
            </dd>
          </div>
        </dl>
        <DeliveryLine delivery={message.delivery} />
      </header>
      <div class="reader-actions" role="group" aria-label="Message actions">
        <ActionButton icon="reply" label="Reply" shortcut="r" onClick={() => onDraft('reply')} />
        <ActionButton icon="replyAll" label="Reply all" shortcut="a" onClick={() => onDraft('replyAll')} />
        <ActionButton icon="forward" label="Forward" shortcut="f" onClick={() => onDraft('forward')} />
        {message.folder !== 'sent' && (
          <ActionButton icon="unread" label="Mark unread" onClick={onMarkUnread} busy={marking} />
        )}
        <a class="button button-quiet button-small" href={rawUrl} download={`${subjectOf(message)}.eml`}>
          <Icon name="download" />
          Download original (.eml)
        </a>
      </div>
      {flags.unparseable && (
        <Alert tone="warning" title="XtraMail couldn't read this message's format">
          <p>What could be read is shown below and may look wrong. Open the original in a mail program:</p>
          <p>
            <a class="button button-primary" href={rawUrl} download={`${subjectOf(message)}.eml`}>
              <Icon name="download" />
              Download original (.eml)
            </a>
          </p>
        </Alert>
      )}
      {flags.virus && (
        <Alert tone="error" title="A virus was found in this message">
          Its attachments are withheld. Don't open links in it unless you trust the sender.
        </Alert>
      )}
      {flags.spam && !flags.virus && (
        <Alert tone="warning">
          This looks like spam. Be careful with its links, and don't reply with personal details.
        </Alert>
      )}
      {shown.length > 0 && <Attachments items={shown} />}
      {html ? (
        <HtmlBody key={message.id} messageId={message.id} remoteImages={hasRemoteImages(html)} />
      ) : (
        <pre class="message-text">
          {text.trim() ? text.replace(/^(?:[ \t]*\r?\n)+/, '') : '(This message has no text.)'}
        </pre>
      )}
    </article>
  );
}

function ActionButton({
  icon,
  label,
  shortcut,
  onClick,
  busy,
}: {
  icon: PortalIconName;
  label: string;
  shortcut?: string;
  onClick: () => void;
  busy?: boolean;
}) {
  return (
    <button
      type="button"
      class="button button-quiet button-small"
      onClick={onClick}
      disabled={busy}
      aria-busy={busy ? 'true' : undefined}
      aria-keyshortcuts={shortcut}
      title={shortcut ? `${label} (${shortcut})` : undefined}
    >
      <PIcon name={icon} />
      {label}
    </button>
  );
}

function Attachments({ items }: { items: Attachment[] }) {
  return (
    <section class="attachments" aria-labelledby="attachments-title">
      <h3 id="attachments-title">{items.length === 1 ? '1 attachment' : `${items.length} attachments`}</h3>
      <ul>
        {items.map((a) => {
          const meta = `${a.contentType || 'file'}, ${formatSize(a.size)}`;
          return (
            <li key={a.index} class={`attachment${a.withheld ? ' attachment-withheld' : ''}`}>
              {a.withheld || !a.url ? (
                <span class="attachment-body">
                  <span class="attachment-name">{a.filename || 'Unnamed attachment'}</span>
                  <span class="attachment-meta">{meta}</span>
                  <span class="attachment-note">
                    {a.withheld ? 'Withheld: a virus was found' : 'Not available to download'}
                  </span>
                </span>
              ) : (
                <a class="attachment-body" href={a.url} download={a.filename || 'attachment'}>
                  <Icon name="download" />
                  <span class="attachment-name">{a.filename || 'Unnamed attachment'}</span>
                  <span class="attachment-meta">{meta}</span>
                </a>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function HtmlBody({ messageId, remoteImages }: { messageId: string; remoteImages: boolean }) {
  const [showImages, setShowImages] = useState(false);
  return (
    <>
      {remoteImages && !showImages && (
        <div class="images-bar">
          <PIcon name="image" />
          <p>Remote images are blocked to protect your privacy.</p>
          <button
            type="button"
            class="button button-secondary button-small"
            onClick={() => setShowImages(true)}
          >
            Show images
          </button>
        </div>
      )}
      <div class="frame-wrap">
        {/* A new frame for "Show images": changing src would add a history entry to Back through. */}
        <iframe
          key={String(showImages)}
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerpolicy="no-referrer"
          title="Message body"
          class="message-frame"
          src={bodyUrl(messageId, showImages)}
        />
      </div>
    </>
  );
}
