import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { DueDate } from '../../lib/model/due-date';
import { createMemorySyncStorage } from '../../lib/sync/memory-storage';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { B, makeRow, runStorageContract, stamp, A } from './storage-contract';
import type { SessionId } from '../../lib/model/ids';
import { SYNC_LOG_KEEP } from '../../lib/db/sync-log';

runStorageContract('in memory', async () => createMemorySyncStorage());
runStorageContract('SQLite', async () => createSqliteSyncStorage(await openMemoryDb(), () => 42));

describe('SQLite sync storage', () => {
  it('keeps the newest SYNC_LOG_KEEP sync_log rows, however often a circle syncs', async () => {
    const sql = await openMemoryDb();
    const st = createSqliteSyncStorage(sql, () => 42);
    const session = 'aaaaaaaa-6f1a-4d3e-9c55-3f1d2a9b7e10' as SessionId;
    let last = 0;
    for (let i = 0; i < SYNC_LOG_KEEP + 50; i++)
      last = st.beginLog({ sessionId: session, peerId: B, peerName: 'Laptop', startedAt: i });
    expect(sql.get('SELECT count(*) AS n, min(id) AS first FROM sync_log')).toEqual({
      n: SYNC_LOG_KEEP,
      first: last - SYNC_LOG_KEEP + 1,
    });
  });

  it('writes sync_log and device_info rows the history view reads', async () => {
    const sql = await openMemoryDb();
    const st = createSqliteSyncStorage(sql, () => 42);
    const id = st.beginLog({
      sessionId: 'aaaaaaaa-6f1a-4d3e-9c55-3f1d2a9b7e10' as SessionId,
      peerId: B,
      peerName: 'Laptop',
      startedAt: 1,
    });
    expect(sql.get('SELECT status FROM sync_log WHERE id = ?', [id])).toEqual({ status: 'running' });
    st.finishLog(id, {
      status: 'partial',
      sent: 3,
      received: 4,
      reason: 'The other device left.',
      completedAt: 5,
    });
    expect(
      sql.get(
        'SELECT status, todos_sent, todos_received, error_message, completed_at FROM sync_log WHERE id = ?',
        [id],
      ),
    ).toEqual({
      status: 'partial',
      todos_sent: 3,
      todos_received: 4,
      error_message: 'The other device left.',
      completed_at: 5,
    });
    st.rememberPeer(B, 'Laptop', null, 1);
    st.rememberPeer(B, null, 99, 2);
    expect(
      sql.get('SELECT device_name, last_sync, is_self FROM device_info WHERE device_id = ?', [B]),
    ).toEqual({ device_name: 'Laptop', last_sync: 99, is_self: 0 });
  });

  it('keeps version equal to the greatest field stamp and updated_at as local time', async () => {
    const sql = await openMemoryDb();
    const st = createSqliteSyncStorage(sql, () => 42);
    const r = makeRow(1, stamp(10, A));
    const due = '2026-12-05T09:30' as DueDate;
    st.applyRows([r, { ...r, due_date: due, hlc: { ...r.hlc, due_date: stamp(30, B) } }]);
    expect(sql.get('SELECT version, due_date, updated_at FROM todos')).toEqual({
      version: stamp(30, B),
      due_date: due,
      updated_at: 42,
    });
  });

  it('merges every stored row a batch names, wherever its id sorts among the new ones', async () => {
    // Ids are probed a sorted range of 500 at a time: a stored id at a range's edge, inside it, or
    // alone between two ranges must be merged, never inserted a second time (the primary key refuses).
    const sql = await openMemoryDb();
    const ALL = Array.from({ length: 2000 }, (_, n) => n);
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(ALL, { minLength: 1, maxLength: 1200 }),
        fc.shuffledSubarray(ALL, { maxLength: 40 }),
        async (batch, stored) => {
          sql.run('DELETE FROM todos');
          const st = createSqliteSyncStorage(sql, () => 42);
          st.applyRows(stored.map((n) => makeRow(n, stamp(10, A))));
          const later = batch.map((n) => makeRow(n, stamp(20, B), { title: `new ${n}` }));
          expect(st.applyRows(later).changed).toBe(batch.length);
          const titles = sql.all<{ title: string }>('SELECT title FROM todos WHERE title LIKE ?', ['new %']);
          expect(titles.length).toBe(batch.length);
          expect(sql.get('SELECT count(*) AS n FROM todos')).toEqual({
            n: new Set([...batch, ...stored]).size,
          });
        },
      ),
      // One stored id alone at the first or last place of either range of 500.
      {
        numRuns: 100,
        examples: [0, 499, 500, 999].map((n) => [ALL.slice(0, 1000).reverse(), [n]] as [number[], number[]]),
      },
    );
  });

  it('rolls back the whole batch, vector included, when one row fails', async () => {
    const sql = await openMemoryDb();
    const st = createSqliteSyncStorage(sql);
    sql.run(
      `CREATE TRIGGER refuse BEFORE INSERT ON todos WHEN NEW.title = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    );
    expect(() =>
      st.applyRows([makeRow(1, stamp(10, A)), makeRow(2, stamp(10, A), { title: 'bad' })], {
        vector: new Map([[A, stamp(10, A)]]),
        exclude: new Set(),
      }),
    ).toThrow(/refused/);
    expect(sql.get('SELECT count(*) AS n FROM todos')).toEqual({ n: 0 });
    expect(st.readVector().size).toBe(0);
  });
});

describe('memory sync storage', () => {
  it('keeps sync_log entries and peers for inspection', () => {
    const st = createMemorySyncStorage();
    const id = st.beginLog({
      sessionId: 'aaaaaaaa-6f1a-4d3e-9c55-3f1d2a9b7e10' as SessionId,
      peerId: B,
      peerName: 'Laptop',
      startedAt: 1,
    });
    st.finishLog(id, { status: 'success', sent: 1, received: 2, reason: null, completedAt: 3 });
    expect(st.log[0]).toMatchObject({ status: 'success', sent: 1, received: 2 });
    st.rememberPeer(B, 'Laptop', null, 1);
    st.rememberPeer(B, null, 99, 2);
    expect(st.peers.get(B)).toEqual({ name: 'Laptop', lastSync: 99 });
  });
});
