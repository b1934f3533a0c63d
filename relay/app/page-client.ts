/**
 * The phone's TodoClient: the page owns its DB worker through the same host the extension's
 * offscreen document uses, with no background in between. Answers are validated exactly as the
 * extension's client validates runtime messages, so components cannot tell the two apart.
 */
import { createDbHost, type WorkerLike } from '../../lib/db/host';
import type { TodoClient } from '../../lib/messages/client';
import type { HostEvent } from '../../lib/messages/events';
import { parseResponse } from '../../lib/messages/requests';

export interface PageClient extends TodoClient {
  close(): void;
}

export function createPageClient(spawn: () => WorkerLike): PageClient {
  const listeners = new Set<(e: HostEvent) => void>();
  const host = createDbHost({
    spawn,
    onEvent: (e) => {
      for (const fn of listeners) fn(e);
    },
  });
  return {
    async send(req) {
      return parseResponse(req.kind, await host.request(req));
    },
    onEvent(fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    close: () => host.close(),
  };
}
