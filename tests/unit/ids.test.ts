import { describe, expect, it } from 'vitest';
import { creatorOf, isTodoId, newDeviceId, newTodoId } from '../../lib/model/ids';

describe('todo ids', () => {
  it('makes no duplicates across 100,000 ids in a tight loop on one device', () => {
    const device = newDeviceId();
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(newTodoId(device));
    expect(ids.size).toBe(100_000);
  });

  it('makes no duplicates across devices at the same millisecond', () => {
    const now = 1_764_000_000_000;
    const ids = new Set<string>();
    for (let d = 0; d < 100; d++) {
      const device = newDeviceId();
      for (let i = 0; i < 1_000; i++) ids.add(newTodoId(device, now));
    }
    expect(ids.size).toBe(100_000);
  });

  it('has the composite form {deviceId}-{timestamp}-{random} and names its creator', () => {
    const device = newDeviceId();
    const id = newTodoId(device, 1_764_000_000_123);
    expect(isTodoId(id)).toBe(true);
    expect(id.startsWith(`${device}-1764000000123-`)).toBe(true);
    expect(creatorOf(id)).toBe(device);
  });
});
