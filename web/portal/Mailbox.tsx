import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../shared/api';
import { Button } from '../shared/forms';
import { requestPageFocus, takeNavigationFocus } from '../shared/router';
import { asApiError } from '../shared/session';
import { EmptyState, ErrorPanel, LoadingLine } from '../shared/states';
import { Time } from '../shared/time';
import { toast } from '../shared/toast';
import { DeliveryBadge } from './DeliveryState';
import { draftFor, hasContent, loadDraft, type ReplyMode, saveDraft } from './draft';
import { PIcon } from './icons';
import {
  APP,
  type Folder,
  FOLDERS,
  folderLabel,
  mailUrl,
  type MessageDetail,
  messageTime,
  type PortalSession,
  subjectOf,
  type Summary,
} from './model';
import { go, isTyping, onPlainClick, portalApi, useSearchParam } from './nav';
import { ReadingPane } from './ReadingPane';
import { SentTools } from './SentTools';
import { type MailStore, useStore } from './store';
import { WindowGaps } from './WindowGaps';

/** Where Compose returns to when it was opened without a reply: the last mail page seen. */
let lastMailUrl = '/portal/inbox';
export function lastMailPage(): string {
  return lastMailUrl;
}

/** The folders rail beside a page's `<main>`: the mailbox, Compose and Profile share it. */
export function MailLayout({
  store,
  current,
  class: className,
  children,
}: {
  store: MailStore;
  current?: Folder;
  class?: string;
  children: ComponentChildren;
}) {
  useStore(store);
  useEffect(() => {
    store.ensure('inbox', '');
    store.ensure('sent', '');
  }, [store]);
  return (
    <div class={`mail${className ? ` ${className}` : ''}`}>
      <nav class="folders" aria-label="Folders">
        <ul>
          {FOLDERS.map(({ id, label }) => {
            const list = store.list(id, '');
            const unread = id === 'inbox' ? list.items.filter((m) => !m.read).length : 0;
            const loaded = `${list.items.length}${list.nextCursor ? '+' : ''}`;
            const href = mailUrl(id, '');
            return (
              <li key={id}>
                <a
                  href={href}
                  class="folder-link"
                  aria-current={id === current ? 'page' : undefined}
                  onClick={onPlainClick(href)}
                >
                  <PIcon name={id === 'sent' ? 'sent' : 'inbox'} />
                  <span class="folder-name">{label}</span>
                  {unread > 0 && (
                    <span class="folder-unread">
                      {unread}
                      <span class="sr-only"> unread</span>
                    </span>
                  )}
                  {list.loaded && (
                    <span class="folder-counts">
                      {loaded} loaded{id === 'inbox' ? `, ${unread} unread` : ''}
                    </span>
                  )}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      {children}
    </div>
  );
}

interface MailboxProps {
  session: PortalSession;
  store: MailStore;
  folder: Folder;
  messageId?: string;
}

interface MessageState {
  id: string;
  data?: MessageDetail;
  error?: ApiError;
}

export function Mailbox({ session, store, folder, messageId }: MailboxProps) {
  const q = useSearchParam('q').trim();
  useStore(store);
  useEffect(() => store.ensure(folder, q), [store, folder, q]);
  lastMailUrl = mailUrl(folder, q, messageId);

  const list = store.list(folder, q);
  const label = folderLabel(folder);
  const message = useMessage(messageId, store);
  const summary = messageId ? (message?.data?.message ?? store.find(messageId)) : undefined;
  const address = session.user.address;

  // Title: the open message, else the folder and its unread count.
  const unread = list.items.filter((m) => !m.read).length;
  useEffect(() => {
    const where = q ? `Search in ${label}` : label;
    document.title = summary
      ? `${subjectOf(summary)} · ${APP}`
      : `${where}${unread && folder === 'inbox' ? ` (${unread} unread)` : ''} · ${APP}`;
  }, [summary, label, q, unread, folder]);

  // Focus: after an in-app navigation, the opened message's heading; back in the list, the row
  // of the message just read; a new folder or search, its heading.
  const heading = useRef<HTMLHeadingElement>(null);
  const readerHeading = useRef<HTMLHeadingElement>(null);
  const pendingFocus = useRef<'reader' | undefined>(undefined);
  const previousId = useRef<string | undefined>(undefined);
  useEffect(() => {
    const navigated = takeNavigationFocus();
    const lastId = previousId.current;
    previousId.current = messageId;
    if (!navigated) return;
    if (messageId) {
      pendingFocus.current = 'reader';
      return;
    }
    pendingFocus.current = undefined;
    const row = lastId && document.querySelector<HTMLElement>(`[data-id="${CSS.escape(lastId)}"]`);
    (row || heading.current)?.focus();
  }, [messageId, folder, q]);
  useEffect(() => {
    if (pendingFocus.current === 'reader' && message?.data && readerHeading.current) {
      pendingFocus.current = undefined;
      readerHeading.current.focus();
    }
  });

  // Keep the open message's row in view.
  useEffect(() => {
    if (!messageId) return;
    document.querySelector(`[data-id="${CSS.escape(messageId)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [messageId, list.items.length]);

  const startDraft = useCallback(
    (mode: ReplyMode) => {
      const detail = message?.data;
      if (!detail) return;
      if (
        hasContent(loadDraft(address)) &&
        !confirm('Replace the message you were writing? Your unsent draft will be lost.')
      )
        return;
      saveDraft(address, draftFor(mode, detail, address, mailUrl(folder, q, detail.message.id)));
      go('/portal/compose');
    },
    [message, address, folder, q],
  );

  const [marking, setMarking] = useState(false);
  const markUnread = useCallback(async () => {
    if (!messageId) return;
    setMarking(true);
    try {
      await portalApi.patch(`/api/portal/messages/${encodeURIComponent(messageId)}`, { read: false });
      store.setRead(messageId, false);
      toast('Marked as unread.');
      go(mailUrl(folder, q));
    } catch (error) {
      toast(`Couldn't mark it unread. ${asApiError(error).message}`, 'error');
    } finally {
      setMarking(false);
    }
  }, [messageId, store, folder, q]);

  // Mailbox shortcuts; the shell handles c, / and ?.
  const keys = useRef({ list, messageId, startDraft });
  keys.current = { list, messageId, startDraft };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target) || document.querySelector('dialog[open]')) return;
      const { list: current, messageId: open, startDraft: draft } = keys.current;
      const ids = current.items.map((m) => m.id);
      const at = open ? ids.indexOf(open) : -1;
      let handled = true;
      if (event.key === 'j' || event.key === 'k') {
        const next = event.key === 'j' ? (at < 0 ? 0 : at + 1) : at - 1;
        if (next >= 0 && next < ids.length) {
          // Moving between messages replaces the history entry, so Back returns to the list.
          requestPageFocus();
          go(mailUrl(folder, q, ids[next]), { replace: Boolean(open) });
        } else if (event.key === 'j' && current.nextCursor) void store.more(folder, q);
      } else if (event.key === 'r' && open) draft('reply');
      else if (event.key === 'a' && open) draft('replyAll');
      else if (event.key === 'f' && open) draft('forward');
      else if (event.key === 'u' && open) go(mailUrl(folder, q));
      else handled = false;
      if (handled) event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [store, folder, q]);

  const shownWindow = list.windowStart ? list : session;

  return (
    <MailLayout store={store} current={folder} class={messageId ? 'mail-reading' : 'mail-listing'}>
      <main id="main" class="mail-main" tabIndex={-1}>
        <section class="list-pane" aria-labelledby="list-title">
          <div class="list-head">
            <h1 id="list-title" ref={heading} tabIndex={-1}>
              {q ? `Search in ${label}` : label}
            </h1>
            <button
              type="button"
              class="icon-button"
              aria-label={`Refresh ${label}`}
              title="Refresh"
              disabled={list.loading}
              onClick={() => void store.refresh(folder, q)}
            >
              <PIcon name="refresh" />
            </button>
          </div>
          {q && (
            <p class="search-summary">
              Results for <strong class="search-terms">{q}</strong>{' '}
              <a href={mailUrl(folder, '')} onClick={onPlainClick(mailUrl(folder, ''))}>
                Clear search
              </a>
            </p>
          )}
          {shownWindow.windowStart && (
            <p class="window-note">
              Mail since <Time value={shownWindow.windowStart} style="date" />
              {shownWindow.windowStartsWhenEnabled
                ? ', when XtraMail was turned on (it keeps the last 30 days).'
                : ' (XtraMail keeps the last 30 days).'}
              <WindowGaps gaps={shownWindow.windowGaps} />
            </p>
          )}
          {folder === 'sent' && !q && <SentTools address={address} />}
          <MessageList
            list={list}
            folder={folder}
            q={q}
            openId={messageId}
            onRetry={() => void store.refresh(folder, q)}
            onMore={() => void store.more(folder, q)}
          />
        </section>
        <ReadingPane
          key={messageId}
          folder={folder}
          q={q}
          messageId={messageId}
          summary={summary}
          data={message?.data}
          error={message?.error}
          onRetry={message?.retry}
          headingRef={readerHeading}
          onDraft={startDraft}
          onMarkUnread={markUnread}
          marking={marking}
        />
      </main>
    </MailLayout>
  );
}

function useMessage(id: string | undefined, store: MailStore) {
  const [state, setState] = useState<MessageState | undefined>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!id) {
      setState(undefined);
      return;
    }
    setState({ id });
    const controller = new AbortController();
    portalApi
      .get<MessageDetail>(`/api/portal/messages/${encodeURIComponent(id)}`, controller.signal)
      .then((data) => {
        setState({ id, data });
        // Opening it marked it read on the server.
        store.setRead(id, true);
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState({ id, error: asApiError(error) });
      });
    return () => controller.abort();
  }, [id, attempt, store]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return state && state.id === id ? { ...state, retry } : undefined;
}

