import { afterEach, describe, expect, inject, it } from 'vitest';
import { newIdentity } from '../../lib/crypto/identity';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Sql } from '../../lib/db/sql';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId, type DeviceId } from '../../lib/model/ids';
import { createPairingLink, parsePairingLink } from '../../lib/pairing/pairing-link';
import type { SyncEngine, SyncEvent } from '../../lib/sync/engine-types';
import { createPartySocketTransport } from '../../lib/sync/partysocket-transport';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { createSyncEngine } from '../../lib/sync/sync-engine';

interface Device {
  id: DeviceId;
  sql: Sql;
  engine: SyncEngine;
  writer: ReturnType<typeof createTodoWriter>;
  events: SyncEvent[];
  /** Resolves at the first event (past or future) that matches. */
  until(pred: (e: SyncEvent) => boolean): Promise<SyncEvent>;
  /** Resolves at the first line of the engine's log (past or future) that matches. */
  untilLogged(pattern: RegExp): Promise<void>;
}

/** The first matching event from index `from` on. */
const after = (d: Device, from: number, pred: (e: SyncEvent) => boolean) =>
  d.until((e) => d.events.indexOf(e) >= from && pred(e));

const running: Device[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.engine.stop();
});

async function device(
  linkText: string,
  id: DeviceId,
  name: string,
  maxGuests?: number,
  connectTimeoutMs?: number,
): Promise<Device> {
  const parsed = parsePairingLink(linkText);
  if (!parsed.ok) throw new Error(parsed.error);
  const { link } = parsed;
  const sql = await openMemoryDb();
  const clock = createHybridClock(id);
  const events: SyncEvent[] = [];
  const waiters = new Set<{ pred: (e: SyncEvent) => boolean; resolve: (e: SyncEvent) => void }>();
  const logs: string[] = [];
  const logWaiters = new Set<{ pattern: RegExp; resolve: () => void }>();
  const engine = createSyncEngine({
    storage: createSqliteSyncStorage(sql),
    transport: createPartySocketTransport({
      relayOrigin: link.relayOrigin,
      sessionId: link.sessionId,
      deviceId: id,
    }),
    clock,
    deviceId: id,
    identity: await newIdentity(),
    deviceName: name,
    session: {
      sessionId: link.sessionId,
      sessionKey: link.sessionKey,
      hostId: link.hostId,
      expiresAt: link.expiresAt,
    },
    maxGuests,
    connectTimeoutMs,
    log: (_level, message) => {
      logs.push(message);
      for (const w of [...logWaiters]) {
        if (!w.pattern.test(message)) continue;
        logWaiters.delete(w);
        w.resolve();
      }
    },
  });
  engine.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (!w.pred(e)) continue;
      waiters.delete(w);
      w.resolve(e);
    }
  });
  const d: Device = {
    id,
    sql,
    engine,
    events,
    writer: createTodoWriter({ sql, clock, deviceId: id }),
    until: (pred) => {
      const past = events.find(pred);
      return past ? Promise.resolve(past) : new Promise((resolve) => waiters.add({ pred, resolve }));
    },
    untilLogged: (pattern) =>
      logs.some((l) => pattern.test(l))
        ? Promise.resolve()
        : new Promise((resolve) => logWaiters.add({ pattern, resolve })),
  };
  running.push(d);
  return d;
}

const snapshot = (sql: Sql) =>
  sql.all(`SELECT id, title, description, completed, priority, due_date, deleted, title_hlc, description_hlc,
    completed_hlc, priority_hlc, due_date_hlc, deleted_hlc, version FROM todos ORDER BY id`);
const doneWith = (peer: DeviceId) => (e: SyncEvent) =>
  e.type === 'done' && e.peerId === peer && e.status === 'success';

