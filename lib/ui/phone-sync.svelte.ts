/**
 * The phone's side of a pairing session: join from a scanned or opened link, or show its own link
 * for a computer to join, and follow the DB worker's `sync.state` events. The phone's relay is the
 * origin that served the app, so it is written into the worker's setting before anything pairs.
 */
import type { TodoClient } from '../messages/client';
import type { SyncState } from '../messages/sync-schema';

export interface ShownLink {
  link: string;
  expiresAt: number;
}

export function createPhoneSync(client: TodoClient, relayOrigin: string) {
  let state = $state.raw<SyncState>({ phase: 'idle' });
  let shown = $state.raw<ShownLink | null>(null);
  let error = $state('');
  let relaySet: Promise<string | null> | null = null;

  // The worker may already hold a relay from an earlier visit on another address; this page's wins.
  const useThisRelay = () =>
    (relaySet ??= client.send({ kind: 'settings.set', relayUrl: relayOrigin }).then((r) => {
      if (!r.ok) relaySet = null;
      return r.ok ? null : r.error.message;
    }));

  const follow = () =>
    client.onEvent((e) => {
      if (e.kind === 'sync.state') state = e.state;
    });

  return {
    get state() {
      return state;
    },
    get shown() {
      return shown;
    },
    /** The last request's error in plain words, '' when none. */
    get error() {
      return error;
    },
    /** Starts following events and reads the current state; returns the unsubscribe. */
    start(): () => void {
      const off = follow();
      void client.send({ kind: 'sync.status' }).then((r) => {
        if (r.ok) state = r.data;
      });
      return off;
    },
    async join(link: string): Promise<boolean> {
      error = '';
      shown = null;
      const r = await client.send({ kind: 'sync.join', link });
      if (!r.ok) error = r.error.message;
      return r.ok;
    },
    async pair(): Promise<boolean> {
      error = '';
      const relay = await useThisRelay();
      if (relay) {
        error = relay;
        return false;
      }
      const r = await client.send({ kind: 'sync.pair' });
      if (!r.ok) {
        error = r.error.message;
        return false;
      }
      shown = r.data;
      return true;
    },
    async cancel(): Promise<void> {
      shown = null;
      await client.send({ kind: 'sync.cancel' });
    },
  };
}
export type PhoneSync = ReturnType<typeof createPhoneSync>;
