import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openMemoryDb } from '../../lib/db/node-memory';

/** Any value the Sql port binds: ASCII text (the packed path), any other text, empty, integers, null, bytes. */
const anyValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)) }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constant(''),
  fc.integer(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 40 }),
);

describe('Sql values through the raw WASM binding', () => {
  it('round-trips text, numbers, null and bytes exactly as SQLite stores them', async () => {
    const sql = await openMemoryDb({ migrate: false });
    sql.run('CREATE TABLE t (v ANY) STRICT');
    const values = [
      '',
      'plain',
      'émoji 🧪 and 中文 and \u0000 inside',
      'x'.repeat(100_000),
      0,
      -1,
      2 ** 31,
      -(2 ** 31) - 1,
      1_800_000_000_000,
      Number.MAX_SAFE_INTEGER,
      0.5,
      -1e-300,
      null,
      new Uint8Array([]),
      new Uint8Array([0, 255, 7]),
    ];
    for (const v of values) sql.run('INSERT INTO t (v) VALUES (?)', [v]);
    const back = sql.all<{ v: unknown; t: string }>('SELECT v, typeof(v) AS t FROM t ORDER BY rowid');
    expect(back.map((r) => r.v)).toEqual(values);
    expect(back.map((r) => r.t)).toEqual([
      ...Array(4).fill('text'),
      ...Array(6).fill('integer'),
      'real',
      'real',
      'null',
      'blob',
      'blob',
    ]);
  });

  it('keeps any string intact, and the statement cache reusable, over many binds', async () => {
    const sql = await openMemoryDb({ migrate: false });
    sql.run('CREATE TABLE t (a TEXT, b TEXT, n INTEGER)');
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'binary' }),
        fc.integer(),
        async (a, b, n) => {
          sql.run('DELETE FROM t');
          sql.run('INSERT INTO t VALUES (?, ?, ?)', [a, b, n]);
          expect(sql.get('SELECT a, b, n FROM t WHERE a = ? AND b = ?', [a, b])).toEqual({ a, b, n });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('binds every value of a many-value statement in its place, whether its strings are all ASCII or not', async () => {
    const sql = await openMemoryDb({ migrate: false });
    sql.run('CREATE TABLE t (v ANY) STRICT');
    await fc.assert(
      fc.asyncProperty(fc.array(anyValue, { minLength: 1, maxLength: 40 }), async (values) => {
        sql.run('DELETE FROM t');
        sql.run(`INSERT INTO t (v) VALUES ${values.map(() => '(?)').join(', ')}`, values);
        expect(sql.all<{ v: unknown }>('SELECT v FROM t ORDER BY rowid').map((r) => r.v)).toEqual(values);
      }),
      { numRuns: 400 },
    );
  });

  it('reads every column of a wide row in its place, keys in column order, whether its text is all ASCII or not', async () => {
    const sql = await openMemoryDb({ migrate: false });
    const cols = Array.from({ length: 12 }, (_, i) => `c${i}`);
    sql.run(`CREATE TABLE w (${cols.map((c) => `${c} ANY`).join(', ')}) STRICT`);
    await fc.assert(
      fc.asyncProperty(fc.array(anyValue, { minLength: 12, maxLength: 12 }), async (values) => {
        sql.run('DELETE FROM w');
        sql.run(`INSERT INTO w VALUES (${cols.map(() => '?').join(', ')})`, values);
        const row = sql.get<Record<string, unknown>>('SELECT * FROM w')!;
        expect(Object.keys(row)).toEqual(cols);
        expect(Object.values(row)).toEqual(values);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a wrong parameter count or an unbindable value, and the statement still works after', async () => {
    const sql = await openMemoryDb({ migrate: false });
    sql.run('CREATE TABLE t (a, b)');
    expect(() => sql.run('INSERT INTO t VALUES (?, ?)', ['only one'])).toThrow(/takes 2 parameters, 1 given/);
    expect(() => sql.run('INSERT INTO t VALUES (?, ?)', ['a', { no: 'objects' } as never])).toThrow(
      /cannot bind an? object/,
    );
    sql.run('INSERT INTO t VALUES (?, ?)', ['a', 'b']);
    expect(sql.all('SELECT a, b FROM t')).toEqual([{ a: 'a', b: 'b' }]);
  });

  it('leaves a statement usable after a failed step, with its earlier bindings gone', async () => {
    const sql = await openMemoryDb({ migrate: false });
    sql.run('CREATE TABLE t (id TEXT PRIMARY KEY)');
    sql.run('INSERT INTO t VALUES (?)', ['one']);
    expect(() => sql.run('INSERT INTO t VALUES (?)', ['one'])).toThrow(/UNIQUE/);
    sql.run('INSERT INTO t VALUES (?)', ['two']);
    expect(sql.all('SELECT id FROM t ORDER BY id')).toEqual([{ id: 'one' }, { id: 'two' }]);
  });
});
