/**
 * Firefox's counterpart of the side-panel opener. `sidebarAction` is Firefox-only, so it is absent
 * from the Chrome typings WXT uses; it is looked up and checked at runtime instead of cast.
 * `sidebarAction.open` must be called synchronously inside the user gesture: nothing is awaited first.
 */
import { browser } from 'wxt/browser';

function sidebarOpen(): (() => unknown) | null {
  const api: object = browser;
  if (!('sidebarAction' in api)) return null;
  const sidebar = api.sidebarAction;
  if (typeof sidebar !== 'object' || sidebar === null || !('open' in sidebar)) return null;
  const open = sidebar.open;
  return typeof open === 'function' ? () => open.call(sidebar) : null;
}

export function createFirefoxSidebarOpener() {
  return {
    open(): Promise<void> {
      const open = sidebarOpen();
      if (!open) return Promise.reject(new Error('sidebarAction is not available'));
      return Promise.resolve(open()).then(() => undefined);
    },
  };
}
