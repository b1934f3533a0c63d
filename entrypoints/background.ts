import { createChromeDbChannel } from '@/lib/platform/db-channel-chrome';
import { createFirefoxDbChannel } from '@/lib/platform/db-channel-firefox';
import { chromeOffscreenApi, createOffscreenGuard } from '@/lib/platform/offscreen';
import { broadcastToPages, installPageRouter } from '@/lib/platform/page-router';
import { installCaptureMenus, installSidePanelCommand } from '@/lib/platform/capture-menus';
import {
  createToolbarBadge,
  DUE_BADGE_ALARM,
  dueCount,
  installDueBadgeAlarm,
} from '@/lib/platform/toolbar-badge';
import { createPreferences, onPreferencesChanged, REMINDER_PERMISSION } from '@/lib/platform/preferences';
import { createReminders, type NotificationsApi, type NoticeOptions } from '@/lib/platform/reminders';
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
      if (e.kind !== 'todos.changed') return;
      void badge.refresh();
      void reminders.reconcile();
    };
    const channel = import.meta.env.FIREFOX
      ? createFirefoxDbChannel({ spawn: spawnDbWorker, onEvent, alarms: browser.alarms })
      : createChromeDbChannel({
          guard: createOffscreenGuard(chromeOffscreenApi(chrome, '/offscreen.html')),
          onConnect: chrome.runtime.onConnect,
          onEvent,
        });
    const prefs = createPreferences(browser.storage.local);
    const badge = createToolbarBadge({
      action: browser.action,
      count: async () => ((await prefs.read()).badge ? dueCount(channel) : 0),
    });
    // Reminders (issue 12): alarms per due time, a notification when one fires.
    const shown: { id: string; options: NoticeOptions }[] = [];
    const reminders = createReminders({
      alarms: browser.alarms,
      // Undefined until the optional permission is granted.
      notifications: () => (browser as unknown as { notifications?: NotificationsApi }).notifications,
      channel,
      enabled: async () =>
        (await prefs.read()).reminders &&
        (await browser.permissions.contains({ permissions: [REMINDER_PERMISSION] })),
      buttons: !import.meta.env.FIREFOX,
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      openList: () => browser.tabs.create({ url: browser.runtime.getURL('/sidepanel.html') }),
      onShown: (id, options) => void shown.push({ id, options }),
    });
    onPreferencesChanged(browser.storage.onChanged, () => {
      void badge.refresh();
      void reminders.reconcile();
    });
    browser.permissions.onAdded.addListener(() => {
      reminders.listen();
      void reminders.reconcile();
    });
    browser.permissions.onRemoved.addListener(() => void reminders.reconcile());
    // The badge's periodic alarm also moves the reminders' window of days on.
    browser.alarms.onAlarm.addListener((a) => {
      if (a.name === DUE_BADGE_ALARM) void reminders.reconcile();
    });
    void reminders.reconcile();
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
    // Likewise a notification's buttons, and they read what the notifications said.
    if (import.meta.env.MODE !== 'production')
      Object.assign(globalThis, { ttCapture: capture, ttReminders: { ...reminders, shown } });
  },
});
