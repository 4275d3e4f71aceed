/** Portal icons (24×24 strokes, `currentColor`), decorative like the shared ones. */
const PATHS = {
  compose: 'M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0',
  inbox: 'M3 13h5l1.5 3h5L16 13h5M5 5h14l2 8v6H3v-6z',
  sent: 'M3 11l18-8-7 18-3-7zM11 14l4-4',
  reply: 'M10 8V4L3 11l7 7v-4c5 0 8 1.5 11 5-1-6-4-10-11-11z',
  replyAll: 'M7 8V5l-5 6 5 6v-3M13 9V5l-6 6 6 6v-4c4.5 0 7 1.5 9 4-1-5.5-3.5-8-9-8z',
  forward: 'M14 8V4l7 7-7 7v-4c-5 0-8 1.5-11 5 1-6 4-10 11-11z',
  unread: 'M3 6h18v12H3zM3 6l9 7 9-7',
  back: 'M15 5l-7 7 7 7',
  clip: 'M20 11.5l-8.5 8.5a5 5 0 0 1-7-7L13 4.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4L14.5 7.6',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7',
  keyboard: 'M3 6h18v12H3zM7 10h.01M11 10h.01M15 10h.01M7 14h10',
  image: 'M4 5h16v14H4zM4 16l5-5 4 4 3-3 4 4M15 9h.01',
  x: 'M6 6l12 12M18 6L6 18',
} as const;

export type PortalIconName = keyof typeof PATHS;

export function PIcon({ name, label }: { name: PortalIconName; label?: string }) {
  return (
    <svg
      class="icon"
      viewBox="0 0 24 24"
      aria-hidden={label ? undefined : 'true'}
      role={label ? 'img' : undefined}
      aria-label={label}
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
