import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { merge, mergeRows, versionOf, type SyncRow } from '../../lib/model/merge';
import { encodeHlc, type Hlc } from '../../lib/model/hlc';
import type { DeviceId, TodoId } from '../../lib/model/ids';
import type { DueDate } from '../../lib/model/due-date';
import { PRIORITIES, SYNC_FIELDS, type FieldValues } from '../../lib/model/todo';

const devices = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
] as DeviceId[];
const id = `${devices[0]}-1700000000000-abcdefgh` as TodoId;

// Equal stamps must mean the same write, so a field's value is a function of its stamp.
function valueFor(field: (typeof SYNC_FIELDS)[number], s: Hlc): FieldValues[typeof field] {
  const h = [...s].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
  switch (field) {
    case 'title':
      return `t${h % 97}`;
    case 'description':
      return h % 3 === 0 ? null : `d${h % 13}`;
    case 'completed':
      return h % 2 === 0;
    case 'priority':
      return PRIORITIES[h % 3]!;
    case 'due_date':
      return h % 4 === 0 ? null : (`2026-01-${String(1 + (h % 28)).padStart(2, '0')}` as DueDate);
    case 'deleted':
      return h % 5 === 0;
  }
}

const stampArb = fc
  .record({
    wall: fc.integer({ min: 0, max: 20 }),
    counter: fc.integer({ min: 0, max: 3 }),
    d: fc.constantFrom(...devices),
  })
  .map(({ wall, counter, d }) => encodeHlc({ wall, counter, deviceId: d }));

const rowArb: fc.Arbitrary<SyncRow> = fc
  .record({
    stamps: fc.tuple(stampArb, stampArb, stampArb, stampArb, stampArb, stampArb),
    created: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ stamps, created }) => {
    const hlc = Object.fromEntries(SYNC_FIELDS.map((f, i) => [f, stamps[i]!])) as SyncRow['hlc'];
    const row = { id, device_id: devices[0]!, created_at: created, hlc } as SyncRow;
    for (const f of SYNC_FIELDS) (row as unknown as Record<string, unknown>)[f] = valueFor(f, hlc[f]);
    return row;
  });

describe('merge', () => {
  it('is commutative', () =>
    fc.assert(
      fc.property(rowArb, rowArb, (a, b) => {
        expect(merge(a, b)).toEqual(merge(b, a));
      }),
    ));
  it('is associative', () =>
    fc.assert(
      fc.property(rowArb, rowArb, rowArb, (a, b, c) => {
        expect(merge(merge(a, b), c)).toEqual(merge(a, merge(b, c)));
      }),
    ));
  it('is idempotent', () =>
    fc.assert(
      fc.property(rowArb, (a) => {
        expect(merge(a, a)).toEqual(a);
      }),
    ));
  it('keeps, per field, the value with the greater stamp', () =>
    fc.assert(
      fc.property(rowArb, rowArb, (a, b) => {
        const m = merge(a, b);
        for (const f of SYNC_FIELDS) {
          const winner = a.hlc[f] >= b.hlc[f] ? a : b;
          expect(m[f]).toEqual(winner[f]);
          expect(m.hlc[f]).toBe(winner.hlc[f]);
        }
      }),
    ));
  it('keeps both edits when two devices change different fields', () => {
    const base = fc.sample(rowArb, { seed: 1, numRuns: 1 })[0]!;
    const s0 = encodeHlc({ wall: 1, counter: 0, deviceId: devices[0]! });
    const start: SyncRow = {
      ...base,
      title: 'x',
      completed: false,
      hlc: { ...base.hlc, title: s0, completed: s0 },
    };
    const a: SyncRow = {
      ...start,
      title: 'from A',
      hlc: { ...start.hlc, title: encodeHlc({ wall: 50, counter: 0, deviceId: devices[1]! }) },
    };
    const b: SyncRow = {
      ...start,
      completed: true,
      hlc: { ...start.hlc, completed: encodeHlc({ wall: 40, counter: 0, deviceId: devices[2]! }) },
    };
    const m = merge(a, b);
    expect(m.title).toBe('from A');
    expect(m.completed).toBe(true);
  });
  it('reports which fields came from the remote row', () => {
    const a = fc.sample(rowArb, { seed: 2, numRuns: 1 })[0]!;
    const later = encodeHlc({ wall: 99, counter: 0, deviceId: devices[1]! });
    const b: SyncRow = { ...a, deleted: true, hlc: { ...a.hlc, deleted: later } };
    expect(mergeRows(a, b).changed).toEqual(['deleted']);
    expect(mergeRows(a, a).changed).toEqual([]);
    expect(versionOf(b)).toBe(later);
  });
});
