import { describe, expect, it } from 'vitest';
import {
  CAPTURE_TITLE_MAX,
  MENU_ITEMS,
  todoFromMenuClick,
  type MenuClick,
  type MenuTab,
} from '../../lib/capture/menu-capture';
import type { DbChannel } from '../../lib/platform/page-router';
import { installCaptureMenus, type MenusApi } from '../../lib/platform/capture-menus';
import type { Request } from '../../lib/messages/requests';
import { linkParts } from '../../lib/ui/links';

/** A browser's contextMenus as far as capture uses it: records items, lets a test click one. */
function fakeBrowser() {
  const items: { id: string; title: string; contexts: string[] }[] = [];
  let click: ((info: MenuClick, tab?: MenuTab) => void) | undefined;
  let installed: (() => void) | undefined;
  const menus: MenusApi = {
    removeAll: async () => void items.splice(0),
    create: (item) => items.push(item),
    onClicked: { addListener: (fn) => void (click = fn) },
  };
  const sent: Request[] = [];
  const channel: DbChannel = {
    request: async (req) => {
      sent.push(req);
      return { ok: true, data: null };
    },
  };
  const feedback: boolean[] = [];
  const capture = installCaptureMenus({
    menus,
    onInstalled: { addListener: (fn) => void (installed = fn) },
    channel,
    feedback: (ok) => void feedback.push(ok),
  });
  return {
    items,
    sent,
    feedback,
    capture,
    install: () => installed?.(),
    click: (i: MenuClick, t?: MenuTab) => click?.(i, t),
  };
}

describe('context-menu capture', () => {
  it('creates the items at install with their contexts', async () => {
    const b = fakeBrowser();
    expect(b.items).toEqual([]);
    b.install();
    await new Promise((r) => setTimeout(r));
    expect(b.items).toEqual([
      { id: 'tt-add-selection', title: 'Add to Todo-Tasker', contexts: ['selection'] },
      { id: 'tt-add-link', title: 'Add link to Todo-Tasker', contexts: ['link'] },
      { id: 'tt-add-page', title: 'Add to Todo-Tasker', contexts: ['page'] },
    ]);
    // Installing again (an update) does not duplicate them.
    b.install();
    await new Promise((r) => setTimeout(r));
    expect(b.items).toHaveLength(MENU_ITEMS.length);
  });

  it('saves a selection as the title, with the page it came from', async () => {
    const b = fakeBrowser();
    b.click(
      {
        menuItemId: 'tt-add-selection',
        selectionText: '  Renew the  passport ',
        pageUrl: 'https://gov.example/renew',
      },
      { title: 'Renew', url: 'https://gov.example/renew' },
    );
    await new Promise((r) => setTimeout(r));
    expect(b.sent).toEqual([
      {
        kind: 'todos.create',
        input: { title: 'Renew the passport', description: 'https://gov.example/renew' },
      },
    ]);
    expect(b.feedback).toEqual([true]);
  });

  it('saves a link with its text as the title and its URL', async () => {
    const b = fakeBrowser();
    const r = await b.capture.onClick(
      {
        menuItemId: 'tt-add-link',
        linkUrl: 'https://news.example/a?id=1',
        linkText: 'Read this',
        pageUrl: 'https://news.example/',
      },
      { title: 'News' },
    );
    expect(r).toEqual({ title: 'Read this', description: 'https://news.example/a?id=1' });
  });

  it('names a link by its URL where the browser does not give its text (Chrome)', () => {
    expect(
      todoFromMenuClick({ menuItemId: 'tt-add-link', linkUrl: 'https://docs.example/guide/' }, undefined),
    ).toEqual({
      title: 'docs.example/guide',
      description: 'https://docs.example/guide/',
    });
  });

  it('saves a page with its title and URL', () => {
    expect(
      todoFromMenuClick(
        { menuItemId: 'tt-add-page', pageUrl: 'https://shop.example/p/1' },
        { title: 'Blue kettle – Shop' },
      ),
    ).toEqual({ title: 'Blue kettle – Shop', description: 'https://shop.example/p/1' });
  });

  it('keeps a long or multi-line selection whole in the description and a short title', () => {
    const long = `${'word '.repeat(80)}end`;
    const t = todoFromMenuClick(
      { menuItemId: 'tt-add-selection', selectionText: long, pageUrl: 'https://a.example/' },
      undefined,
    );
    expect(t!.title.length).toBeLessThanOrEqual(CAPTURE_TITLE_MAX);
    expect(t!.title.endsWith('…')).toBe(true);
    expect(t!.description).toBe(`${long}\n\nhttps://a.example/`);
    const lines = todoFromMenuClick(
      { menuItemId: 'tt-add-selection', selectionText: 'Milk\nEggs' },
      undefined,
    );
    expect(lines).toEqual({ title: 'Milk Eggs', description: 'Milk\nEggs' });
  });

  it('stores a javascript: link as text, which is never shown as a link', () => {
    const t = todoFromMenuClick(
      { menuItemId: 'tt-add-link', linkUrl: 'javascript:alert(1)', linkText: 'Click me' },
      undefined,
    );
    expect(t).toEqual({ title: 'Click me', description: 'javascript:alert(1)' });
    expect(linkParts(t!.description!)).toEqual([{ text: 'javascript:alert(1)' }]);
  });

  it('makes nothing from an empty selection, a link without URL or an unknown item', () => {
    expect(todoFromMenuClick({ menuItemId: 'tt-add-selection', selectionText: '   ' }, undefined)).toBeNull();
    expect(todoFromMenuClick({ menuItemId: 'tt-add-link' }, undefined)).toBeNull();
    expect(todoFromMenuClick({ menuItemId: 'other', selectionText: 'x' }, undefined)).toBeNull();
  });
});

describe('links in text', () => {
  it('marks http and https URLs, without trailing punctuation', () => {
    expect(linkParts('See https://x.example/a. And http://y.example/b?c=1, ok')).toEqual([
      { text: 'See ' },
      { text: 'https://x.example/a', href: 'https://x.example/a' },
      { text: '. And ' },
      { text: 'http://y.example/b?c=1', href: 'http://y.example/b?c=1' },
      { text: ', ok' },
    ]);
    expect(linkParts('(https://en.example/wiki/A_(b))')[1]).toEqual({
      text: 'https://en.example/wiki/A_(b)',
      href: 'https://en.example/wiki/A_(b)',
    });
  });

  it('never marks another scheme', () => {
    for (const s of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      'file:///etc/passwd',
    ])
      expect(linkParts(s)).toEqual([{ text: s }]);
    expect(
      linkParts('javascript:location="https://x.example"').every(
        (p) => !p.href || p.href.startsWith('https:'),
      ),
    ).toBe(true);
  });

  it('gives back the text unchanged when its parts are joined', () => {
    const s = 'a https://x.example b http://y.example/(c) d.';
    expect(
      linkParts(s)
        .map((p) => p.text)
        .join(''),
    ).toBe(s);
  });
});
