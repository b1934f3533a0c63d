/**
 * Capture from any page (issue 12): the context-menu items and what a click on one saves. Pure, so
 * Node tests can click an item the way the browser does; lib/platform/capture-menus.ts wires it to
 * `contextMenus` and `commands`.
 *
 * A todo has no URL field (adding one would change the sync protocol and every backup format), so
 * the URL goes in the description, which shows http(s) URLs as links and anything else, such as a
 * `javascript:` URL, as plain text (lib/ui/links.ts).
 */
import type { CreateInput } from '../messages/todo-schema';

export const MENU_TITLE = 'Add to Todo-Tasker';

export type MenuContext = 'selection' | 'link' | 'page';

/** `contexts` use the names both browsers share. "page" applies only where no other context does. */
export const MENU_ITEMS = [
  { id: 'tt-add-selection', title: MENU_TITLE, contexts: ['selection'] },
  // A selected link shows both items; this title tells them apart.
  { id: 'tt-add-link', title: 'Add link to Todo-Tasker', contexts: ['link'] },
  { id: 'tt-add-page', title: MENU_TITLE, contexts: ['page'] },
] as const satisfies readonly { id: string; title: string; contexts: readonly MenuContext[] }[];
export type MenuItemId = (typeof MENU_ITEMS)[number]['id'];

/** What a click reports: the fields of `contextMenus.OnClickData` and `tabs.Tab` this reads. */
export interface MenuClick {
  menuItemId: string | number;
  selectionText?: string;
  linkUrl?: string;
  /** Firefox only; Chrome does not say a link's text. */
  linkText?: string;
  pageUrl?: string;
}
export interface MenuTab {
  title?: string;
  url?: string;
}

/** Titles stay readable in a row; longer text keeps its whole self in the description. */
export const CAPTURE_TITLE_MAX = 200;

const oneLine = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

function shorten(text: string): { title: string; cut: boolean } {
  if (text.length <= CAPTURE_TITLE_MAX) return { title: text, cut: false };
  const head = text.slice(0, CAPTURE_TITLE_MAX - 1);
  const space = head.lastIndexOf(' ');
  return { title: `${space > CAPTURE_TITLE_MAX / 2 ? head.slice(0, space) : head}…`, cut: true };
}

/** A URL shown as a title when there is nothing better: no scheme, no trailing slash. */
function urlAsTitle(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/$/, '');
}

function build(text: string, url: string | undefined, full?: string): CreateInput | null {
  const { title, cut } = shorten(text);
  if (!title) return null;
  // A cut title, or a selection over several lines, keeps its whole text above the URL.
  const whole = full !== undefined && (cut || /\n/.test(full.trim())) ? full.trim() : cut ? text : '';
  const parts = [whole, url ?? ''].filter(Boolean);
  return { title, description: parts.length ? parts.join('\n\n') : null };
}

/** The todo a click on one of MENU_ITEMS creates, or null when there is nothing to make one from. */
export function todoFromMenuClick(info: MenuClick, tab: MenuTab | undefined): CreateInput | null {
  const pageUrl = info.pageUrl ?? tab?.url;
  switch (info.menuItemId) {
    case 'tt-add-selection':
      // The page it came from goes with it, as in Todoist's and TickTick's extensions.
      return build(oneLine(info.selectionText), pageUrl, info.selectionText);
    case 'tt-add-link': {
      if (!info.linkUrl) return null;
      const text = oneLine(info.linkText) || oneLine(info.selectionText) || urlAsTitle(info.linkUrl);
      return build(text, info.linkUrl);
    }
    case 'tt-add-page':
      if (!pageUrl) return null;
      return build(oneLine(tab?.title) || urlAsTitle(pageUrl), pageUrl);
    default:
      return null;
  }
}
