/** The one storage message a page shows in its alert, from failed requests and host health events. */
import type { TodoClient } from '../messages/client';
import type { HostEvent } from '../messages/events';
import { isStorageError, type HostError } from '../messages/requests';

export function createHealth() {
  let message = $state('');
  /** Whether `message` says nothing answered (`unavailable`): a later request that succeeds disproves it. */
  let unanswered = false;
  return {
    get message() {
      return message;
    },
    /** Storage failures go to the alert; input errors stay next to their field (the caller's job). */
    report(error: HostError) {
      if (!isStorageError(error.code)) return;
      message = error.message;
      unanswered = error.code === 'unavailable';
    },
    onEvent(e: HostEvent) {
      if (e.kind !== 'db.health') return;
      message = e.state === 'ready' ? '' : e.message;
      unanswered = false;
    },
    clear() {
      message = '';
      unanswered = false;
    },
    /**
     * The page's client, whose successful answers take "not answering" off the alert, whichever part
     * of the page asked: a retry that gets through otherwise leaves it on screen. A storage failure
     * (no room, locked) stays: a read that succeeds says nothing about it.
     */
    watch(client: TodoClient): TodoClient {
      return {
        onEvent: (fn) => client.onEvent(fn),
        send: async (req) => {
          const r = await client.send(req);
          if (r.ok && unanswered) {
            message = '';
            unanswered = false;
          }
          return r;
        },
      };
    },
  };
}
export type Health = ReturnType<typeof createHealth>;