interface MessageListProps {
  list: ReturnType<MailStore['list']>;
  folder: Folder;
  q: string;
  openId?: string;
  onRetry: () => void;
  onMore: () => void;
}

function MessageList({ list, folder, q, openId, onRetry, onMore }: MessageListProps) {
  if (list.error && list.items.length === 0)
    return <ErrorPanel title="Couldn't load your mail" error={list.error} onRetry={onRetry} />;
  if (!list.loaded) return <LoadingLine label="Loading your mail…" />;
  if (list.items.length === 0) {
    return (
      <EmptyState>
        {q ? (
          <p>
            No messages match <strong class="search-terms">{q}</strong>. Check the spelling, try fewer words,
            or remember only the last 30 days are kept.
          </p>
        ) : folder === 'sent' ? (
          <p>Nothing sent from XtraMail yet. Messages you send with Compose, Reply or Forward appear here.</p>
        ) : (
          <p>No mail yet: XtraMail copies new mail from the moment it is enabled for your domain.</p>
        )}
      </EmptyState>
    );
  }
  return (
    <>
      <ul class="message-list" aria-label={`Messages${q ? ' found' : ''} in ${folderLabel(folder)}`}>
        {list.items.map((m) => (
          <MessageRow key={m.id} message={m} folder={folder} q={q} open={m.id === openId} />
        ))}
      </ul>
      {list.error && <ErrorPanel title="Couldn't load more" error={list.error} onRetry={onRetry} />}
      <div class="list-foot">
        <p class="muted" role="status">
          {list.items.length} {list.items.length === 1 ? 'message' : 'messages'}
          {list.nextCursor ? ' loaded' : ''}
        </p>
        {list.nextCursor && (
          <Button onClick={onMore} busy={list.loading}>
            Load more
          </Button>
        )}
      </div>
    </>
  );
}

