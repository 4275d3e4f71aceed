import sanitizeHtml from 'sanitize-html';

/** Styles that could fetch something or run something are dropped; the rest of the look stays. */
const UNSAFE_STYLE =
  /url\s*\(|image(-set)?\s*\(|expression\s*\(|@import|javascript:|behavior\s*:|-moz-binding/i;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img',
    'font',
    'center',
    'span',
    'div',
    'table',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'td',
    'th',
    'caption',
    'colgroup',
    'col',
    'u',
    's',
    'strike',
    'sub',
    'sup',
    'small',
    'big',
  ],
  allowedAttributes: {
    '*': ['style', 'align', 'valign', 'width', 'height', 'bgcolor', 'color', 'dir', 'lang', 'title', 'class'],
    a: ['href', 'name', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height', 'border'],
    font: ['face', 'size', 'color'],
    table: ['border', 'cellpadding', 'cellspacing', 'summary'],
    td: ['colspan', 'rowspan', 'nowrap'],
    th: ['colspan', 'rowspan', 'nowrap', 'scope'],
    col: ['span'],
    colgroup: ['span'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
  allowProtocolRelative: false,
  // <style> blocks are dropped with their content: they can reach outside the message's box.
  nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'title', 'head'],
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer' },
    }),
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  onCloseTag: undefined,
};

/**
 * Mail HTML as it may be shown: no scripts, event handlers, forms, frames or embedded objects,
 * and no style that can load or run anything. The portal still renders it in a sandboxed
 * iframe under a CSP that blocks remote content until the user asks for images.
 */
export function sanitizeMailHtml(html: string): string {
  const clean = sanitizeHtml(html, OPTIONS);
  return clean.includes('style=')
    ? clean.replace(/\sstyle="([^"]*)"/gi, (whole, css: string) =>
        UNSAFE_STYLE.test(unescape(css)) ? '' : whole,
      )
    : clean;
}

const codePoint = (n: number) => String.fromCodePoint(Math.min(n, 0x10ffff));

/** Undoes HTML entities and CSS escapes (`u\\72l(` is `url(` to a browser) before judging a style. */
const unescape = (css: string) =>
  css
    .replace(/&#x([0-9a-f]{1,6});?/gi, (_, hex) => codePoint(parseInt(hex, 16)))
    .replace(/&#(\d{1,7});?/g, (_, code) => codePoint(Number(code)))
    .replace(/&lpar;/gi, '(')
    .replace(/&amp;/g, '&')
    .replace(/\\([0-9a-f]{1,6})\s?/gi, (_, hex) => codePoint(parseInt(hex, 16)))
    .replace(/\\(.)/g, '$1');