describe('sync through the real relay on loopback', () => {
  it('pairs two engines by link and converges both ways', async () => {
    const hostId = newDeviceId();
    const guestId = newDeviceId();
    const link = createPairingLink({ relayOrigin: inject('syncRelayUrl'), hostId });
    const host = await device(link.url, hostId, 'Host');
    const guest = await device(link.url, guestId, 'Guest');
    const a = host.writer.create({ title: 'from host' });
    guest.writer.create({ title: 'from guest' });
    host.writer.createMany(
      Array.from({ length: 300 }, (_, i) => ({ title: `bulk ${i}`, description: 'x'.repeat(200) })),
    );
    if (!a.ok) throw new Error(a.error);
    await host.engine.start();
    await guest.engine.start();
    await Promise.all([host.until(doneWith(guestId)), guest.until(doneWith(hostId))]);
    expect(snapshot(guest.sql)).toEqual(snapshot(host.sql));
    expect(guest.sql.get('SELECT count(*) AS n FROM todos')).toEqual({ n: 302 });

    // A second round in the same session: an edit and a deletion travel.
    guest.writer.update(a.todo.id, { completed: true });
    host.writer.remove(a.todo.id);
    const before = guest.events.length;
    const hostBefore = host.events.length;
    await guest.engine.sync();
    await Promise.all([after(guest, before, doneWith(hostId)), after(host, hostBefore, doneWith(guestId))]);
    expect(snapshot(guest.sql)).toEqual(snapshot(host.sql));
    expect(host.sql.get('SELECT completed, deleted FROM todos WHERE id = ?', [a.todo.id])).toEqual({
      completed: 1,
      deleted: 1,
    });
  });

  it('converges three engines in one session', async () => {
    const ids = [newDeviceId(), newDeviceId(), newDeviceId()] as const;
    const link = createPairingLink({ relayOrigin: inject('syncRelayUrl'), hostId: ids[0] });
    const host = await device(link.url, ids[0], 'Host', 2);
    const g1 = await device(link.url, ids[1], 'Guest 1');
    const g2 = await device(link.url, ids[2], 'Guest 2');
    for (const d of [host, g1, g2]) d.writer.create({ title: `own ${d.id}` });
    await host.engine.start();
    await g1.engine.start();
    await g1.until(doneWith(ids[0]));
    await g2.engine.start();
    await Promise.all([g2.until(doneWith(ids[0])), g2.until(doneWith(ids[1])), g1.until(doneWith(ids[2]))]);
    // g1 finished with the host before g2 existed: one more round carries g2's todo to the host.
    const [h0, a0, b0] = [host.events.length, g1.events.length, g2.events.length];
    await host.engine.sync();
    await Promise.all([
      after(host, h0, doneWith(ids[1])),
      after(host, h0, doneWith(ids[2])),
      after(g1, a0, doneWith(ids[0])),
      after(g2, b0, doneWith(ids[0])),
    ]);
    expect(snapshot(g1.sql)).toEqual(snapshot(host.sql));
    expect(snapshot(g2.sql)).toEqual(snapshot(host.sql));
    expect(host.sql.get('SELECT count(*) AS n FROM todos')).toEqual({ n: 3 });
  });

  it('tells a second joiner of a single-use link that it was already used', async () => {
    const hostId = newDeviceId();
    const link = createPairingLink({ relayOrigin: inject('syncRelayUrl'), hostId });
    const host = await device(link.url, hostId, 'Host');
    const first = await device(link.url, newDeviceId(), 'First');
    const late = await device(link.url, newDeviceId(), 'Late');
    host.writer.create({ title: 'private' });
    await host.engine.start();
    await first.engine.start();
    await first.until(doneWith(hostId));
    await late.engine.start();
    const err = await late.until((e) => e.type === 'error');
    expect(err).toMatchObject({ type: 'error', code: 'link-used' });
    expect(late.sql.get('SELECT count(*) AS n FROM todos')).toEqual({ n: 0 });
  });

  it("gives a stranger with a paired device's id and the link nothing, even once that device has left", async () => {
    const hostId = newDeviceId();
    const guestId = newDeviceId();
    const link = createPairingLink({ relayOrigin: inject('syncRelayUrl'), hostId });
    const host = await device(link.url, hostId, 'Host');
    const guest = await device(link.url, guestId, 'Guest');
    host.writer.create({ title: 'private' });
    await host.engine.start();
    await guest.engine.start();
    await Promise.all([host.until(doneWith(guestId)), guest.until(doneWith(hostId))]);

    // The stranger has the link and the guest's id, not its identity keys. The relay refuses the id
    // while the guest is connected; once the guest has left, the stranger's JOIN reaches the host.
    const stranger = await device(link.url, guestId, 'Stranger');
    stranger.writer.create({ title: 'planted' });
    await stranger.engine.start();
    await guest.engine.stop();
    // Whichever comes first: the host turning the JOIN away, or (were it admitted) a finished round.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      host.untilLogged(new RegExp(`JOIN from ${guestId} ignored: known id with other keys`)),
      stranger.until((e) => e.type === 'done'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("the host never turned the stranger's JOIN away")), 30_000);
      }),
    ]);
    clearTimeout(timer);

    const titles = (d: Device) => d.sql.all<{ title: string }>('SELECT title FROM todos').map((r) => r.title);
    expect(titles(stranger)).toEqual(['planted']);
    expect(titles(host)).toEqual(['private']);
    expect(stranger.events).not.toContainEqual(expect.objectContaining({ type: 'done' }));
  });

  it('reports an unreachable relay', async () => {
    const link = createPairingLink({ relayOrigin: 'http://127.0.0.1:9', hostId: newDeviceId() });
    const guest = await device(link.url, newDeviceId(), 'Guest', undefined, 2000);
    await guest.engine.start();
    const err = await guest.until((e) => e.type === 'error');
    expect(err).toMatchObject({ code: 'relay-unreachable' });
  });
});
