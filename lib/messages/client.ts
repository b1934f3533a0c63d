/** Page side of the message union: typed requests to the background, validated change events back. */
import { browser } from 'wxt/browser';
import { pageEventSchema, PAGE_REQUEST } from './envelopes';
import type { HostEvent } from './events';
import { parseResponse, type Request, type RequestKind, type Result, type ResultOf } from './requests';

type RequestOf<K extends RequestKind> = Extract<Request, { kind: K }>;

export interface TodoClient {
  send<K extends RequestKind>(req: RequestOf<K>): Promise<Result<ResultOf<K>>>;
  onEvent(fn: (e: HostEvent) => void): () => void;
}

export function createTodoClient(): TodoClient {
  return {
    async send(req) {
      try {
        const raw: unknown = await browser.runtime.sendMessage({ channel: PAGE_REQUEST, request: req });
        return parseResponse(req.kind, raw);
      } catch {
        return {
          ok: false,
          error: {
            code: 'unavailable',
            message: 'Todo-Tasker’s background service is not answering. Please try again.',
          },
        };
      }
    },
    onEvent(fn) {
      const listener = (raw: unknown) => {
        const e = pageEventSchema.safeParse(raw);
        if (e.success) fn(e.data.event);
        // Returning nothing tells Chrome we will not answer; the broadcaster does not wait.
      };
      browser.runtime.onMessage.addListener(listener);
      return () => browser.runtime.onMessage.removeListener(listener);
    },
  };
}
