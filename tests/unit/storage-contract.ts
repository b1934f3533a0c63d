/** The SyncStorage contract, run against every adapter (sync-storage.test.ts). */
import { describe, expect, it } from 'vitest';
import { encodeHlc, HLC_ZERO, type Hlc } from '../../lib/model/hlc';
import type { DeviceId, TodoId } from '../../lib/model/ids';
import { versionOf, type SyncRow } from '../../lib/model/merge';
import type { SyncStorage } from '../../lib/sync/ports';
import { zeroStampOf } from '../../lib/sync/vector';

export const A = '11111111-1111-4111-8111-111111111111' as DeviceId;
export const B = '22222222-2222-4222-8222-222222222222' as DeviceId;
export const C = '33333333-3333-4333-8333-333333333333' as DeviceId;
export const stamp = (wall: number, d: DeviceId, counter = 0): Hlc =>
  encodeHlc({ wall, counter, deviceId: d });

export function makeRow(n: number, s: Hlc, over: Partial<SyncRow> = {}): SyncRow {
  const id = `${A}-${1000 + n}-${String(n).padStart(8, '0')}` as TodoId;
  return {
    id,
    device_id: A,
    created_at: 1000 + n,
    title: `todo ${n}`,
    description: null,
    completed: false,
    priority: 'medium',
    due_date: null,
    deleted: false,
    hlc: { title: s, description: s, completed: s, priority: s, due_date: s, deleted: s },
    ...over,
  };
}

export function runStorageContract(name: string, setup: () => Promise<SyncStorage>) {
  describe(`SyncStorage contract: ${name}`, () => {
    it('stores a new row and pages it back unchanged', async () => {
      const st = await setup();
      const r = makeRow(1, stamp(10, A));
      expect(st.applyRows([r])).toEqual({ changed: 1, unchanged: 0 });
      expect(st.pageAbove(HLC_ZERO, null, 10)).toEqual([r]);
    });

    it('merges field by field and counts a re-delivery as unchanged', async () => {
      const st = await setup();
      const r = makeRow(1, stamp(10, A));
      st.applyRows([r]);
      const edit = { ...r, title: 'renamed', completed: true, hlc: { ...r.hlc, title: stamp(20, B) } };
      expect(st.applyRows([edit])).toEqual({ changed: 1, unchanged: 0 });
      expect(st.applyRows([edit, r])).toEqual({ changed: 0, unchanged: 2 });
      const [got] = st.pageAbove(HLC_ZERO, null, 10);
      expect(got!.title).toBe('renamed');
      // completed carried no newer stamp, so the remote value does not win.
      expect(got!.completed).toBe(false);
      expect(versionOf(got!)).toBe(stamp(20, B));
    });

    it('merges a batch that names one id twice, writing the merged row', async () => {
      const st = await setup();
      const r = makeRow(1, stamp(10, A));
      const edit = { ...r, priority: 'high' as const, hlc: { ...r.hlc, priority: stamp(20, B) } };
      st.applyRows([r, edit, r]);
      const [got] = st.pageAbove(HLC_ZERO, null, 10);
      expect(got).toEqual(edit);
    });

    it('pages rows above a floor in (version, id) order without gaps', async () => {
      const st = await setup();
      const rows = Array.from({ length: 25 }, (_, i) => makeRow(i, stamp(100 + (i % 7), A)));
      st.applyRows(rows);
      expect(st.countAbove(stamp(102, A))).toBe(rows.filter((r) => r.hlc.title > stamp(102, A)).length);
      const seen: SyncRow[] = [];
      let after = null;
      for (let guard = 0; guard < 20; guard++) {
        const page: SyncRow[] = st.pageAbove(stamp(102, A), after, 4);
        if (page.length === 0) break;
        seen.push(...page);
        const last = page[page.length - 1]!;
        after = { version: versionOf(last), id: last.id };
      }
      const expected = rows
        .filter((r) => r.hlc.title > stamp(102, A))
        .sort((a, b) =>
          a.hlc.title === b.hlc.title ? (a.id < b.id ? -1 : 1) : a.hlc.title < b.hlc.title ? -1 : 1,
        );
      expect(seen.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    });

    it('records a zero vector entry for each device whose stamps it stores', async () => {
      const st = await setup();
      st.applyRows([
        makeRow(1, stamp(10, A), {}),
        { ...makeRow(2, stamp(10, A)), hlc: { ...makeRow(2, stamp(10, A)).hlc, deleted: stamp(11, B) } },
      ]);
      expect(st.readVector()).toEqual(
        new Map([
          [A, zeroStampOf(A)],
          [B, zeroStampOf(B)],
        ]),
      );
    });

    it('adopts a vector only when asked, never lowers it, and skips excluded devices', async () => {
      const st = await setup();
      st.applyRows([makeRow(1, stamp(10, A))], {
        vector: new Map([
          [A, stamp(50, A)],
          [B, stamp(40, B)],
        ]),
        exclude: new Set([B]),
      });
      expect(st.readVector().get(A)).toBe(stamp(50, A));
      expect(st.readVector().has(B)).toBe(false);
      st.applyRows([], {
        vector: new Map([
          [A, stamp(30, A)],
          [C, stamp(5, C)],
        ]),
        exclude: new Set(),
      });
      expect(st.readVector()).toEqual(
        new Map([
          [A, stamp(50, A)],
          [C, stamp(5, C)],
        ]),
      );
      st.applyRows([makeRow(3, stamp(60, A))]);
      expect(st.readVector().get(A)).toBe(stamp(50, A));
    });
  });
}
