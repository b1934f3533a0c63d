/**
 * Every attack the hardening issue found, replayed against engines on the in-memory relay. Each test
 * fails if its protection is removed: the admission check, the pair keys, the counters, the vector
 * checks, the drift bound.
 */
import { describe, expect, it } from 'vitest';
import { deriveFrameKey, sealFrame } from '../../lib/crypto/frame-crypto';
import { newIdentity } from '../../lib/crypto/identity';
import { ensureDeviceId, markDeviceIdShadowed, openDeviceId, restoredHlc } from '../../lib/db/device';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Row, Sql, SqlValue } from '../../lib/db/sql';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock, encodeHlc, MAX_CLOCK_DRIFT_MS, wallOfHlc, type Hlc } from '../../lib/model/hlc';
import { newDeviceId, type DeviceId } from '../../lib/model/ids';
import type { DeviceMessageType } from '../../lib/protocol/envelope';
import { MAX_VECTOR_DEVICES } from '../../lib/protocol/messages';
import { createMemoryRelay, type MemoryRelay } from '../../lib/sync/memory-transport';
import type { SyncSession } from '../../lib/sync/engine-types';
import { createNode, logRows, newSession, settle, type Node } from './sync-harness';

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

const titles = (n: Node) =>
  n.sql
    .all<{ title: string }>('SELECT title FROM todos WHERE deleted = 0 ORDER BY title')
    .map((r) => r.title);

async function circleOf(count: number, opts: { skews?: number[] } = {}) {
  const relay = createMemoryRelay();
  const time = { now: T0 };
  const hostId = newDeviceId();
  const session = newSession(hostId, T0 + 5 * 60_000);
  const host = await createNode({ id: hostId, relay, session, time, name: 'Host', maxGuests: count - 1 });
  const guests: Node[] = [];
  for (let i = 1; i < count; i++)
    guests.push(
      await createNode({
        id: newDeviceId(),
        relay,
        session,
        time,
        name: `Guest ${i}`,
        skewMs: opts.skews?.[i],
      }),
    );
  return { relay, time, session, host, guests, all: [host, ...guests] };
}

/** A frame sealed under the link key: what anyone holding the pairing link can make. */
async function linkFrame(
  session: SyncSession,
  from: string,
  type: DeviceMessageType,
  payload: unknown,
  to?: string,
): Promise<string> {
  const key = await deriveFrameKey(session.sessionKey, session.sessionId);
  return JSON.stringify(await sealFrame(key, { type, from, c: 1, ...(to ? { to } : {}) }, payload));
}

async function startAll(nodes: Node[]) {
  for (const n of nodes) await n.engine.start();
}

const farStamp = (d: DeviceId) => `zzzzzzzzz.0000.${d}` as Hlc;

