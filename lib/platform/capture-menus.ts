/**
 * Context-menu capture and the side-panel shortcut, for Chrome and Firefox (both expose
 * `contextMenus`; Firefox's `menus` is the same API). Listeners are added synchronously at start-up:
 * an MV3 service worker or event page woken by a click only delivers it to listeners registered in
 * its first turn. Items are created at install and persist across restarts of the background.
 */
import {
  MENU_ITEMS,
  todoFromMenuClick,
  type MenuClick,
  type MenuContext,
  type MenuTab,
} from '../capture/menu-capture';
import type { CreateInput } from '../messages/todo-schema';
import type { DbChannel } from './page-router';

/** The slice of `browser.contextMenus` used here, so tests can pass a fake. */
export interface MenusApi {
  removeAll(): Promise<void>;
  create(item: { id: string; title: string; contexts: [MenuContext, ...MenuContext[]] }): unknown;
  onClicked: { addListener(fn: (info: MenuClick, tab?: MenuTab) => void): void };
}

export interface CaptureDeps {
  menus: MenusApi;
  onInstalled: { addListener(fn: () => void): void };
  channel: DbChannel;
  /** Tells the person the todo was saved (or not) without opening anything: the toolbar badge. */
  feedback(ok: boolean): void | Promise<void>;
}

export function installCaptureMenus({ menus, onInstalled, channel, feedback }: CaptureDeps) {
  onInstalled.addListener(() => {
    // An update may rename items; start from none so a create never fails on a duplicate id.
    void menus.removeAll().then(() => {
      for (const item of MENU_ITEMS) menus.create({ ...item, contexts: [...item.contexts] });
    });
  });
  const onClick = async (info: MenuClick, tab?: MenuTab): Promise<CreateInput | null> => {
    const input = todoFromMenuClick(info, tab);
    if (!input) return null;
    const r = await channel.request({ kind: 'todos.create', input });
    await feedback(r.ok);
    return r.ok ? input : null;
  };
  menus.onClicked.addListener((info, tab) => void onClick(info, tab));
  return { onClick };
}

/**
 * Chrome has no reserved command for the side panel (Firefox's `_execute_sidebar_action` needs no
 * code): `open-side-panel` opens it for the window the shortcut was pressed in. `sidePanel.open`
 * must be called inside the gesture, so nothing is awaited first (Chrome 116+).
 */
export function installSidePanelCommand(): void {
  chrome.commands.onCommand.addListener((command, tab) => {
    if (command !== 'open-side-panel' || tab?.windowId === undefined) return;
    chrome.sidePanel.open({ windowId: tab.windowId }).catch(() => {});
  });
}
