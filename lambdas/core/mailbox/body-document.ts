import { messageContent, type MailboxDeps } from './read-message';

/** What the message document may do, as the portal's iframe allows it: open links in a new tab. */
const BODY_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

/**
 * The default look of a message. Inline: the document's own CSP allows inline styles only (the
 * mail's `style=""` attributes need that anyway) and nothing from elsewhere.
 */
const STYLESHEET = [
  ':root{color-scheme:light dark}',
  // Mail designed with its own colours is shown on white, as its sender saw it.
  ':root.light{color-scheme:light;background:#fff;color:#1f2328}',
  "body{margin:16px;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue','Noto Sans','Liberation Sans',Arial,sans-serif;overflow-wrap:break-word}",
  'img{max-width:100%;height:auto}',
  'table{max-width:100%}',
  'pre{white-space:pre-wrap;overflow-wrap:anywhere}',
  'body>pre.text{margin:0;font:14px/1.55 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}',
  'blockquote{margin:0 0 0 4px;padding-left:12px;border-left:3px solid #8b949e}',
  'a{color:#0a58ca}',
  '@media (prefers-color-scheme:dark){:root:not(.light) a{color:#6cb0ff}}',
].join('');

const SETS_COLOURS = /\b(?:color|background(?:-color)?)\s*:|\b(?:bgcolor|color|text)\s*=/i;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const unescapeHtml = (text: string) =>
  text
    .replace(/&#x([0-9a-f]{1,6});/gi, (_, hex) => String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff)))
    .replace(/&#(\d{1,7});/g, (_, code) => String.fromCodePoint(Math.min(Number(code), 0x10ffff)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** `<Part.1@host>`, `part.1@host` and `cid:part%2E1@host` all name the same part. */
function normalizeContentId(id: string): string {
  let decoded = id;
  try {
    decoded = decodeURIComponent(id);
  } catch {
    // Not percent-encoded after all: compare as written.
  }
  return decoded.trim().replace(/^<|>$/g, '').toLowerCase();
}

/**
 * The sanitized HTML with `cid:` image sources pointed at their attachments' links. Remote
 * sources stay only when `images` (the CSP blocks them anyway; without a source the browser
 * does not even try), `data:` ones stay, and any other (a relative URL would point into this
 * API, an unknown `cid:` nowhere) is left out. Sanitizing (at intake) re-serialized the HTML:
 * every attribute is double-quoted and entity-escaped, and no `<` survives outside a tag, so a
 * pattern over `<img … src="…">` finds exactly the images' sources.
 */
function resolveImages(html: string, urlsByContentId: Map<string, string>, images: boolean) {
  const origins = new Set<string>();
  const resolved = html.replace(/(<img\b[^>]*?)\ssrc="([^"]*)"/gi, (whole, start: string, src: string) => {
    if (/^data:/i.test(src) || (images && /^https?:\/\//i.test(src))) return whole;
    const url = /^cid:/i.test(src) && urlsByContentId.get(normalizeContentId(unescapeHtml(src.slice(4))));
    if (!url) return start;
    origins.add(new URL(url).origin);
    return `${start} src="${escapeHtml(url)}"`;
  });
  return { html: resolved, origins };
}

/**
 * A message's body as a complete document of its own, for the portal's sandboxed iframe: the
 * sanitized HTML (inline images resolved to their attachments, remote ones only when `images`),
 * or the text when there is no HTML, with the default stylesheet. Its CSP lets nothing run, loads
 * images only from the mail bucket (and the internet only when `images`), and sandboxes the
 * document even when it is opened on its own.
 * Reading the body this way does not mark the message read.
 */
export async function messageBodyDocument(
  deps: MailboxDeps,
  mailbox: string,
  id: string,
  options: { images: boolean },
): Promise<{ document: string; contentSecurityPolicy: string }> {
  const { html, text, attachments } = await messageContent(deps, mailbox, id);
  const urlsByContentId = new Map<string, string>();
  for (const attachment of attachments) {
    if (attachment.contentId && attachment.url)
      urlsByContentId.set(normalizeContentId(attachment.contentId), attachment.url);
  }
  const { html: body, origins } = html
    ? resolveImages(html, urlsByContentId, options.images)
    : { html: `<pre class="text">${escapeHtml(text.replace(/^(?:[ \t]*\r?\n)+/, ''))}</pre>`, origins: [] };
  const light = !!html && SETS_COLOURS.test(html);
  const document =
    `<!doctype html><html${light ? ' class="light"' : ''}><meta charset="utf-8"><base target="_blank">` +
    `<style>${STYLESHEET}</style><body>${body}</body></html>`;
  const imgSrc = ['data:', ...origins, ...(options.images ? ['https:', 'http:'] : [])].join(' ');
  const contentSecurityPolicy = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `img-src ${imgSrc}`,
    'font-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    `sandbox ${BODY_SANDBOX}`,
  ].join('; ');
  return { document, contentSecurityPolicy };
}
