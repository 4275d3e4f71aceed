import { sanitizeMailHtml } from '../../lambdas/core/ingest/sanitize-html';

/** Decodes numeric and the few named entities an attacker would use, and drops control chars. */
const decoded = (html: string) =>
  html
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&colon;/gi, ':')
    .replace(/&lpar;/gi, '(')
    .replace(/&tab;|&newline;/gi, '')
    .replace(/&amp;/g, '&')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f]/g, '');

describe('sanitizeMailHtml removes what can run or load', () => {
  test('<script> elements, with their content', () => {
    const clean = sanitizeMailHtml('<p>Hello<script>alert("boom")</script> world</p>');
    expect(clean).toBe('<p>Hello world</p>');
  });

  test('inline event handlers, keeping the element and its text', () => {
    const clean = sanitizeMailHtml(
      '<div onclick="steal()">click</div><img src="https://img.example/a.png" onerror="steal()">',
    );
    expect(clean).not.toMatch(/on\w+=/i);
    expect(clean).toContain('<div>click</div>');
    expect(clean).toContain('src="https://img.example/a.png"');
  });

  test.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    '&#106;avascript:alert(1)',
    'javascript&colon;alert(1)',
  ])('a javascript: href (%s) is dropped, the link text kept', (href) => {
    const clean = sanitizeMailHtml(`<a href="${href}">press</a>`);
    expect(clean).not.toMatch(/href=/);
    expect(decoded(clean).toLowerCase()).not.toContain('javascript');
    expect(clean).toContain('press');
  });

  test('<iframe>, <object>, <embed>, <form> and <input> are gone', () => {
    const clean = sanitizeMailHtml(
      '<p>before</p><iframe src="https://evil.example/"></iframe><object data="x.swf"></object>' +
        '<embed src="x.swf"><form action="https://evil.example/"><input name="password"></form><p>after</p>',
    );
    expect(clean).not.toMatch(/<(iframe|object|embed|form|input)\b/i);
    expect(clean).toBe('<p>before</p><p>after</p>');
  });

  test('<style> blocks are dropped together with their content', () => {
    const clean = sanitizeMailHtml(
      '<style>body { background: url(https://t.example/px) }</style><p>text</p>',
    );
    expect(clean).toBe('<p>text</p>');
  });

  test.each([
    ['url(...)', 'background: url(https://t.example/px.gif)'],
    ['URL(...) in capitals', 'background: URL(https://t.example/px.gif)'],
    ['url (...) after other declarations', 'color: red; background-image: url("https://t.example/px")'],
    ['expression(...)', 'width: expression(alert(1))'],
    ['url&#40; (entity-encoded parenthesis)', 'background: url&#40;https://t.example/px)'],
    ['url&#x28; (hex entity)', 'background: url&#x28;https://t.example/px)'],
    ['url&lpar; (named entity)', 'background: url&lpar;https://t.example/px)'],
    ['expression&#40;', 'width: expression&#40;alert(1))'],
    ['u\\rl( (a CSS escape of a plain letter)', 'background: u\\rl(https://t.example/px)'],
  ])('a style attribute with %s is removed, the element kept', (_, style) => {
    const clean = sanitizeMailHtml(`<p style="${style}">styled</p>`);
    expect(clean).toBe('<p>styled</p>');
  });

  test.each([
    ['@import', "@import 'https://t.example/x.css'"],
    ['&#64;import', "&#64;import 'https://t.example/x.css'"],
    ['@import url(...) after a declaration', 'color: red; @import url(https://t.example/x.css)'],
  ])('a style with %s keeps no @import and no url(', (_, style) => {
    const clean = sanitizeMailHtml(`<p style="${style}">styled</p>`);
    expect(decoded(clean)).not.toContain('@import');
    expect(decoded(clean)).not.toMatch(/url\s*\(/i);
    expect(clean).toContain('styled');
  });
});

