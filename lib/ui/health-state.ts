/**
 * The page's one storage alert, as plain logic (lib/ui/health.svelte.ts makes it reactive).
 *
 * - A storage failure (no room, corrupt, locked, an answer the page cannot read) shows until the
 *   database reports itself ready again (a `db.health` event).
 * - "Not answering" (`unavailable`: the worker or the extension's background did not answer) also
 *   goes when a request sent after the failure succeeds: that answer disproves it. A success of a
 *   request sent before the failure proves nothing, and then the storage failure it covered, if any,
 *   shows again.
 */
import type { HostError } from '../messages/requests';
import { isStorageError } from '../messages/requests';

export function createHealthState(show: (message: string) => void) {
  /** A storage failure still true until the database says it is ready. */
  let storage = '';
  /** The "not answering" message, and the number of the last request that met it. */
  let unanswered: { message: string; seq: number } | null = null;
  let sent = 0;
  const update = () => show(unanswered?.message ?? storage);

  return {
    /** Numbers a request as it is sent; pass the number to `answered`. */
    sending(): number {
      return ++sent;
    },
    /** A request's outcome: a success sent after the last "not answering" takes that message away. */
    answered(seq: number, error: HostError | null) {
      if (error?.code === 'unavailable') {
        unanswered = { message: error.message, seq: Math.max(seq, unanswered?.seq ?? 0) };
        return;
      }
      if (!error && unanswered && seq > unanswered.seq) {
        unanswered = null;
        update();
      }
    },
    /** What the page shows: storage failures go to the alert; input errors stay next to their field. */
    report(error: HostError) {
      if (!isStorageError(error.code)) return;
      if (error.code === 'unavailable') unanswered = { message: error.message, seq: unanswered?.seq ?? sent };
      else storage = error.message;
      update();
    },
    /** The database's own word on its state. */
    health(state: 'ready' | string, message: string) {
      storage = state === 'ready' ? '' : message;
      unanswered = null;
      update();
    },
    clear() {
      storage = '';
      unanswered = null;
      update();
    },
  };
}