describe('sync under attack', () => {
  it('an admitted guest answers no other holder of the link key', async () => {
    const { relay, session, host, guests, all } = await circleOf(2);
    const [guest] = guests as [Node];
    guest.writer.create({ title: 'guest secret' });
    await startAll(all);
    await settle(relay, all);
    expect(titles(host)).toEqual(['guest secret']);

    // A second device with the link: the host refuses it, and the guest does not talk to it at all.
    const stranger = await createNode({ id: newDeviceId(), relay, session, time: { now: T0 }, name: 'S' });
    stranger.writer.create({ title: 'stranger row' });
    await stranger.engine.start();
    await settle(relay, [...all, stranger]);
    expect(stranger.events).toContainEqual(expect.objectContaining({ type: 'error', code: 'link-used' }));

    // It even tries the guest directly, with the only key it has.
    const sentBefore = guest.engine.stats.framesSent;
    relay.inject(
      guest.id,
      await linkFrame(
        session,
        stranger.id,
        'METADATA_EXCHANGE',
        { name: 'S', vector: [], reply: true, peers: [] },
        guest.id,
      ),
      stranger.id,
    );
    await settle(relay, [...all, stranger]);
    expect(guest.engine.stats.framesSent).toBe(sentBefore);
    expect(titles(stranger)).toEqual(['stranger row']);
    expect(titles(guest)).toEqual(['guest secret']);
  });

  it('a stranger who takes over a device id, even with the link, gets nothing and changes nothing', async () => {
    const { relay, session, host, guests, all } = await circleOf(2);
    const [guest] = guests as [Node];
    host.writer.create({ title: 'host secret' });
    await startAll(all);
    await settle(relay, all);

    // The relay gives the guest's id to a newcomer, which introduces itself with its own keys.
    const impostor = relay.transport(guest.id);
    const received: string[] = [];
    impostor.onMessage((f) => received.push(typeof f === 'string' ? f : '<binary>'));
    impostor.connect();
    const keys = (await newIdentity()).public;
    impostor.send(
      await linkFrame(session, guest.id, 'JOIN', { name: 'Guest 1', keys, nonce: 'x'.repeat(22) }),
    );
    impostor.send(
      await linkFrame(
        session,
        guest.id,
        'METADATA_EXCHANGE',
        { name: 'x', vector: [], reply: true, peers: [] },
        host.id,
      ),
    );
    await settle(relay, all);
    // At most the host's public JOIN (keys and nonce, under the link key) reaches it: no data.
    const types = received.map((f) => (JSON.parse(f) as { type: string }).type);
    expect(types.filter((t) => t !== 'JOIN' && t !== 'PEER_LEFT')).toEqual([]);
    expect(titles(host)).toEqual(['host secret']);
  });

  it('a poisoned vector is not adopted and does not push the clock into the future after a restart', async () => {
    const { relay, time, session, host, guests, all } = await circleOf(3);
    const [honest] = guests as [Node];
    const liarId = newDeviceId();
    // A peer whose storage lies: it claims to hold the honest device's writes, and the host's own,
    // up to the end of time, and the honest device's up to just inside the drift bound.
    const liar = await createNode({
      id: liarId,
      relay,
      session,
      time,
      name: 'Liar',
      wrapStorage: (s) => ({
        ...s,
        readVector: () =>
          new Map([
            ...s.readVector(),
            [honest.id, encodeHlc({ wall: T0 + MAX_CLOCK_DRIFT_MS - 1, counter: 0, deviceId: honest.id })],
            [host.id, farStamp(host.id)],
          ]),
      }),
    });
    await host.engine.start();
    await liar.engine.start();
    await settle(relay, [host, liar]);

    expect(
      host.sql
        .all<{ hlc: string }>('SELECT hlc FROM version_vector')
        .every((r) => wallOfHlc(r.hlc as Hlc) < T0 + MAX_CLOCK_DRIFT_MS),
    ).toBe(true);
    expect(wallOfHlc(restoredHlc(host.sql, host.id))).toBeLessThan(T0 + MAX_CLOCK_DRIFT_MS);

    // The honest device's writes still reach the host afterwards.
    time.now += 1000;
    honest.writer.create({ title: 'honest write' });
    await honest.engine.start();
    await settle(relay, [...all, liar]);
    expect(titles(host)).toContain('honest write');
  });

  it('a vector naming devices that have no rows, or more devices than a vector may hold, is not adopted', async () => {
    const { relay, time, session, host, guests } = await circleOf(4);
    const [honest] = guests as [Node];
    const fabricated = new Set<DeviceId>();
    // Peers whose storage claims writes of devices that never wrote anything.
    const liar = (name: string, extra: number) =>
      createNode({
        id: newDeviceId(),
        relay,
        session,
        time,
        name,
        wrapStorage: (s) => ({
          ...s,
          readVector: () => {
            const made = Array.from({ length: extra }, () => newDeviceId());
            for (const d of made) fabricated.add(d);
            return new Map([
              ...s.readVector(),
              ...made.map((d) => [d, encodeHlc({ wall: T0, counter: 0, deviceId: d })] as const),
            ]);
          },
        }),
      });
    const few = await liar('Few', 5);
    const many = await liar('Many', MAX_VECTOR_DEVICES + 1);
    few.writer.create({ title: 'from few' });
    many.writer.create({ title: 'from many' });
    await startAll([host, few, many]);
    await settle(relay, [host, few, many]);

    const vector = host.sql.all<{ device_id: DeviceId }>('SELECT device_id FROM version_vector');
    expect(fabricated.size).toBeGreaterThan(MAX_VECTOR_DEVICES);
    expect(vector.filter((r) => fabricated.has(r.device_id))).toEqual([]);
    // The oversized vector's frames are refused whole; the other liar's row is an honest row.
    expect(titles(host)).toEqual(['from few']);
    expect(host.engine.stats.framesDropped).toBeGreaterThan(0);

    honest.writer.create({ title: 'honest write' });
    await honest.engine.start();
    await settle(relay, [host, few, many, honest]);
    expect(titles(honest)).toEqual(['from few', 'honest write']);
    expect(titles(host)).toContain('honest write');
  });

  it('a row 23.5 h ahead does not drag the clock, so a peer 2 h slow still takes its writes', async () => {
    const { relay, time, host, guests, all } = await circleOf(3, { skews: [0, 23.5 * HOUR, -2 * HOUR] });
    const [future, slow] = guests as [Node, Node];
    future.writer.create({ title: 'from the future' });
    await host.engine.start();
    await future.engine.start();
    await settle(relay, [host, future]);
    expect(titles(host)).toEqual(['from the future']);

    time.now += 1000;
    host.writer.create({ title: 'honest write' });
    await slow.engine.start();
    await settle(relay, all);
    // The future row itself is 25.5 h ahead of the slow device: held back there, as it should be.
    expect(titles(slow)).toEqual(['honest write']);
    expect(slow.engine.stats.rowsRefused).toBeGreaterThanOrEqual(1);
  });

  it('duplicated batches and a replayed opener neither restart a stream nor apply anything twice', async () => {
    const { relay, host, guests, all } = await circleOf(2);
    const [guest] = guests as [Node];
    host.writer.createMany(
      Array.from({ length: 3001 }, (_, i) => ({ title: `todo ${i}`, description: 'd'.repeat(200) })),
    );
    relay.setDuplicate((f) => f.type === 'SYNC_DATA' || f.type === 'METADATA_EXCHANGE');
    await startAll(all);
    await settle(relay, all);
    const data = relay.sent.filter((f) => f.from === host.id && f.type === 'SYNC_DATA').length;
    expect(data).toBeGreaterThanOrEqual(2);
    expect(relay.sent.filter((f) => f.from === host.id && f.type === 'SYNC_COMPLETE')).toHaveLength(1);
    expect(guest.sql.get('SELECT count(*) AS n FROM todos')).toEqual({ n: 3001 });
    expect(logRows(guest.sql).map((r) => r.status)).toEqual(['success']);
    expect(guest.engine.stats.framesDropped).toBeGreaterThanOrEqual(data);
  });

  it('a forged PEER_LEFT or relay ERROR only makes a device wait or retry', async () => {
    const { relay, host, guests, all } = await circleOf(2);
    const [guest] = guests as [Node];
    host.writer.createMany(
      Array.from({ length: 500 }, (_, i) => ({ title: `todo ${i}`, description: 'd'.repeat(1000) })),
    );
    await startAll(all);
    // Mid-stream, the relay says the host left and sends an error of its own.
    for (let i = 0; i < 12; i++) {
      await Promise.all(all.map((n) => n.engine.idle()));
      relay.deliverOne();
    }
    relay.inject(guest.id, JSON.stringify({ type: 'PEER_LEFT', from: 'relay', device: host.id }));
    relay.inject(
      guest.id,
      JSON.stringify({ type: 'ERROR', from: 'relay', code: 'RATE_LIMITED', message: 'x' }),
    );
    await settle(relay, all);
    await guest.engine.sync();
    await settle(relay, all);
    expect(guest.sql.get('SELECT count(*) AS n FROM todos')).toEqual({ n: 500 });
    expect(logRows(guest.sql).at(-1)!.status).toBe('success');
  });
});