describe('sanitizeMailHtml keeps the look of ordinary mail', () => {
  test('tables with their layout attributes', () => {
    const html =
      '<table border="0" cellpadding="4" cellspacing="0" width="600"><tbody>' +
      '<tr><th scope="col">Item</th><th>Price</th></tr>' +
      '<tr><td colspan="2" align="right" bgcolor="#eeeeee">Total</td></tr></tbody></table>';
    expect(sanitizeMailHtml(html)).toBe(html);
  });

  test('inline styles without urls', () => {
    const clean = sanitizeMailHtml('<p style="color: #333; font-weight: bold; margin: 0 auto">Hi</p>');
    expect(clean).toMatch(/<p style="color:\s*#333;\s*font-weight:\s*bold;\s*margin:\s*0 auto">Hi<\/p>/);
  });

  test('links keep their href and open in a new tab', () => {
    const clean = sanitizeMailHtml('<a href="https://example.com/path?q=1" target="_self">site</a>');
    expect(clean).toMatch(/^<a [^>]*>site<\/a>$/);
    expect(clean).toContain('href="https://example.com/path?q=1"');
    expect(clean).toContain('target="_blank"');
    expect(clean).toContain('rel="noopener noreferrer"');
    expect(clean).not.toContain('_self');
  });

  test('mailto: links are kept', () => {
    expect(sanitizeMailHtml('<a href="mailto:bob@example.com">mail</a>')).toContain(
      'href="mailto:bob@example.com"',
    );
  });

  test.each([
    'https://img.example/logo.png',
    'cid:logo@sender.example',
    'data:image/png;base64,iVBORw0KGgo=',
  ])('img with src %s is kept', (src) => {
    expect(sanitizeMailHtml(`<p><img src="${src}" alt="logo"></p>`)).toBe(
      `<p><img src="${src}" alt="logo" /></p>`,
    );
  });

  test('img without a src (or with a src that was removed) is dropped', () => {
    expect(sanitizeMailHtml('<p>a<img alt="nothing">b</p>')).toBe('<p>ab</p>');
    expect(sanitizeMailHtml('<p>a<img src="javascript:alert(1)">b</p>')).toBe('<p>ab</p>');
  });

  test('text content survives, including text inside removed wrappers, and stays escaped', () => {
    const clean = sanitizeMailHtml(
      '<div><form>Dear <b>Bob</b>, 3 &lt; 4 &amp; "quotes"</form><center>centered</center></div>',
    );
    expect(clean).toContain('Dear <b>Bob</b>, 3 &lt; 4 &amp; ');
    expect(clean).toContain('<center>centered</center>');
    expect(clean).not.toContain('<form');
  });
});

test.each([
  'background:u\\72l(https://tracker.test/x.png)',
  'background:u\\000072l(https://tracker.test/x.png)',
  "background:image-set('https://tracker.test/x.png' 1x)",
  'background:url&#x28;https://tracker.test/x.png)',
])('a style that loads something through escapes or other functions is dropped: %s', (style) => {
  const clean = sanitizeMailHtml(`<p style="${style}">hello</p>`);
  expect(clean).toBe('<p>hello</p>');
});

describe('classic XSS vectors', () => {
  test.each([
    '<img src=x onerror=alert(1)>',
    '<IMG SRC=x OnErRoR="alert(1)">',
    '<svg onload=alert(1)><circle r="1"/></svg>',
    '<svg><script>alert(1)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">click</text></a></svg>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="jav&#x0A;ascript:alert(1)">newline</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">hex</a>',
    '<math><mi xlink:href="javascript:alert(1)">math</mi></math>',
    '<body onload=alert(1)>body</body>',
    '<details open ontoggle=alert(1)>details</details>',
    '<video><source onerror="alert(1)"></video>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<p><scr<script>ipt>alert(1)</script></p>',
    '<a href="javascript:alert(1)" onmouseover="alert(2)">both</a>',
    '<object data="javascript:alert(1)"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<div style="background-image: url(javascript:alert(1))">css</div>',
    '<img src="x" style="x:expression(alert(1))">',
  ])('%s', (vector) => {
    const clean = sanitizeMailHtml(vector);
    for (const text of [clean, decoded(clean)]) {
      expect(text).not.toMatch(/\son\w+\s*=/i);
      expect(text.toLowerCase()).not.toContain('javascript:');
      expect(text.toLowerCase()).not.toContain('<script');
      expect(text.toLowerCase()).not.toContain('<svg');
      expect(text.toLowerCase()).not.toMatch(/<(iframe|object|embed|math|meta|base)\b/);
      expect(text.toLowerCase()).not.toContain('expression(');
    }
  });
});
