import { createChromeDbChannel } from '@/lib/platform/db-channel-chrome';
import { createFirefoxDbChannel } from '@/lib/platform/db-channel-firefox';
import { chromeOffscreenApi, createOffscreenGuard } from '@/lib/platform/offscreen';
import { broadcastToPages, installPageRouter } from '@/lib/platform/page-router';
import { spawnDbWorker } from '@/lib/platform/spawn-db-worker';

// Chrome: the service worker cannot start Workers, so the DB host lives in an offscreen document.
// Firefox: the MV3 background is an event page, which starts the DB Worker itself.
export default defineBackground({
  main() {
    if (import.meta.env.FIREFOX) {
      installPageRouter(
        createFirefoxDbChannel({ spawn: spawnDbWorker, onEvent: broadcastToPages, alarms: browser.alarms }),
      );
      return;
    }
    installPageRouter(
      createChromeDbChannel({
        guard: createOffscreenGuard(chromeOffscreenApi(chrome, '/offscreen.html')),
        onConnect: chrome.runtime.onConnect,
        onEvent: broadcastToPages,
      }),
    );
  },
});
