/**
 * Hybrid logical clock (Kulkarni et al.). A stamp is a fixed-width string that sorts, byte for byte,
 * in (wall, counter, deviceId) order, so SQLite and JS compare stamps with plain `<`:
 *
 *   `${wall ms, base 36, 9 chars}.${counter, base 36, 4 chars}.${deviceId}`
 *
 * Last-writer-wins compares stamps; equal (wall, counter) falls to the device id, identically on
 * every device. 36^9 ms reaches the year 5188; the counter allows 1.6M events per millisecond.
 */
import { isDeviceId, type DeviceId } from './ids';
import { HLC_RE } from './patterns';

export type Hlc = string & { readonly __brand: 'Hlc' };

export interface HlcParts {
  wall: number;
  counter: number;
  deviceId: DeviceId;
}

const WALL_W = 9;
const COUNTER_W = 4;
const MAX_COUNTER = 36 ** COUNTER_W - 1;

/**
 * A remote stamp more than this far ahead of our physical clock is not trusted: its row is held
 * back (reported as 'rows-held-back', applied by a later round once our time catches up) and a
 * vector entry is not adopted. Generous, so that a device whose clock is hours off still takes
 * honest writes (an hour off must work).
 */
export const MAX_CLOCK_DRIFT_MS = 24 * 60 * 60 * 1000;

/**
 * How far ahead of our physical clock a remote stamp may move our own clock. Rows up to
 * MAX_CLOCK_DRIFT_MS ahead are merged, but our clock follows them only this far: otherwise one
 * device with a fast clock (or a hostile peer stamping rows ahead) drags every clock forward, and a
 * device whose clock is slow then refuses their honest writes as too far ahead (protocol v1: a row
 * 23.5 h ahead moved the receiver's clock with it). A local edit of a field that holds a stamp
 * ahead of our clock still wins: the writer stamps it above that field (`nowAbove`).
 */
export const CLOCK_ADOPT_MAX_MS = 5 * 60 * 1000;

/** The smallest stamp: older than anything a device writes. */
export const HLC_ZERO =
  `${'0'.repeat(WALL_W)}.${'0'.repeat(COUNTER_W)}.00000000-0000-0000-0000-000000000000` as Hlc;

export function encodeHlc({ wall, counter, deviceId }: HlcParts): Hlc {
  if (!Number.isSafeInteger(wall) || wall < 0 || wall >= 36 ** WALL_W)
    throw new RangeError(`HLC wall out of range: ${wall}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER)
    throw new RangeError(`HLC counter out of range: ${counter}`);
  return `${wall.toString(36).padStart(WALL_W, '0')}.${counter.toString(36).padStart(COUNTER_W, '0')}.${deviceId}` as Hlc;
}

export function isHlc(s: unknown): s is Hlc {
  return (
    typeof s === 'string' && HLC_RE.test(s) && (s === HLC_ZERO || isDeviceId(s.slice(WALL_W + COUNTER_W + 2)))
  );
}

export function decodeHlc(h: Hlc): HlcParts {
  return {
    wall: parseInt(h.slice(0, WALL_W), 36),
    counter: parseInt(h.slice(WALL_W + 1, WALL_W + 1 + COUNTER_W), 36),
    deviceId: h.slice(WALL_W + COUNTER_W + 2) as DeviceId,
  };
}

export const deviceOfHlc = (h: Hlc): DeviceId => h.slice(WALL_W + COUNTER_W + 2) as DeviceId;
export const wallOfHlc = (h: Hlc): number => parseInt(h.slice(0, WALL_W), 36);
/**
 * `(h) => wallOfHlc(h) > wall` without parsing: a stamp begins with its wall time in fixed-width base
 * 36, so it is later exactly when it sorts after every stamp of `wall` (one string comparison).
 */
export function wallAfter(wall: number): (h: Hlc) => boolean {
  const bound = `${Math.floor(wall).toString(36).padStart(WALL_W, '0')}\uffff`;
  return (h) => h > bound;
}

export const compareHlc = (a: Hlc, b: Hlc): number => (a < b ? -1 : a > b ? 1 : 0);
export const maxHlc = (a: Hlc, b: Hlc): Hlc => (a >= b ? a : b);

/** A device's clock. `now()` for local events; `receive()` folds in a stamp seen from elsewhere. */
export interface HybridClock {
  now(): Hlc;
  /** Returns false (and leaves the clock alone) for a stamp too far in the future to trust. */
  receive(remote: Hlc): boolean;
  /** The last stamp issued or received, for persisting across restarts. */
  last(): Hlc;
  /**
   * A stamp for a local write that must beat `floor` (the stamp of the field it overwrites, which
   * may be ahead of our clock: up to the drift bound, or merged before a restart, since a restarted
   * clock starts from this device's own writes only): now(), or just above `floor`, and the clock
   * moves there so this device's own stamps stay increasing.
   */
  nowAbove(floor: Hlc): Hlc;
}

export function createHybridClock(
  deviceId: DeviceId,
  physicalNow: () => number = Date.now,
  restored: Hlc = HLC_ZERO,
): HybridClock {
  let { wall, counter } = decodeHlc(restored);
  const stamp = () => encodeHlc({ wall, counter, deviceId });
  function tick(): Hlc {
    const pt = Math.floor(physicalNow());
    if (pt > wall) {
      wall = pt;
      counter = 0;
    } else {
      counter += 1;
      // Counter exhausted within one ms of logical time: borrow the next millisecond.
      if (counter > MAX_COUNTER) {
        wall += 1;
        counter = 0;
      }
    }
    return stamp();
  }
  return {
    now: tick,
    receive(remote) {
      const r = decodeHlc(remote);
      const pt = Math.floor(physicalNow());
      if (r.wall > pt + MAX_CLOCK_DRIFT_MS) return false;
      if (r.wall > pt + CLOCK_ADOPT_MAX_MS) {
        // Merged, but followed only up to the adopt bound.
        if (pt + CLOCK_ADOPT_MAX_MS > wall) {
          wall = pt + CLOCK_ADOPT_MAX_MS;
          counter = 0;
        }
        return true;
      }
      if (r.wall > wall) {
        wall = r.wall;
        counter = r.counter;
      } else if (r.wall === wall && r.counter > counter) {
        counter = r.counter;
      }
      return true;
    },
    last: stamp,
    nowAbove(floor) {
      const s = tick();
      if (s > floor) return s;
      ({ wall, counter } = decodeHlc(floor));
      return tick();
    },
  };
}
