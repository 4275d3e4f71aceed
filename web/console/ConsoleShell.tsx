import type { ComponentChildren } from 'preact';
import { Alert, Button } from '../shared/forms';
import { BrandMark, SkipLink } from '../shared/page';
import { Link } from '../shared/router';
import { useSignOut } from '../shared/session';
import { Toaster } from '../shared/toast';
import { type ConsoleSession, roleLabel, SECTIONS } from './model';

interface ConsoleShellProps {
  session: ConsoleSession;
  section: string;
  onSignOut: () => Promise<void>;
  children: ComponentChildren;
}

export function ConsoleShell({ session, section, onSignOut, children }: ConsoleShellProps) {
  const signOut = useSignOut(onSignOut);

  return (
    <>
      <SkipLink />
      <div class="shell">
        <header class="topbar">
          <Link href="/console/domains" class="brand">
            <BrandMark />
            <span class="brand-text">
              XtraMail <span class="brand-sub">Console</span>
            </span>
          </Link>
          <div class="topbar-user">
            <span class="user-identity">
              <span class="user-email" data-testid="admin-email">
                {session.admin.email}
              </span>
              <span class="badge">{roleLabel(session.admin.role)}</span>
            </span>
            <Button variant="quiet" busy={signOut.busy} onClick={signOut.run}>
              Sign out
            </Button>
          </div>
        </header>
        <nav class="rail" aria-label="Console">
          <ul>
            {SECTIONS.map((item) => (
              <li key={item.slug}>
                <Link href={`/console/${item.slug}`} class="rail-link" current={item.slug === section}>
                  <svg class="rail-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                    <path d={item.icon} />
                  </svg>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" class="shell-main" tabIndex={-1}>
          {signOut.error && (
            <Alert tone="error" title="Couldn't sign out">
              {signOut.error}
            </Alert>
          )}
          {children}
        </main>
        <Toaster />
      </div>
    </>
  );
}
