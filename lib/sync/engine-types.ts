/** The engine's public surface: options, events for the UI, stats. See docs/protocol.md. */
import type { DeviceIdentity, PublicIdentity } from '../crypto/identity';
import type { PayloadOf } from '../protocol/messages';
import type { HybridClock } from '../model/hlc';
import type { DeviceId, SessionId } from '../model/ids';
import type { SyncStorage, Timers, Transport, VersionVector } from './ports';

export interface SyncSession {
  sessionId: SessionId;
  /** The 32-byte key from the pairing link. */
  sessionKey: Uint8Array<ArrayBuffer>;
  /** The device that showed the link; it admits joiners. */
  hostId: DeviceId;
  /** When the link stops admitting new devices (ms since epoch). */
  expiresAt: number;
}

/** What a pairing does with circles (lib/sync/worker-circle.ts; docs/protocol.md "Circles"). */
export interface PairingCircle {
  /** Host: the circle to hand an admitted guest, with the guest added; null to hand none. */
  offerTo(guest: { id: DeviceId; keys: PublicIdentity; name: string }): Promise<PayloadOf<'CIRCLE'> | null>;
  /** Guest: the host handed us its circle. */
  onOffer(from: DeviceId, payload: PayloadOf<'CIRCLE'>): Promise<void>;
}

export interface SyncEngineOptions {
  storage: SyncStorage;
  transport: Transport;
  clock: HybridClock;
  deviceId: DeviceId;
  /** This install's identity keys; the private halves stay inside WebCrypto. */
  identity: DeviceIdentity;
  /** Shown to the peer ("Syncing with <name>"). */
  deviceName: string;
  session: SyncSession;
  /** Pairing makes a circle: the host hands the guest its circle once it is admitted. */
  circle?: PairingCircle;
  /** Host only: how many devices one link admits. 1 = single use (the default). */
  maxGuests?: number;
  /** Physical time for the far-future check and sync_log; defaults to Date.now. */
  physicalNow?: () => number;
  random?: () => number;
  log?: (level: 'debug' | 'warn' | 'error', message: string) => void;
  timers?: Timers;
  /** A round with no frame from the peer for this long ends 'partial'. 0 disables. Default 30 s. */
  silenceTimeoutMs?: number;
  /** No connection to the relay after this long → 'relay-unreachable'. 0 disables. Default 10 s. */
  connectTimeoutMs?: number;
}

/** Why a round ended short of success; stored in sync_log, turned into words by the UI. */
export const ROUND_REASONS = [
  'superseded', // a new round with the same peer started first
  'peer-silent', // no frame from the peer for the silence timeout
  'peer-left', // the relay says the peer's socket closed
  'connection-lost', // our socket to the relay closed
  'send-interrupted', // our socket closed while we were sending
  'data-missing', // frames of the peer's stream stayed lost after retries
  'rows-held-back', // we held back rows stamped far in the future
  'peer-held-rows', // the peer held back some of ours
  'read-failed', // this device could not read its todos
  'write-failed', // this device could not save incoming todos
  'peer-apply-failed', // the peer could not save ours
  'stopped', // sync was stopped (cancel, a new session, link refused)
  'interrupted', // the browser closed or the worker restarted mid-round
] as const;
export type RoundReason = (typeof ROUND_REASONS)[number];

export type EngineErrorCode =
  | 'link-used'
  | 'link-expired'
  | 'link-cancelled'
  | 'host-unavailable'
  | 'relay-unreachable'
  | 'connection-lost'
  | 'peer-gone'
  | 'peer-silent'
  | 'session-full'
  | 'session-expired'
  | 'storage'
  /** A peer speaks an older protocol version: update the other device. */
  | 'peer-outdated'
  /** A peer speaks a newer protocol version: update this device. */
  | 'self-outdated';

/** The error a frame of protocol version `v` means, heard by a device of version `ours`. */
export const versionErrorCode = (v: number, ours: number): 'peer-outdated' | 'self-outdated' =>
  v < ours ? 'peer-outdated' : 'self-outdated';

export type SyncEvent =
  | { type: 'connecting' }
  | { type: 'waiting' }
  | { type: 'peer-joined'; peerId: DeviceId; name: string }
  | {
      type: 'syncing';
      peerId: DeviceId;
      name: string;
      sent: number;
      /** Rows of the peer's stream that arrived here (what the user is told)… */
      received: number;
      /** …of which written to the database (an open list refreshes on these). */
      written: number;
      progress: number;
    }
  | {
      type: 'done';
      peerId: DeviceId;
      name: string;
      sent: number;
      received: number;
      status: 'success' | 'partial' | 'failed';
      reason: RoundReason | null;
      /** The vector the peer told us in this round (absent: no round was needed, its vector equals ours). */
      vector?: VersionVector;
    }
  /** A peer holds writes under our device id that we do not: take a new id for future writes. */
  | { type: 'self-shadowed'; peerId: DeviceId }
  | { type: 'error'; code: EngineErrorCode; peerId?: DeviceId };

export interface SyncStats {
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
  /** Frames that failed to parse, decrypt or validate: logged and never applied. */
  framesDropped: number;
  /** Remote rows refused because a stamp was too far in the future. */
  rowsRefused: number;
  /** Frames from a device whose key was not known yet, kept until it was (bounded). */
  framesHeld: number;
}

export interface SyncEngine {
  /** Derives the frame key and connects. Resolves once the socket is asked to open. */
  start(): Promise<void>;
  /** Starts a sync round with every known peer (also done automatically on join and reconnect). */
  sync(): Promise<void>;
  stop(): Promise<void>;
  subscribe(listener: (e: SyncEvent) => void): () => void;
  /** Resolves when every frame received so far has been handled (tests, benchmarks). */
  idle(): Promise<void>;
  readonly stats: SyncStats;
  peers(): { id: DeviceId; name: string | null; syncing: boolean }[];
}
