import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CLOCK_ADOPT_MAX_MS,
  createHybridClock,
  compareHlc,
  decodeHlc,
  encodeHlc,
  isHlc,
  MAX_CLOCK_DRIFT_MS,
  HLC_ZERO,
  wallAfter,
  wallOfHlc,
} from '../../lib/model/hlc';
import { newDeviceId, type DeviceId } from '../../lib/model/ids';

const dev = newDeviceId();

describe('hybrid logical clock', () => {
  it('encodes and decodes every part', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 36 ** 9 - 1 }),
        fc.integer({ min: 0, max: 36 ** 4 - 1 }),
        (wall, counter) => {
          const h = encodeHlc({ wall, counter, deviceId: dev });
          expect(isHlc(h)).toBe(true);
          expect(decodeHlc(h)).toEqual({ wall, counter, deviceId: dev });
        },
      ),
    );
  });

  it('sorts as strings in (wall, counter, device) order', () => {
    const d = fc.constantFrom<DeviceId>(newDeviceId(), newDeviceId(), newDeviceId());
    const part = fc.record({
      wall: fc.integer({ min: 0, max: 36 ** 9 - 1 }),
      counter: fc.integer({ min: 0, max: 36 ** 4 - 1 }),
      deviceId: d,
    });
    fc.assert(
      fc.property(part, part, (a, b) => {
        const byParts =
          a.wall - b.wall ||
          a.counter - b.counter ||
          (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0);
        expect(Math.sign(compareHlc(encodeHlc(a), encodeHlc(b)))).toBe(Math.sign(byParts));
      }),
    );
  });

  it('tells a stamp later than a wall time by one comparison, exactly as parsing its wall would', () => {
    const wall = fc.integer({ min: 0, max: 36 ** 9 - 1 });
    fc.assert(
      fc.property(wall, fc.integer({ min: 0, max: 36 ** 4 - 1 }), wall, (w, counter, limit) => {
        const h = encodeHlc({ wall: w, counter, deviceId: dev });
        expect(wallAfter(limit)(h)).toBe(wallOfHlc(h) > limit);
        expect(wallAfter(w)(h)).toBe(false);
        if (w > 0) expect(wallAfter(w - 1)(h)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('issues strictly increasing stamps even when the wall clock stands still or goes back', () => {
    let t = 1_000_000;
    const clock = createHybridClock(dev, () => t);
    let prev = clock.now();
    for (let i = 0; i < 5000; i++) {
      t += [0, -5, 3, 0, -1000][i % 5]!;
      const next = clock.now();
      expect(next > prev).toBe(true);
      prev = next;
    }
  });

  it('moves past a remote stamp it receives within the adopt bound, so the next local edit wins', () => {
    const behind = createHybridClock(dev, () => 1_000);
    const remote = encodeHlc({ wall: 1_000 + CLOCK_ADOPT_MAX_MS - 1, counter: 7, deviceId: newDeviceId() });
    expect(behind.receive(remote)).toBe(true);
    expect(behind.now() > remote).toBe(true);
  });

  it('follows a stamp 23.5 h ahead only to the adopt bound, so a peer whose clock is 2 h slow still takes our writes', () => {
    const clock = createHybridClock(dev, () => 1_000);
    const ahead = encodeHlc({ wall: 1_000 + 23.5 * 3_600_000, counter: 0, deviceId: newDeviceId() });
    expect(clock.receive(ahead)).toBe(true);
    expect(decodeHlc(clock.now()).wall).toBeLessThanOrEqual(1_000 + CLOCK_ADOPT_MAX_MS);
  });

  it('stamps a local write above the field it overwrites even when that stamp is ahead of the clock', () => {
    const clock = createHybridClock(dev, () => 1_000);
    const ahead = encodeHlc({ wall: 1_000 + 60_000, counter: 3, deviceId: newDeviceId() });
    const s = clock.nowAbove(ahead);
    expect(s > ahead).toBe(true);
    expect(clock.now() > s).toBe(true);
  });

  it('refuses a stamp far in the future and keeps its own time', () => {
    const clock = createHybridClock(dev, () => 5_000);
    const before = clock.last();
    const far = encodeHlc({ wall: 5_000 + MAX_CLOCK_DRIFT_MS + 1, counter: 0, deviceId: newDeviceId() });
    expect(clock.receive(far)).toBe(false);
    expect(clock.last()).toBe(before);
    expect(decodeHlc(clock.now()).wall).toBe(5_000);
  });

  it('rejects malformed stamps', () => {
    expect(isHlc(HLC_ZERO)).toBe(true);
    for (const bad of ['', 'x', `${'0'.repeat(9)}.0000.not-a-device`, 42, null])
      expect(isHlc(bad)).toBe(false);
  });
});
