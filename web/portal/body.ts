import frameCss from './frame.css?url';
import type { Attachment } from './model';

export interface FrameDocument {
  srcdoc: string;
  /** The message loads images from the internet (blocked until the person allows them). */
  hasRemoteImages: boolean;
}

const REMOTE_URL = /url\(\s*['"]?\s*(?:https?:)?\/\//i;

/**
 * The complete document for the sandboxed reading-pane iframe: the server-sanitized HTML with
 * `cid:` images pointed at their attachments' short-lived URLs, under its own CSP that blocks
 * remote content unless `showImages`, links opening in a new tab, and the default stylesheet.
 */
export function buildFrameDocument(
  html: string,
  attachments: Attachment[],
  showImages: boolean,
): FrameDocument {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const byCid = new Map<string, string>();
  for (const a of attachments) {
    if (a.contentId && a.url && !a.withheld)
      byCid.set(a.contentId.replace(/^<|>$/g, '').toLowerCase(), a.url);
  }

  const imageOrigins = new Set<string>();
  let hasRemoteImages = false;
  for (const img of Array.from(
    doc.querySelectorAll<HTMLElement>('img[src], [background], img[srcset], source[srcset]'),
  )) {
    const src = img.getAttribute('src') ?? img.getAttribute('background') ?? '';
    if (/^cid:/i.test(src)) {
      const url = byCid.get(decodeURIComponent(src.slice(4)).replace(/^<|>$/g, '').toLowerCase());
      if (url) {
        img.setAttribute('src', url);
        const origin = originOf(url);
        if (origin) imageOrigins.add(origin);
      }
    } else if (/^(https?:)?\/\//i.test(src) || img.hasAttribute('srcset')) {
      hasRemoteImages = true;
    }
  }
  if (!hasRemoteImages) {
    for (const el of Array.from(doc.querySelectorAll('[style], style'))) {
      const css = el.tagName === 'STYLE' ? (el.textContent ?? '') : (el.getAttribute('style') ?? '');
      if (REMOTE_URL.test(css)) {
        hasRemoteImages = true;
        break;
      }
    }
  }

  // The message must not set its own base, refresh, or policy.
  for (const el of Array.from(doc.querySelectorAll('base, meta[http-equiv], link, script'))) el.remove();

  // Mail designed with its own colours is shown on white, as its sender saw it.
  const setsColours = /\b(?:color|background(?:-color)?)\s*:|\b(?:bgcolor|color|text)\s*=/i.test(html);
  if (setsColours) doc.documentElement.classList.add('light');

  const appOrigin = location.origin;
  const imgSrc = ['data:', 'cid:', ...imageOrigins, ...(showImages ? ['https:', 'http:'] : [])].join(' ');
  const csp = `default-src 'none'; img-src ${imgSrc}; style-src 'unsafe-inline' ${appOrigin}; font-src data:`;
  const head = doc.head;
  const first = head.firstChild;
  const add = (tag: string, attributes: Record<string, string>) => {
    const el = doc.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    head.insertBefore(el, first);
  };
  add('meta', { charset: 'utf-8' });
  add('meta', { 'http-equiv': 'Content-Security-Policy', content: csp });
  add('meta', { name: 'referrer', content: 'no-referrer' });
  add('base', { target: '_blank' });
  add('link', { rel: 'stylesheet', href: new URL(frameCss, location.href).href });
  return { srcdoc: `<!doctype html>${doc.documentElement.outerHTML}`, hasRemoteImages };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
