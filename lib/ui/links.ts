/**
 * Text with its web links marked, for rendering descriptions: only `http:` and `https:` URLs become
 * links, so a stored `javascript:` or `data:` URL is shown as the text it is and can never run.
 * Rendered by Svelte as text and `<a href>` nodes, never as HTML.
 */
export type TextPart = { text: string; href?: undefined } | { text: string; href: string };

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Sentence punctuation after a URL is not part of it ("see https://x.test/a."). */
const TRAILING = /[.,;:!?)\]}'"]$/;
const count = (s: string, c: string) => s.split(c).length - 1;

function safeHref(candidate: string): string | null {
  try {
    const u = new URL(candidate);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

export function linkParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    while (TRAILING.test(url)) {
      // A closing parenthesis whose opening one is in the URL belongs to it (Wikipedia-style links).
      if (url.endsWith(')') && count(url, '(') >= count(url, ')')) break;
      url = url.slice(0, -1);
    }
    const href = safeHref(url);
    if (!href) continue;
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ text: url, href });
    last = m.index + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
