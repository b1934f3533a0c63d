import { createChromeDbChannel } from '@/lib/platform/db-channel-chrome';
import { createFirefoxDbChannel } from '@/lib/platform/db-channel-firefox';
import { chromeOffscreenApi, createOffscreenGuard } from '@/lib/platform/offscreen';
import { broadcastToPages, installPageRouter } from '@/lib/platform/page-router';
import { installCaptureMenus, installSidePanelCommand } from '@/lib/platform/capture-menus';
import { createToolbarBadge, dueCount, installDueBadgeAlarm } from '@/lib/platform/toolbar-badge';
import type { HostEvent } from '@/lib/messages/events';
import { spawnDbWorker } from '@/lib/platform/spawn-db-worker';

// Chrome: the service worker cannot start Workers, so the DB host lives in an offscreen document.
// Firefox: the MV3 background is an event page, which starts the DB Worker itself.
// An ES module background: in the classic (IIFE) build Vite inlined the SQLite .wasm into Firefox's
// worker as base64 (the add-on was 3.4 MB instead of 1.8 MB).
export default defineBackground({
  type: 'module',
  main() {
    // Every change (local or synced) also refreshes the toolbar badge's due count (issue 12).
    const onEvent = (e: HostEvent) => {
      broadcastToPages(e);
      if (e.kind === 'todos.changed') void badge.refresh();
    };
    const channel = import.meta.env.FIREFOX
      ? createFirefoxDbChannel({ spawn: spawnDbWorker, onEvent, alarms: browser.alarms })
      : createChromeDbChannel({
          guard: createOffscreenGuard(chromeOffscreenApi(chrome, '/offscreen.html')),
          onConnect: chrome.runtime.onConnect,
          onEvent,
        });
    const badge = createToolbarBadge({ action: browser.action, count: () => dueCount(channel) });
    installPageRouter(channel);
    // A device in a circle syncs from browser start (and after an update), not only once a page
    // opens: asking the worker anything starts it (Chrome: creates the offscreen document), and the
    // worker starts the circle's engine as it opens.
    const wake = () => void channel.request({ kind: 'circle.status' });
    browser.runtime.onStartup.addListener(wake);
    browser.runtime.onInstalled.addListener(wake);
    // Context menu "Add to Todo-Tasker" and the side-panel shortcut (issue 12).
    const capture = installCaptureMenus({
      menus: browser.contextMenus,
      onInstalled: browser.runtime.onInstalled,
      channel,
      feedback: (ok) => badge.flash(ok),
    });
    if (!import.meta.env.FIREFOX) installSidePanelCommand();
    installDueBadgeAlarm(browser.alarms, badge);
    void badge.refresh();
    // Tests click a menu item the way the browser would; production builds have no such hook.
    if (import.meta.env.MODE !== 'production') Object.assign(globalThis, { ttCapture: capture });
  },
});
