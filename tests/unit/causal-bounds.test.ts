/**
 * Causal contexts from a hostile (or very old) circle stay bounded (docs/protocol.md "Conflicts"):
 * the stamps of a row's `x` pass the same clock-drift check as its field stamps, and a todo's stored
 * `seen` and `ctx` never grow past CAUSAL_DEVICES_MAX devices however many rows name new ones.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_DRIFT_MS, encodeHlc, type Hlc } from '../../lib/model/hlc';
import { newDeviceId } from '../../lib/model/ids';
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
