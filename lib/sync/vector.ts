/** Version-vector helpers shared by the engine and the storage adapters. */
import { deviceOfHlc, encodeHlc, HLC_ZERO, type Hlc } from '../model/hlc';
import type { DeviceId } from '../model/ids';
import type { SyncRow } from '../model/merge';
import { SYNC_FIELDS } from '../model/todo';
import type { VersionVector } from './ports';

/** "Dominates nothing of d": sorts below every real stamp of d and still names d on the wire. */
export const zeroStampOf = (d: DeviceId): Hlc => encodeHlc({ wall: 0, counter: 0, deviceId: d });

export const vectorToWire = (v: VersionVector): Hlc[] => [...v.values()];
export const vectorFromWire = (stamps: readonly Hlc[]): VersionVector =>
  new Map(stamps.map((s) => [deviceOfHlc(s), s]));

export const entryOf = (v: VersionVector, d: DeviceId): Hlc => v.get(d) ?? HLC_ZERO;

/** True if the peer with vector `peer` may lack some field of this row (the row must be sent). */
export function qualifies(row: Pick<SyncRow, 'hlc'>, peer: VersionVector): boolean {
  for (const f of SYNC_FIELDS) {
    const s = row.hlc[f];
    if (s > entryOf(peer, deviceOfHlc(s))) return true;
  }
  return false;
}

/**
 * The scan floor for a stream to `peer`: every qualifying row has version > floor. Devices we hold
 * stamps of all have an entry in `mine`, so the minimum over both key sets bounds every such stamp.
 */
export function scanFloor(mine: VersionVector, peer: VersionVector): Hlc {
  let floor: Hlc | null = null;
  for (const d of new Set([...mine.keys(), ...peer.keys()])) {
    const e = entryOf(peer, d);
    if (floor === null || e < floor) floor = e;
  }
  return floor ?? HLC_ZERO;
}

export function devicesOf(row: Pick<SyncRow, 'hlc'>): DeviceId[] {
  return [...new Set(SYNC_FIELDS.map((f) => deviceOfHlc(row.hlc[f])))];
}
