import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isWireRow } from '../../lib/protocol/wire-row-check';
import { batchJson, STAMP_INDEX_CHARS } from '../../lib/protocol/wire-row';
import { wireRowSchema } from '../../lib/protocol/messages';
import { encodeHlc, HLC_ZERO } from '../../lib/model/hlc';

const uuid = fc.uuid({ version: 4 });
const stamp = fc.oneof(
  fc
    .record({
      wall: fc.integer({ min: 0, max: 36 ** 9 - 1 }),
      counter: fc.integer({ min: 0, max: 36 ** 4 - 1 }),
      deviceId: uuid,
    })
    .map((p) => encodeHlc(p as Parameters<typeof encodeHlc>[0]) as string),
  fc.constant(HLC_ZERO as string),
);
const todoId = fc
  .tuple(uuid, fc.integer({ min: 0, max: 2 ** 52 }), fc.stringMatching(/^[0-9a-z]{8}$/))
  .map(([d, t, r]) => `${d}-${t}-${r}`);
const title = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.constantFrom('\u0000', '🎉'.repeat(250), 'x'.repeat(500)),
);
const description = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 40 }),
  fc.constant('é'.repeat(10_000)),
);
const due = fc.oneof(
  fc.constant(null),
  fc.constantFrom(
    '2026-12-05',
    '2026-12-05T09:30',
    '2024-02-29',
    '2025-02-29',
    '2026-12-05T24:00',
    '2026-1-5',
  ),
);
const validRow = fc
  .tuple(
    todoId,
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    title,
    description,
    fc.boolean(),
    fc.constantFrom('low', 'medium', 'high'),
    due,
    fc.boolean(),
    fc.oneof(
      fc.array(stamp, { minLength: 1, maxLength: 6 }),
      fc.array(stamp, { minLength: 7, maxLength: 63 }),
    ),
  )
  .chain(([id, c, t, d, done, p, dd, del, s]) =>
    fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: Math.min(5, s.length - 1) }), { minLength: 6, maxLength: 6 }),
        // `x` (v6 contexts): groups of stamp indexes (some past the end of `s`), `-`, or junk.
        fc.option(
          fc.oneof(
            fc
              .array(
                fc.oneof(
                  fc.constant('-'),
                  fc
                    .array(fc.integer({ min: 0, max: s.length }), { maxLength: 4 })
                    .map((ix) => ix.map((i) => STAMP_INDEX_CHARS[i] ?? '~').join('')),
                ),
                { minLength: 1, maxLength: 8 },
              )
              .map((g) => g.join(',')),
            fc.string({ maxLength: 12 }),
          ),
          { nil: undefined },
        ),
      )
      .map(([h, x]) => ({
        id,
        c,
        f: [t, d, done, p, dd, del],
        s,
        h: h.join(''),
        ...(x === undefined ? {} : { x }),
      })),
  );

/** Replaces, removes or adds one thing somewhere in a row: most results are invalid, some not. */
const junk = fc.oneof(
  fc.anything(),
  fc.constantFrom(-1, 1.5, 2 ** 53, '', 'x'.repeat(501), '0000000', '6', null, [], {}, true),
);
const mutated = fc.tuple(validRow, fc.nat(13), junk).map(([row, where, value]) => {
  const r = structuredClone(row) as Record<string, unknown> & { f: unknown[]; s: unknown[] };
  switch (where) {
    case 0:
      return { ...r, id: value };
    case 1:
      return { ...r, c: value };
    case 2:
      return { ...r, h: value };
    case 3:
      return { ...r, s: value };
    case 4:
      return { ...r, extra: value };
    case 5: {
      const { h: _h, ...rest } = r;
      return rest;
    }
    case 6:
      return { ...r, f: [...r.f, value] };
    case 7:
      return { ...r, s: [...r.s, value] };
    case 8:
      return { ...r, h: r.h === '000000' ? '000006' : String(r.h).replace(/./, String(r.s.length)) };
    case 13:
      return { ...r, x: value };
    default: {
      const f = [...r.f];
      f[where - 9] = value;
      return { ...r, f };
    }
  }
});

describe('the hot-path wire row check', () => {
  it('accepts every row the schema accepts and rejects every row it rejects', () =>
    fc.assert(
      fc.property(fc.oneof(validRow, mutated, fc.anything()), (x) => {
        expect(isWireRow(x)).toBe(wireRowSchema.safeParse(x).success);
      }),
      { numRuns: 3000 },
    ));

  it('rejects rows after a JSON round trip exactly as the schema does (own __proto__ keys included)', () => {
    const rows = ['{"__proto__":{}}', '{"id":1}', '[]', 'null'].map((s) => JSON.parse(s) as unknown);
    for (const r of rows) expect(isWireRow(r)).toBe(wireRowSchema.safeParse(r).success);
  });

  it('accepts a row with emoji, NUL and the longest title and description', () => {
    const s = encodeHlc({
      wall: 1_700_000_000_000,
      counter: 1,
      deviceId: '11111111-1111-4111-8111-111111111111' as never,
    });
    const row = {
      id: '11111111-1111-4111-8111-111111111111-1700000000000-abcdefgh',
      c: 1_700_000_000_000,
      f: ['\u0000👩‍👩‍👧'.padEnd(500, 'x'), 'é'.repeat(10_000), true, 'high', '2026-12-05T09:30', true],
      s: [s],
      h: '000000',
    };
    expect(isWireRow(row)).toBe(true);
    expect(wireRowSchema.safeParse(row).success).toBe(true);
  });
});

describe('a batch serialised row by row', () => {
  it('is the same JSON as the whole payload stringified', () =>
    fc.assert(
      fc.property(
        fc.array(validRow, { maxLength: 5 }),
        fc.option(fc.array(stamp, { maxLength: 3 }), { nil: undefined }),
        (rows, vector) => {
          const head = { stream: 'abcdef12', seq: 3, total: 9 };
          const json = rows.map((r) => JSON.stringify(r));
          const got =
            vector === undefined
              ? batchJson('SYNC_DATA', head, json).json
              : batchJson('SYNC_COMPLETE', { ...head, vector }, json).json;
          expect(JSON.parse(got)).toEqual({ ...head, rows, ...(vector === undefined ? {} : { vector }) });
        },
      ),
    ));
});
