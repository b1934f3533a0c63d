/**
 * Circle benchmark: two members' engines in Node (in-memory SQLite WASM) through the real relay
 * (wrangler dev on loopback, partysocket): a live single-field change from write to the other
 * member's database (p50/p95 over CIRCLE_CHANGES changes, default 50) and its bytes and frames on
 * the wire, by live PUSH and, for comparison, by a whole round (`syncNow`, how v4 pushed); a
 * reconnect with nothing changed; a reconnect with one change among CIRCLE_ROWS rows (default
 * 100,000). Bytes count every frame both members send (envelopes, nonces, tags, counters).
 * `npm run bench:circle` — results go to BENCHMARKS.md by hand.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { circleRoom, newCircleSecret } from '../../lib/circle/circle-keys';
import { addMember } from '../../lib/circle/membership';
import { foundCircle, type Circle } from '../../lib/circle/roster';
import { newIdentity, type DeviceIdentity } from '../../lib/crypto/identity';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Sql } from '../../lib/db/sql';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId, type DeviceId, type SessionId, type TodoId } from '../../lib/model/ids';
import { createCircleEngine, type CircleEngine } from '../../lib/sync/circle-engine';
import { createPartySocketTransport } from '../../lib/sync/partysocket-transport';
import type { Transport } from '../../lib/sync/ports';
import { startRelay } from '../../scripts/relay-process.mjs';

const CHANGES = Number(process.env.CIRCLE_CHANGES ?? 50);
const ROWS = Number(process.env.CIRCLE_ROWS ?? 100_000);

const meter = { bytes: 0, frames: 0 };
function counted(t: Transport): Transport {
  return {
    ...t,
    get isOpen() {
      return t.isOpen;
    },
    send(frame) {
      const ok = t.send(frame);
      if (ok) {
        meter.bytes += Buffer.byteLength(frame);
        meter.frames++;
      }
      return ok;
    },
    onMessage: (cb) => t.onMessage(cb),
    onOpen: (cb) => t.onOpen(cb),
    onClose: (cb) => t.onClose(cb),
    connect: () => t.connect(),
    close: () => t.close(),
  };
}

interface Member {
  id: DeviceId;
  sql: Sql;
  identity: DeviceIdentity;
  writer: ReturnType<typeof createTodoWriter>;
  engine: CircleEngine | null;
}

async function main() {
  const relay = await startRelay();
  const mk = async (): Promise<Member> => {
    const id = newDeviceId();
    const sql = await openMemoryDb();
    return {
      id,
      sql,
      identity: await newIdentity(),
      writer: createTodoWriter({ sql, clock: createHybridClock(id), deviceId: id }),
      engine: null,
    };
  };
  const [a, b] = [await mk(), await mk()];
  let circle: Circle = await foundCircle({
    self: a.id,
    identity: a.identity,
    name: 'A',
    now: Date.now(),
    secret: newCircleSecret(),
    circleId: crypto.randomUUID(),
  });
  circle = (await addMember(
    circle,
    { id: a.id, identity: a.identity },
    { id: b.id, keys: b.identity.public, name: 'B' },
    Date.now(),
  )) as Circle;
  const room = await circleRoom(circle);

  const start = async (m: Member) => {
    const engine = createCircleEngine({
      storage: createSqliteSyncStorage(m.sql, Date.now),
      transport: counted(
        createPartySocketTransport({
          relayOrigin: relay.url,
          sessionId: room.roomId as SessionId,
          deviceId: m.id,
          party: 'circle',
        }),
      ),
      clock: createHybridClock(m.id, Date.now),
      deviceId: m.id,
      identity: m.identity,
      deviceName: m === a ? 'A' : 'B',
      circle,
      room,
    });
    m.engine = engine;
    await engine.start();
    return engine;
  };
  /** Resolves when `m`'s engine reports a finished round with the other member. */
  const nextDone = (m: Member) =>
    new Promise<{ status: string }>((resolve) => {
      const off = m.engine!.subscribe((e) => {
        if (e.type === 'done') {
          off();
          resolve(e);
        }
      });
    });
  const online = (m: Member) =>
    new Promise<void>((resolve) => {
      if (m.engine!.online().length > 0) return resolve();
      const off = m.engine!.subscribe((e) => {
        if (e.type === 'presence' && e.online) {
          off();
          resolve();
        }
      });
    });
  const titleOn = (m: Member, id: TodoId) =>
    m.sql.get<{ title: string }>('SELECT title FROM todos WHERE id = ?', [id])?.title;

  try {
    const first = a.writer.create({ title: 'Buy oat milk' });
    if (!first.ok) throw new Error(first.error);
    const id = first.todo.id;
    await start(a);
    await start(b);
    await Promise.all([online(a), online(b), nextDone(b)]);

    // Live single-field changes: write on A → in B's database; by PUSH, then by a whole round.
    const q = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.floor(p * (xs.length - 1))]!;
    for (const by of ['PUSH', 'round'] as const) {
      const ms: number[] = [];
      const bytes: number[] = [];
      const frames: number[] = [];
      for (let i = 0; i < CHANGES; i++) {
        const title = `Buy oat milk ×${i} ${by}`;
        await Promise.all([a.engine!.idle(), b.engine!.idle()]);
        meter.bytes = 0;
        meter.frames = 0;
        const done = by === 'round' ? Promise.all([nextDone(a), nextDone(b)]) : null;
        const t0 = performance.now();
        a.writer.update(id, { title });
        if (by === 'PUSH') a.engine!.push();
        else a.engine!.syncNow();
        for (let k = 0; k < 10_000 && titleOn(b, id) !== title; k++)
          await new Promise((r) => setImmediate(r));
        ms.push(performance.now() - t0);
        await done;
        // Whatever follows the change (nothing, for a push) is counted too.
        await new Promise((r) => setTimeout(r, 300));
        await Promise.all([a.engine!.idle(), b.engine!.idle()]);
        bytes.push(meter.bytes);
        frames.push(meter.frames);
      }
      console.log(
        `live single-field change by ${by}, write → other member's database (${CHANGES}): p50 ${q(ms, 0.5).toFixed(0)} ms, p95 ${q(ms, 0.95).toFixed(0)} ms; ${q(bytes, 0.5)} B (min ${Math.min(...bytes)}, max ${Math.max(...bytes)}) in ${q(frames, 0.5)} frames on the wire (median, both directions${by === 'PUSH' ? ', push delay 100 ms included' : ''})`,
      );
    }

    // Reconnect with nothing changed.
    const reconnect = async () => {
      await b.engine!.stop();
      await Promise.all([a.engine!.idle()]);
      meter.bytes = 0;
      meter.frames = 0;
      await start(b);
      await nextDone(b);
      await Promise.all([a.engine!.idle(), b.engine!.idle()]);
      return { bytes: meter.bytes, frames: meter.frames };
    };
    const idle = await reconnect();
    console.log(`reconnect, nothing changed: ${idle.bytes} B in ${idle.frames} frames`);

    // One change among ROWS.
    const seeded = a.writer.createMany(
      Array.from({ length: ROWS - 1 }, (_, i) => ({ title: `Todo number ${i}: buy milk and call back` })),
    );
    if (!seeded.ok) throw new Error(seeded.error);
    a.engine!.push();
    for (
      let k = 0;
      k < 600 && (b.sql.get<{ n: number }>('SELECT count(*) AS n FROM todos')?.n ?? 0) < ROWS;
      k++
    )
      await new Promise((r) => setTimeout(r, 500));
    await Promise.all([a.engine!.idle(), b.engine!.idle()]);
    await b.engine!.stop();
    a.writer.update(id, { title: 'One change while B was away' });
    meter.bytes = 0;
    meter.frames = 0;
    await start(b);
    await nextDone(b);
    await Promise.all([a.engine!.idle(), b.engine!.idle()]);
    console.log(
      `reconnect, one change among ${ROWS.toLocaleString('en')}: ${meter.bytes} B in ${meter.frames} frames (title there: ${titleOn(b, id) === 'One change while B was away'})`,
    );
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`);
  } finally {
    await a.engine?.stop();
    await b.engine?.stop();
    await relay.stop();
  }
}

await main();
