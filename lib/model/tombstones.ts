/**
 * Tombstone collection (issue 14): when a deleted todo's content may be purged. A deletion is a field
 * write like any other (`deleted` with its stamp), so the row must stay for the deletion to keep winning;
 * what can go is its title and description, once
 *  - every other member of the circle has seen the deletion: the version vector it last told us (in a
 *    round) covers the deletion's stamp, so no member can still send the todo back as live, and
 *  - the deletion is at least PURGE_AFTER_DAYS old, so "Recently deleted" keeps it that long everywhere.
 * A device alone (no circle) has no one else to wait for. Pure: lib/db/tombstone-purge.ts runs it in SQL.
 */
import { deviceOfHlc, encodeHlc, HLC_ZERO, wallOfHlc, type Hlc } from './hlc';
import type { DeviceId } from './ids';

export const PURGE_AFTER_DAYS = 30;
export const DAY_MS = 24 * 60 * 60 * 1000;
export const PURGE_AFTER_MS = PURGE_AFTER_DAYS * DAY_MS;

/** Device id → the highest stamp of that device the vector's owner holds every write up to. */
export type Vector = ReadonlyMap<DeviceId, Hlc>;

/**
 * The rule for one deletion. `others`: the last vector each other member told us, `undefined` for a member
 * we have had no round with yet (it blocks every purge until we have).
 */
export function mayPurge(deletion: Hlc, now: number, others: readonly (Vector | undefined)[]): boolean {
  if (now - wallOfHlc(deletion) < PURGE_AFTER_MS) return false;
  const by = deviceOfHlc(deletion);
  return others.every((v) => v !== undefined && (v.get(by) ?? HLC_ZERO) >= deletion);
}

/**
 * The same rule as bounds a query can use: a deletion may be purged when it sorts below `before` and, unless
 * `upTo` is null (a device alone), is at most `upTo` of its device. Null when nothing may be purged.
 */
export interface PurgeBounds {
  before: Hlc;
  upTo: ReadonlyMap<DeviceId, Hlc> | null;
}

export function purgeBounds(now: number, others: readonly (Vector | undefined)[]): PurgeBounds | null {
  const lastWall = now - PURGE_AFTER_MS;
  if (lastWall < 0) return null;
  // Every stamp whose wall is at most lastWall sorts below the first stamp of the next millisecond.
  const before = encodeHlc({ wall: lastWall + 1, counter: 0, deviceId: '' as DeviceId });
  if (others.length === 0) return { before, upTo: null };
  if (others.some((v) => v === undefined)) return null;
  const [first, ...rest] = others as Vector[];
  const upTo = new Map<DeviceId, Hlc>();
  for (const [device, stamp] of first!) {
    let min = stamp;
    for (const v of rest) {
      const e = v.get(device) ?? HLC_ZERO;
      if (e < min) min = e;
    }
    if (min > HLC_ZERO) upTo.set(device, min);
  }
  return upTo.size > 0 ? { before, upTo } : null;
}
