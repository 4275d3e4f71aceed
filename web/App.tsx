import { ConsoleApp } from './console/ConsoleApp';
import { Landing } from './Landing';
import { PortalApp } from './portal/PortalApp';
import { NotFound } from './shared/NotFound';
import { CardLayout, SkipLink } from './shared/page';
import { segments, usePath } from './shared/router';

export function App() {
  const path = usePath();
  const [area, ...rest] = segments(path);

  if (area === undefined) return <Landing />;
  if (area === 'console') return <ConsoleApp path={rest} />;
  if (area === 'portal') return <PortalApp path={rest} />;
  return (
    <>
      <SkipLink />
      <CardLayout brand="XtraMail">
        <NotFound path={path} />
      </CardLayout>
    </>
  );
}
