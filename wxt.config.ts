import { defineConfig } from 'wxt';
import { CHROME_EXTENSION_KEY, GECKO_ID } from './lib/extension-identity';

// A fixed public key pins the unpacked extension's id (and so its OPFS data) across builds and
// machines, so dev and test profiles keep their data. Store builds get their id from the store.
// Firefox gets the same pinning from its gecko id; it has no offscreen document or sidePanel API
// (WXT maps the sidepanel entrypoint to `sidebar_action` there).
/**
 * Test builds hold the notifications permission from install: neither Playwright nor WebDriver BiDi
 * can answer the browser's permission prompt (microsoft/playwright#32755), so the e2e tests turn
 * reminders on through Settings with the permission already granted, and the prompt itself stays
 * untested there.
 */
const testPermissions = (mode: string) => (mode === 'test' ? ['notifications'] : []);

export default defineConfig({
  modules: ['@wxt-dev/module-svelte'],
  srcDir: '.',
  // TT_OUT_DIR lets a test run build beside, not over, the build another run is using.
  outDir: process.env.TT_OUT_DIR ?? '.output',
  // WXT defaults Firefox to MV2; both browsers ship the same MV3 add-on.
  manifestVersion: 3,
  manifest: ({ browser, mode }) => ({
    name: 'Todo-Tasker',
    description: 'Offline-first todos with end-to-end encrypted device sync.',
    action: { default_title: 'Todo-Tasker' },
    // Shown and changeable in chrome://extensions/shortcuts and Firefox's "Manage Extension
    // Shortcuts". Alt+Shift+letter keys the browsers do not use themselves (Chrome keeps Alt+Shift+T
    // for its toolbar and silently drops an extension's claim on it).
    commands: {
      _execute_action: {
        suggested_key: { default: 'Alt+Shift+D' },
        description: 'Add a todo (open the popup)',
      },
      ...(browser === 'firefox'
        ? {
            _execute_sidebar_action: {
              suggested_key: { default: 'Alt+Shift+L' },
              description: 'Open the Todo-Tasker sidebar',
            },
          }
        : {
            'open-side-panel': {
              suggested_key: { default: 'Alt+Shift+L' },
              description: 'Open the Todo-Tasker side panel',
            },
          }),
    },
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: GECKO_ID,
              // Firefox 140+ asks add-ons to declare what they collect; this one collects nothing.
              data_collection_permissions: { required: ['none'] },
            },
          },
          // alarms: keeps the event page awake during a sync session (lib/platform/keep-alive-firefox.ts)
          // and refreshes the toolbar badge's due count (lib/platform/toolbar-badge.ts).
          permissions: ['alarms', 'contextMenus', 'storage', ...testPermissions(mode)],
        }
      : {
          key: CHROME_EXTENSION_KEY,
          permissions: [
            'sidePanel',
            'offscreen',
            'contextMenus',
            'alarms',
            'storage',
            ...testPermissions(mode),
          ],
        }),
    // Reminders (issue 12) ask for notifications when the person turns them on (Settings), not at
    // install. storage: the reminder and badge settings (lib/platform/preferences.ts).
    ...(mode === 'test' ? {} : { optional_permissions: ['notifications'] }),
  }),
  zip: {
    // AMO rebuilds the add-on from the sources zip; generated output is not source.
    excludeSources: ['relay/public/**', '.wrangler/**', 'test-results/**', 'playwright-report/**'],
  },
  hooks: {
    // Firefox opens a new add-on's sidebar on install unless told not to; like Chrome's side panel,
    // it opens when the person asks (popup button or the sidebar menu).
    'build:manifestGenerated': (wxt, manifest) => {
      if (wxt.config.browser === 'firefox' && manifest.sidebar_action)
        manifest.sidebar_action.open_at_install = false;
    },
    // The offscreen document only exists to host Chrome's DB worker; Firefox's event page does that.
    'entrypoints:resolved': (wxt, entrypoints) => {
      if (wxt.config.browser !== 'firefox') return;
      const i = entrypoints.findIndex((e) => e.name === 'offscreen');
      if (i >= 0) entrypoints.splice(i, 1);
    },
  },
  vite: () => ({
    // The DB worker imports sqlite-wasm, which has its own chunks; only ES workers can split.
    worker: { format: 'es' },
    // sqlite-wasm resolves its .wasm with import.meta.url; pre-bundling would break that path.
    optimizeDeps: { exclude: ['@sqlite.org/sqlite-wasm'] },
  }),
});
