import { browser } from 'wxt/browser';
import { pageRequestSchema, PAGE_EVENT } from '@/lib/messages/envelopes';
import type { HostEvent } from '@/lib/messages/events';
import { requestSchema, type Response } from '@/lib/messages/requests';
import { createChromeDbChannel } from '@/lib/platform/db-channel-chrome';
import { chromeOffscreenApi, createOffscreenGuard } from '@/lib/platform/offscreen';

export default defineBackground(() => {
  const channel = createChromeDbChannel({
    guard: createOffscreenGuard(chromeOffscreenApi(chrome, '/offscreen.html')),
    onConnect: chrome.runtime.onConnect,
    onEvent: (event: HostEvent) => {
      // No open page is not an error: the next page to open reads the current state anyway.
      browser.runtime.sendMessage({ channel: PAGE_EVENT, event }).catch(() => {});
    },
  });

  browser.runtime.onMessage.addListener((raw: unknown, _sender, sendResponse: (r: Response) => void) => {
    const env = pageRequestSchema.safeParse(raw);
    if (!env.success) return false; // another channel's message
    const req = requestSchema.safeParse(env.data.request);
    if (!req.success) {
      sendResponse({ ok: false, error: { code: 'bad_request', message: 'Malformed request.' } });
      return false;
    }
    void channel.request(req.data).then(sendResponse);
    return true; // answer asynchronously
  });
});
