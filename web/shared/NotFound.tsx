import { Page } from './page';
import { Link } from './router';

interface NotFoundProps {
  path: string;
  app?: string;
  home?: { href: string; label: string };
}

export function NotFound({ path, app, home = { href: '/', label: 'Go to the start page' } }: NotFoundProps) {
  return (
    <Page title="Page not found" app={app}>
      <p>
        There is no page at <code class="path">{path}</code>. The link may be out of date, or the address may
        have a typo.
      </p>
      <p>
        <Link href={home.href} class="button button-primary">
          {home.label}
        </Link>
      </p>
    </Page>
  );
}
