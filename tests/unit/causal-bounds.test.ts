/**
 * Causal contexts from a hostile (or very old) circle stay bounded (docs/protocol.md "Conflicts"):
 * the stamps of a row's `x` pass the same clock-drift check as its field stamps, and a todo's stored
 * `seen` and `ctx` never grow past CAUSAL_DEVICES_MAX devices however many rows name new ones.
 */
import { describe, expect, it } from 'vitest';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Row } from '../../lib/db/sql';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { toSyncRow } from '../../lib/db/todo-writes';
import { causalOf, compactOf } from '../../lib/model/causal-extras';
import { CAUSAL_DEVICES_MAX, join, writeCausal, type CausalRow } from '../../lib/model/conflicts';
import { MAX_CLOCK_DRIFT_MS, encodeHlc, type Hlc } from '../../lib/model/hlc';
import { newDeviceId, type DeviceId, type TodoId } from '../../lib/model/ids';
import type { SyncRow } from '../../lib/model/merge';
import { SYNC_FIELDS } from '../../lib/model/todo';
import type { WireRow } from '../../lib/protocol/messages';
import { fromWireRow, wireRowJson } from '../../lib/protocol/wire-row';
import { createMemoryRelay } from '../../lib/sync/memory-transport';
import { createNode, logRows, newSession, settle } from './sync-harness';

const T0 = 1_800_000_000_000;

async function pair() {
  const relay = createMemoryRelay();
  const time = { now: T0 };
  const hostId = newDeviceId();
  const session = newSession(hostId, T0 + 5 * 60_000);
  const host = await createNode({ id: hostId, relay, session, time, name: 'Host' });
  const guest = await createNode({ id: newDeviceId(), relay, session, time, name: 'Guest' });
  return { relay, time, host, guest, all: [host, guest] };
}

const titles = (sql: { all: <T>(q: string) => T[] }) =>
  sql.all<{ title: string }>('SELECT title FROM todos ORDER BY title').map((r) => r.title);

describe('drift check on causal contexts', () => {
  it('holds back a row whose seen names a stamp far ahead, as it would a field stamp', async () => {
    const { relay, time, host, guest, all } = await pair();
    const made = host.writer.create({ title: 'claims the future' });
    if (!made.ok) throw new Error(made.error);
    const id = made.todo.id;
    const future: Hlc = encodeHlc({ wall: T0 + 2 * MAX_CLOCK_DRIFT_MS, counter: 0, deviceId: newDeviceId() });
    // Six empty field groups, then `seen`: what a peer's `x` would say (lib/db/causal-column.ts).
    host.sql.run('UPDATE todos SET causal = ? WHERE id = ?', [`,,,,,,${future}`, id]);
    await host.engine.start();
    await guest.engine.start();
    await settle(relay, all);
    expect(titles(guest.sql)).toEqual([]);
    expect(guest.engine.stats.rowsRefused).toBe(1);
    expect(logRows(guest.sql).at(-1)).toMatchObject({ status: 'partial', error_message: 'rows-held-back' });

    time.now += 2 * MAX_CLOCK_DRIFT_MS;
    await guest.engine.sync();
    await settle(relay, all);
    expect(titles(guest.sql)).toEqual(['claims the future']);
  });
});

