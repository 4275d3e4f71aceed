import type { ComponentChildren, Ref } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { Dialog } from '../shared/Dialog';
import { Alert, Button } from '../shared/forms';
import { Icon } from '../shared/icons';
import { BrandMark, SkipLink } from '../shared/page';
import { useSignOut } from '../shared/session';
import { Toaster } from '../shared/toast';
import { PIcon } from './icons';
import { OutageBanner } from './OutageBanner';
import { isFolder, mailUrl, type PortalSession } from './model';
import { go, isTyping, onPlainClick, useSearchParam } from './nav';

export const SEARCH_HINT = 'from: to: subject: has:attachment is:unread before: after:';

interface PortalShellProps {
  session: PortalSession;
  /** The first path segment after /portal: a folder, `compose` or `profile`. */
  area: string;
  onSignOut: () => Promise<void>;
  children: ComponentChildren;
}

export function PortalShell({ session, area, onSignOut, children }: PortalShellProps) {
  const signOut = useSignOut(onSignOut);
  const searchInput = useRef<HTMLInputElement>(null);
  const [help, setHelp] = useState(false);

  // Shortcuts that work on every portal page; the mailbox adds its own (j, k, r, a, f, u).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target) || document.querySelector('dialog[open]')) return;
      if (event.key === '/') {
        event.preventDefault();
        searchInput.current?.focus();
        searchInput.current?.select();
      } else if (event.key === '?') {
        event.preventDefault();
        setHelp(true);
      } else if (event.key === 'c' && area !== 'compose') {
        event.preventDefault();
        go('/portal/compose');
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [area]);

  return (
    <>
      <SkipLink />
      <div class="portal">
        <header class="topbar mail-topbar">
          <a href="/portal/inbox" class="brand" onClick={onPlainClick('/portal/inbox')}>
            <BrandMark />
            <span class="brand-text">
              XtraMail <span class="brand-sub">Mail</span>
            </span>
          </a>
          <SearchBox folder={isFolder(area) ? area : 'inbox'} inputRef={searchInput} />
          <div class="topbar-actions">
            <a
              href="/portal/compose"
              class="button button-primary compose-button"
              aria-current={area === 'compose' ? 'page' : undefined}
              onClick={onPlainClick('/portal/compose')}
            >
              <PIcon name="compose" />
              Compose
            </a>
            <span class="user-email topbar-address" data-testid="portal-address">
              {session.user.address}
            </span>
            <a
              href="/portal/profile"
              class="button button-quiet topbar-link"
              aria-current={area === 'profile' ? 'page' : undefined}
              onClick={onPlainClick('/portal/profile')}
            >
              <PIcon name="user" />
              Profile
            </a>
            <button
              type="button"
              class="icon-button shortcuts-button"
              aria-label="Keyboard shortcuts"
              title="Keyboard shortcuts (?)"
              onClick={() => setHelp(true)}
            >
              <PIcon name="keyboard" />
            </button>
            <Button variant="quiet" busy={signOut.busy} onClick={signOut.run} class="topbar-link">
              Sign out
            </Button>
          </div>
        </header>
        <OutageBanner />
        {session.notice && (
          <section class="notice-banner" aria-label="Notice from your administrator">
            <Alert tone="warning">{session.notice}</Alert>
          </section>
        )}
        {signOut.error && (
          <div class="notice-banner">
            <Alert tone="error" title="Couldn't sign out">
              {signOut.error}
            </Alert>
          </div>
        )}
        {children}
        <Toaster />
        {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
      </div>
    </>
  );
}

function SearchBox({ folder, inputRef }: { folder: 'inbox' | 'sent'; inputRef: Ref<HTMLInputElement> }) {
  const q = useSearchParam('q');
  const [value, setValue] = useState(q);
  useEffect(() => setValue(q), [q]);
  const hintId = useId();

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    go(mailUrl(folder, value.trim()));
  };

  return (
    <form role="search" class="search" onSubmit={onSubmit} aria-label="Search mail">
      <label class="sr-only" for={`${hintId}-q`}>
        Search mail
      </label>
      <span class="search-icon">
        <Icon name="search" />
      </span>
      <input
        id={`${hintId}-q`}
        ref={inputRef}
        type="search"
        name="q"
        value={value}
        onInput={(event) => setValue(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && value === '' && q) go(mailUrl(folder, ''));
        }}
        placeholder={SEARCH_HINT}
        title={`Search operators: ${SEARCH_HINT}`}
        aria-describedby={hintId}
        autoComplete="off"
        spellcheck={false}
        enterKeyHint="search"
      />
      <span id={hintId} class="sr-only">
        Search words, or use {SEARCH_HINT} Dates are YYYY-MM-DD. Press Enter to search.
      </span>
    </form>
  );
}

const SHORTCUTS: readonly [string, string][] = [
  ['j', 'Next message'],
  ['k', 'Previous message'],
  ['r', 'Reply'],
  ['a', 'Reply all'],
  ['f', 'Forward'],
  ['c', 'Compose'],
  ['/', 'Search'],
  ['u', 'Back to the list'],
  ['?', 'This help'],
];

function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} size="small">
      <p>They work when the cursor isn't in a text field.</p>
      <dl class="shortcuts">
        {SHORTCUTS.map(([key, label]) => (
          <div key={key}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{label}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
