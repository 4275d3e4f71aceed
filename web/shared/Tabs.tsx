import { Link } from './router';

interface TabsProps {
  /** Names the navigation, e.g. "example.com sections". */
  label: string;
  items: { href: string; label: string }[];
  current: string;
}

/**
 * Tabs that are real links: each has its own URL, opens in a new tab, and works with back and
 * forward. The current one is marked with `aria-current="page"`.
 */
export function Tabs({ label, items, current }: TabsProps) {
  return (
    <nav class="tabs" aria-label={label}>
      <ul>
        {items.map((item) => (
          <li key={item.href}>
            <Link href={item.href} class="tab" current={item.href === current}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
