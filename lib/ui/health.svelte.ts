/** The one storage message a page shows in its alert, from failed requests and host health events. */
import type { TodoClient } from '../messages/client';
import type { HostEvent } from '../messages/events';
import type { HostError } from '../messages/requests';
import { createHealthState } from './health-state';

export function createHealth() {
  let message = $state('');
  const state = createHealthState((m) => (message = m));
  return {
    get message() {
      return message;
    },
    /** Storage failures go to the alert; input errors stay next to their field (the caller's job). */
    report(error: HostError) {
      state.report(error);
    },
    onEvent(e: HostEvent) {
      if (e.kind === 'db.health') state.health(e.state, e.message);
    },
    clear() {
      state.clear();
    },
    /**
     * The page's client, whose answers to requests sent after a "not answering" take it off the
     * alert, whichever part of the page asked: a retry that gets through otherwise leaves it on screen.
     */
    watch(client: TodoClient): TodoClient {
      return {
        onEvent: (fn) => client.onEvent(fn),
        send: async (req) => {
          const seq = state.sending();
          const r = await client.send(req);
          state.answered(seq, r.ok ? null : r.error);
          return r;
        },
      };
    },
  };
}
export type Health = ReturnType<typeof createHealth>;
