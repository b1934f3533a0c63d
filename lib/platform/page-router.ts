/**
 * Background side of the page boundary, shared by every browser: validates page requests, hands
 * them to whatever reaches the database (Chrome: the offscreen channel; Firefox: a DB host running
 * right in the background page), and broadcasts host events to open pages.
 */
import { browser } from 'wxt/browser';
import { pageRequestSchema, PAGE_EVENT } from '../messages/envelopes';
import type { HostEvent } from '../messages/events';
import { requestSchema, type Request, type Response } from '../messages/requests';

export interface DbChannel {
  request(req: Request): Promise<Response>;
}

export function installPageRouter(channel: DbChannel): void {
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
}

export function broadcastToPages(event: HostEvent): void {
  // No open page is not an error: the next page to open reads the current state anyway.
  browser.runtime.sendMessage({ channel: PAGE_EVENT, event }).catch(() => {});
}
