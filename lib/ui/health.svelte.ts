/** The one storage message a page shows in its alert, from failed requests and host health events. */
import type { HostEvent } from '../messages/events';
import { isStorageError, type HostError } from '../messages/requests';

export function createHealth() {
  let message = $state('');
  return {
    get message() {
      return message;
    },
    /** Storage failures go to the alert; input errors stay next to their field (the caller's job). */
    report(error: HostError) {
      if (isStorageError(error.code)) message = error.message;
    },
    onEvent(e: HostEvent) {
      if (e.kind === 'db.health') message = e.state === 'ready' ? '' : e.message;
    },
    clear() {
      message = '';
    },
  };
}
export type Health = ReturnType<typeof createHealth>;
