import { createChromeDbChannel } from '@/lib/platform/db-channel-chrome';
import { chromeOffscreenApi, createOffscreenGuard } from '@/lib/platform/offscreen';
import { broadcastToPages, installPageRouter } from '@/lib/platform/page-router';

// Chrome: the service worker cannot start Workers, so the DB host lives in an offscreen document.
// A Firefox background page would instead call installPageRouter(createDbHost({ spawn: spawnDbWorker,
// onEvent: broadcastToPages })) directly.
export default defineBackground(() => {
  installPageRouter(
    createChromeDbChannel({
      guard: createOffscreenGuard(chromeOffscreenApi(chrome, '/offscreen.html')),
      onConnect: chrome.runtime.onConnect,
      onEvent: broadcastToPages,
    }),
  );
});