/** A byte-for-byte copy of a device's database: an old backup restored, or a copied profile. */
async function copyDb(from: Sql): Promise<Sql> {
  const to = await openMemoryDb();
  for (const t of ['todos', 'version_vector', 'device_info', 'kv']) {
    to.run(`DELETE FROM ${t}`);
    for (const row of from.all<Row>(`SELECT * FROM ${t}`)) {
      const cols = Object.keys(row);
      to.run(
        `INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        cols.map((c) => row[c] as SqlValue),
      );
    }
  }
  return to;
}

describe('restored and cloned databases', () => {
  /** Pairs the given devices through a fresh one-link session hosted by the first, until quiet. */
  async function syncAll(relay: MemoryRelay, time: { now: number }, devices: { id: DeviceId; sql: Sql }[]) {
    const session = newSession(devices[0]!.id, time.now + 5 * 60_000);
    const nodes: Node[] = [];
    for (const [i, d] of devices.entries())
      nodes.push(
        await createNode({
          id: d.id,
          sql: d.sql,
          relay,
          session,
          time,
          maxGuests: i === 0 ? devices.length - 1 : undefined,
        }),
      );
    for (const n of nodes) await n.engine.start();
    await settle(relay, nodes);
    for (const n of nodes) await n.engine.stop();
    await settle(relay, nodes);
    return nodes;
  }
  const rows = (sql: Sql) => sql.all('SELECT id, title, title_hlc FROM todos ORDER BY id');

  it('a device restored from an old backup takes a new id and converges, losing nothing', async () => {
    const relay = createMemoryRelay();
    const time = { now: T0 };
    const host = { id: newDeviceId(), sql: await openMemoryDb() };
    const aSql = await openMemoryDb();
    const a = { id: ensureDeviceId(aSql), sql: aSql };
    const writer = (d: { id: DeviceId; sql: Sql }) =>
      createTodoWriter({
        sql: d.sql,
        deviceId: d.id,
        clock: createHybridClock(d.id, () => time.now, restoredHlc(d.sql, d.id)),
        now: () => time.now,
      });
    writer(a).create({ title: 'before the backup' });
    await syncAll(relay, time, [host, a]);
    const backup = await copyDb(a.sql);
    time.now += 1000;
    writer(a).create({ title: 'after the backup' });
    await syncAll(relay, time, [host, a]);

    // The backup comes back; before writing anything it syncs and finds its id ahead at the host.
    const restored = { id: a.id, sql: backup };
    time.now += 1000;
    const [, r] = await syncAll(relay, time, [host, restored]);
    expect(r!.events).toContainEqual(expect.objectContaining({ type: 'self-shadowed' }));
    markDeviceIdShadowed(restored.sql);
    const fresh = { id: openDeviceId(restored.sql, time.now), sql: restored.sql };
    expect(fresh.id).not.toBe(a.id);
    time.now += 1000;
    writer(fresh).create({ title: 'after the restore' });
    await syncAll(relay, time, [host, fresh]);
    await syncAll(relay, time, [host, fresh]);
    expect(rows(fresh.sql)).toEqual(rows(host.sql));
    expect(titlesOf(host.sql)).toEqual(['after the backup', 'after the restore', 'before the backup']);
  });

  it('two installs sharing one device id (a copied profile) both converge once the copy takes a new id', async () => {
    const relay = createMemoryRelay();
    const time = { now: T0 };
    const host = { id: newDeviceId(), sql: await openMemoryDb() };
    const aSql = await openMemoryDb();
    const a1 = { id: ensureDeviceId(aSql), sql: aSql };
    const a2 = { id: a1.id, sql: await copyDb(aSql) };
    const writer = (d: { id: DeviceId; sql: Sql }) =>
      createTodoWriter({
        sql: d.sql,
        deviceId: d.id,
        clock: createHybridClock(d.id, () => time.now, restoredHlc(d.sql, d.id)),
        now: () => time.now,
      });
    writer(a2).create({ title: 'written by the copy first' });
    time.now += 1000;
    writer(a1).create({ title: 'written by the original later' });
    await syncAll(relay, time, [host, a1]);
    time.now += 1000;
    const [, c] = await syncAll(relay, time, [host, a2]);
    expect(c!.events).toContainEqual(expect.objectContaining({ type: 'self-shadowed' }));
    markDeviceIdShadowed(a2.sql);
    const a2new = { id: openDeviceId(a2.sql, time.now), sql: a2.sql };
    time.now += 1000;
    await syncAll(relay, time, [host, a2new]);
    await syncAll(relay, time, [host, a1]);
    await syncAll(relay, time, [host, a1, a2new]);
    expect(titlesOf(a1.sql)).toEqual(['written by the copy first', 'written by the original later']);
    expect(rows(a1.sql)).toEqual(rows(host.sql));
    expect(rows(a2new.sql)).toEqual(rows(host.sql));
  });
});

const titlesOf = (sql: Sql) =>
  sql.all<{ title: string }>('SELECT title FROM todos WHERE deleted = 0 ORDER BY title').map((r) => r.title);