/** "Ann Smith" from `"Ann Smith" <ann@example.org>`; the address when there is no name. */
export function displayName(from: string): string {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(from);
  if (!match) return from.trim();
  return match[1].trim() || match[2].trim();
}

function MessageRow({
  message: m,
  folder,
  q,
  open,
}: {
  message: Summary;
  folder: Folder;
  q: string;
  open: boolean;
}) {
  const href = mailUrl(folder, q, m.id);
  const who =
    folder === 'sent' ? `To: ${m.to.map(displayName).join(', ') || '(no recipients)'}` : displayName(m.from);
  return (
    <li>
      <a
        href={href}
        class={`message-row${m.read ? '' : ' unread'}`}
        aria-current={open ? 'true' : undefined}
        data-id={m.id}
        onClick={onPlainClick(href)}
      >
        <span class="row-top">
          <span class="row-who" title={folder === 'sent' ? m.to.join(', ') : m.from}>
            {!m.read && <span class="sr-only">Unread, </span>}
            {who}
          </span>
          <span class="row-time">
            <Time value={messageTime(m)} />
          </span>
        </span>
        <span class="row-subject">
          <span class="row-subject-text">{subjectOf(m)}</span>
          {m.hasAttachments && <PIcon name="clip" label="Has attachments" />}
          {m.flags.spam && <span class="badge badge-warning">Spam</span>}
          {m.flags.virus && <span class="badge badge-danger">Virus</span>}
          <DeliveryBadge delivery={m.delivery} />
        </span>
        {m.snippet && <span class="row-snippet">{m.snippet}</span>}
      </a>
    </li>
  );
}