describe('bounded contexts in SQLite', () => {
  const A = newDeviceId();
  const B = newDeviceId();
  const s0 = encodeHlc({ wall: T0, counter: 0, deviceId: A });
  const base: CausalRow = {
    id: `${A}-1800000000000-abcdefgh` as TodoId,
    title: 'Buy milk',
    description: null,
    completed: false,
    priority: 'medium',
    due_date: null,
    deleted: false,
    device_id: A,
    created_at: T0,
    hlc: Object.fromEntries(SYNC_FIELDS.map((f) => [f, s0])) as CausalRow['hlc'],
    ctx: Object.fromEntries(SYNC_FIELDS.map((f) => [f, [s0]])) as unknown as CausalRow['ctx'],
    seen: [s0],
  };
  /** Through the wire, as a peer's row arrives: `x` names at most 62 stamps. */
  const wire = (r: SyncRow): SyncRow => fromWireRow(JSON.parse(wireRowJson(r)) as WireRow);
  const inflated = (i: number): SyncRow =>
    wire({
      ...base,
      seen: join(
        base.seen,
        Array.from({ length: 61 }, (_, k) =>
          encodeHlc({ wall: T0 + i * 100 + k, counter: 0, deviceId: newDeviceId() }),
        ),
      ),
    });

  it('stores a todo small however many invented devices its copies name, and still reports a concurrent edit', async () => {
    const sql = await openMemoryDb();
    const st = createSqliteSyncStorage(sql, () => T0);
    // The first copy is an insert, the rest merges; 300 copies name 18,300 devices in all.
    st.applyRows(
      Array.from({ length: 300 }, (_, i) => inflated(i)),
      undefined,
    );
    const stored = () => toSyncRow(sql.get<Row>('SELECT * FROM todos')!);
    const held = causalOf(stored());
    for (const c of [held.seen, ...SYNC_FIELDS.map((f) => held.ctx[f])])
      expect(c.length).toBeLessThanOrEqual(CAUSAL_DEVICES_MAX);
    expect(
      String(sql.get<{ c: string | null }>('SELECT causal AS c FROM todos')!.c ?? '').length,
    ).toBeLessThan((CAUSAL_DEVICES_MAX + 6) * 52);

    // A and B then change the title while apart: still a conflict.
    const a = writeCausal(
      held,
      { title: 'Buy oat milk' },
      encodeHlc({ wall: T0 + 60_000, counter: 0, deviceId: A }),
    );
    const b = writeCausal(
      held,
      { title: 'Buy milk, eggs' },
      encodeHlc({ wall: T0 + 61_000, counter: 0, deviceId: B }),
    );
    st.applyRows([wire(compactOf(a)), wire(compactOf(b))], undefined);
    expect(stored().title).toBe('Buy milk, eggs');
    expect(sql.all('SELECT * FROM conflict_journal')).toHaveLength(1);
  });
});

describe('contexts over the wire budget', () => {
  it('sends only the field context that does not fit as unknown, the others and seen whole', () => {
    const A = newDeviceId();
    const B = newDeviceId();
    const at = (wall: number, d: DeviceId) => encodeHlc({ wall: T0 + wall, counter: 0, deviceId: d });
    const others = Array.from({ length: 50 }, () => newDeviceId());
    const s0 = at(0, A);
    const title = at(300, B);
    const description = at(310, A);
    const hlc = {
      ...(Object.fromEntries(SYNC_FIELDS.map((f) => [f, s0])) as CausalRow['hlc']),
      title,
      description,
    };
    const seen = join(
      [s0, title, description],
      others.map((d) => at(200, d)),
    );
    const row: CausalRow = {
      id: `${A}-1800000000000-abcdefgh` as TodoId,
      title: 'Buy milk',
      description: 'oat',
      completed: false,
      priority: 'medium',
      due_date: null,
      deleted: false,
      device_id: A,
      created_at: T0,
      hlc,
      // The title's writer had seen the 50 others' older writes: 50 stamps more than seen names.
      ctx: {
        ...(Object.fromEntries(SYNC_FIELDS.map((f) => [f, [s0]])) as unknown as CausalRow['ctx']),
        title: join(
          [s0, title],
          others.map((d) => at(100, d)),
        ),
        description: join([s0, description], [at(200, others[0]!)]),
      },
      seen,
    };
    const got = causalOf(fromWireRow(JSON.parse(wireRowJson(row)) as WireRow));
    expect(got.ctx.title).toEqual([]);
    expect(got.ctx.description).toEqual(row.ctx.description);
    expect(got.ctx.completed).toEqual([s0]);
    expect(got.seen).toEqual(seen);
  });
});
