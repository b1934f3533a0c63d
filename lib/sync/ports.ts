/**
 * The ports the sync engine needs. The engine never touches SQL, sockets, chrome.* or the DOM:
 * adapters implement these (lib/db/sync-storage.ts, memory-storage.ts, memory-transport.ts,
 * partysocket-transport.ts) and tests/unit/storage-contract.ts pins the storage contract.
 */
import type { Hlc } from '../model/hlc';
import type { DeviceId, SessionId, TodoId } from '../model/ids';
import type { SyncRow } from '../model/merge';

/** Per origin device, the greatest stamp whose writes this device is known to dominate. */
export type VersionVector = Map<DeviceId, Hlc>;

export interface PageCursor {
  version: Hlc;
  id: TodoId;
}

export interface ApplyOutcome {
  /** Rows inserted or with at least one field taken from the remote row. */
  changed: number;
  /** Rows that were already dominated here (idempotent re-delivery). */
  unchanged: number;
}

export type SyncStatus = 'success' | 'partial' | 'failed';

/**
 * Storage the engine syncs. Synchronous because every adapter is (SQLite WASM runs in the DB
 * worker); methods may throw only on a storage fault, which the engine turns into a 'fatal' result.
 */
export interface SyncStorage {
  /** The local version vector, including zero entries for devices whose rows are present. */
  readVector(): VersionVector;
  /** Rows with version > floor, for a progress estimate (an upper bound of what a stream sends). */
  countAbove(floor: Hlc): number;
  /** Up to `limit` rows with version > floor, ordered by (version, id), strictly after `after`. */
  pageAbove(floor: Hlc, after: PageCursor | null, limit: number): SyncRow[];
  /**
   * Merges rows field by field in ONE transaction. With `adopt`, also sets V := max(V, adopt) for
   * every device not in `adopt.exclude`, in that same transaction. Also records a zero vector entry
   * for any device whose stamp it stores without having one, so that sender-side scans see it.
   */
  applyRows(
    rows: readonly SyncRow[],
    adopt?: { vector: VersionVector; exclude: ReadonlySet<DeviceId> },
  ): ApplyOutcome;
  /** Opens a sync_log row with status 'running'; returns its id. */
  beginLog(entry: {
    sessionId: SessionId;
    peerId: DeviceId;
    peerName: string | null;
    startedAt: number;
  }): number;
  finishLog(
    id: number,
    result: {
      status: SyncStatus;
      sent: number;
      received: number;
      /** A RoundReason code, never a sentence. */
      reason: string | null;
      completedAt: number;
    },
  ): void;
  /** Remembers a peer's display name (and the time of the last successful sync) in device_info. */
  /** At open, before any engine runs: marks rounds a closed browser cut off as partial ('interrupted'). */
  closeInterrupted(now: number): void;
  rememberPeer(peerId: DeviceId, name: string | null, lastSync: number | null, now: number): void;
}

/**
 * One WebSocket message: text (JSON envelopes, relay frames) or binary (the v6 binary envelope,
 * lib/protocol/binary-envelope.ts). `length` of either is its size on the wire, in bytes for binary.
 */
export type Frame = string | Uint8Array<ArrayBuffer>;

/** A socket to the relay. Reconnect-aware: onOpen fires again after a reconnect. */
export interface Transport {
  /** Sends one frame; false if the socket is not open (the frame is not queued). */
  send(frame: Frame): boolean;
  onMessage(cb: (frame: Frame) => void): () => void;
  onOpen(cb: () => void): () => void;
  onClose(cb: (reason: string) => void): () => void;
  readonly isOpen: boolean;
  /** Opens (or re-opens) the socket. */
  connect(): void;
  /** Closes for good; no reconnect. */
  close(): void;
}

export interface Timers {
  set(fn: () => void, ms: number): () => void;
}

export const realTimers: Timers = {
  set(fn, ms) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export type Outcome<T> =
  { kind: 'ok'; value: T } | { kind: 'retry'; reason: string } | { kind: 'fatal'; reason: string };
