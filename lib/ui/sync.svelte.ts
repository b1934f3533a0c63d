/**
 * The pairing session as the side panel (and the phone app) sees it: the link being shown, the
 * engine's state from `sync.state` events, and request errors. Talks only through TodoClient.
 */
import type { TodoClient } from '../messages/client';
import type { HostEvent } from '../messages/events';
import type { SyncDevice, SyncState } from '../messages/sync-schema';

export type SyncView = 'devices' | 'pair' | 'join' | 'history' | 'settings';

export function createSyncUi(client: TodoClient) {
  let state = $state.raw<SyncState>({ phase: 'idle' });
  let link = $state<{ url: string; expiresAt: number } | null>(null);
  /** A request that failed before any session started (bad link, unreachable background). */
  let error = $state('');
  let busy = $state(false);
  /** How many devices the shown link admits; kept for "Try again" and the next link. */
  let maxGuests = $state(1);
  const devices = $derived<SyncDevice[]>(state.phase === 'idle' ? [] : (state.devices ?? []));

  async function pair(max = maxGuests) {
    busy = true;
    error = '';
    link = null;
    maxGuests = max;
    // The worker starts the new session in `connecting`; say so here too, so that the previous
    // session's `waiting` cannot show the new link as if the relay had answered for it.
    state = { phase: 'connecting', role: 'host', devices: [] };
    const r = await client.send({ kind: 'sync.pair', maxGuests: max });
    busy = false;
    if (!r.ok) {
      error = r.error.message;
      await load();
      return;
    }
    link = { url: r.data.link, expiresAt: r.data.expiresAt };
  }

  async function load() {
    const r = await client.send({ kind: 'sync.status' });
    if (r.ok) state = r.data;
  }

  async function join(text: string): Promise<boolean> {
    busy = true;
    error = '';
    const r = await client.send({ kind: 'sync.join', link: text });
    busy = false;
    if (!r.ok) {
      error = r.error.message;
      return false;
    }
    return true;
  }

  return {
    get state() {
      return state;
    },
    get link() {
      return link;
    },
    get error() {
      return error;
    },
    set error(v: string) {
      error = v;
    },
    get busy() {
      return busy;
    },
    get maxGuests() {
      return maxGuests;
    },
    /** Each device met in the current session (for a host: the guests it admitted). */
    get devices() {
      return devices;
    },
    /**
     * Host: the shown link still admits devices (expiry aside, which the view's clock judges). For a
     * single-use link that means nobody joined yet, which is when the view shows it.
     */
    get admitting() {
      return (
        link !== null &&
        state.phase !== 'idle' &&
        state.phase !== 'error' &&
        state.role === 'host' &&
        devices.length < maxGuests
      );
    },
    /** True once a session runs for this role: the panel shows progress instead of its form. */
    active(role: 'host' | 'guest') {
      return state.phase !== 'idle' && state.role === role;
    },
    load,
    onEvent(e: HostEvent) {
      if (e.kind === 'sync.state') state = e.state;
    },
    pair,
    join,
    /**
     * Host: a fresh link. Guest: back to the form with the last link still in the box. Pressing
     * Join reuses it (relay back up) and pasting replaces it (the other device showed a new one).
     */
    async retry(role: 'host' | 'guest') {
      if (role === 'host') return pair();
      error = '';
      await client.send({ kind: 'sync.cancel' });
    },
    async cancel() {
      link = null;
      error = '';
      await client.send({ kind: 'sync.cancel' });
    },
  };
}
export type SyncUi = ReturnType<typeof createSyncUi>;

/** "4:05" for a countdown; never negative. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
