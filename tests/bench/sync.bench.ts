/**
 * Sync benchmark through a local relay (wrangler dev on loopback), ours against the original
 * design's algorithm (METADATA with every id, REQUEST_SYNC with the missing ids, SYNC_DATA in
 * batches of 100 rows) in the same run, plus a bare SQLite bulk insert of the same rows.
 * `npm run bench:sync` — results go to docs/benchmarks/sync.md by hand.
 */
import { newIdentity, type DeviceIdentity } from '../../lib/crypto/identity';
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { startRelay } from '../../scripts/relay-process.mjs';
import { bareInsert as bareInsertOf } from '../../lib/db/dev-bare-insert';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Row, Sql } from '../../lib/db/sql';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { deriveFrameKey, openFrame, sealFrame, sealFrameBinary } from '../../lib/crypto/frame-crypto';
import { decodeBinaryEnvelope } from '../../lib/protocol/binary-envelope';
import { createHybridClock, HLC_ZERO, type Hlc } from '../../lib/model/hlc';
import { newDeviceId, type DeviceId, type TodoId } from '../../lib/model/ids';
import { createPairingLink, type PairingLink } from '../../lib/pairing/pairing-link';
import { envelopeSchema } from '../../lib/protocol/envelope';
import type { SyncEngine, SyncEvent } from '../../lib/sync/engine-types';
import { createPartySocketTransport } from '../../lib/sync/partysocket-transport';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { createSyncEngine } from '../../lib/sync/sync-engine';
import type { Transport } from '../../lib/sync/ports';
import { mulberry32 } from '../unit/seeded-random';
import { parsePayload } from '../../lib/protocol/messages';
import { fromWireRow, toWireRow } from '../../lib/protocol/wire-row';
import { plaintextBudget } from '../../lib/sync/stream-out';
import { newSessionKey } from '../../lib/crypto/frame-crypto';
import { versionOf, type SyncRow } from '../../lib/model/merge';

const results: string[] = [];
/** CPU time of this process (all threads: zlib and WebCrypto run off the main thread) since `from`. */
const cpuMs = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return `${((d.user + d.system) / 1000).toFixed(0)} ms CPU`;
};
const report = (line: string) => {
  results.push(line);
  console.log(line);
};

const WORDS = (
  'buy milk call mum book dentist renew passport fix bike tyre send invoice to client review pull request ' +
  'plan trip Lisbon pay rent water plants email landlord about heating order new glasses pick up parcel ' +
  'from post office write report draft slides for Monday team meeting clean garage return library books ' +
  'cancel gym membership schedule car service backup laptop photos update CV prepare tax return birthday ' +
  'present for Sam check flight times grocery list eggs bread cheese apples coffee refill prescription ' +
  'vacuum living room reply to Anna organise desk read chapter 7 practise guitar call plumber fix leak'
).split(' ');

/**
 * BENCH_DATA=realistic: titles of 2–9 words drawn from a list, a third with a number in them, 30 %
 * with a description of 5–40 words, varied priorities (seeded, the same on every run). Otherwise the
 * historical dataset: one title pattern with the row number, a third with the same short note.
 */
function seedTodos(n: number) {
  if (process.env.BENCH_DATA !== 'realistic')
    return Array.from({ length: n }, (_, i) => ({
      title: `Todo number ${i}: buy milk and call back`,
      description: i % 3 === 0 ? 'A short note.' : null,
      priority: 'medium' as const,
    }));
  const rnd = mulberry32(13);
  const pick = () => WORDS[Math.floor(rnd() * WORDS.length)]!;
  const words = (min: number, max: number) =>
    Array.from({ length: min + Math.floor(rnd() * (max - min + 1)) }, pick).join(' ');
  const priorities = ['low', 'medium', 'high'] as const;
  return Array.from({ length: n }, () => {
    const title = words(2, 9) + (rnd() < 0.33 ? ` ${Math.floor(rnd() * 1000)}` : '');
    return {
      title: title[0]!.toUpperCase() + title.slice(1),
      description: rnd() < 0.3 ? words(5, 40) + '.' : null,
      priority: priorities[Math.floor(rnd() * 3)]!,
    };
  });
}

async function seeded(n: number, id: DeviceId): Promise<Sql> {
  const sql = await openMemoryDb();
  const writer = createTodoWriter({ sql, clock: createHybridClock(id), deviceId: id });
  const r = writer.createMany(seedTodos(n));
  if (!r.ok) throw new Error(r.error);
  return sql;
}

interface Dev {
  id: DeviceId;
  clock: ReturnType<typeof createHybridClock>;
  sql: Sql;
  engine: SyncEngine;
  events: SyncEvent[];
  until(pred: (e: SyncEvent) => boolean, from?: number): Promise<void>;
}

function dev(link: PairingLink, id: DeviceId, sql: Sql, name: string, identity: DeviceIdentity): Dev {
  const restored = sql.get<{ v: Hlc | null }>('SELECT max(version) AS v FROM todos')?.v ?? HLC_ZERO;
  const clock = createHybridClock(id, Date.now, restored);
  const events: SyncEvent[] = [];
  const waiters = new Set<() => void>();
  const engine = createSyncEngine({
    storage: createSqliteSyncStorage(sql),
    clock,
    deviceId: id,
    identity,
    deviceName: name,
    transport: createPartySocketTransport({
      relayOrigin: link.relayOrigin,
      sessionId: link.sessionId,
      deviceId: id,
    }),
    session: {
      sessionId: link.sessionId,
      sessionKey: link.sessionKey,
      hostId: link.hostId,
      expiresAt: link.expiresAt,
    },
    silenceTimeoutMs: 120_000,
  });
  engine.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) w();
  });
  return {
    id,
    clock,
    sql,
    engine,
    events,
    until: (pred, from = 0) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!events.slice(from).some(pred)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
  };
}

const doneWith = (peer: DeviceId) => (e: SyncEvent) => e.type === 'done' && e.peerId === peer;
const kb = (b: number) => (b < 10_000 ? `${b} B` : `${(b / 1024).toFixed(0)} KiB`);

async function ours(relayUrl: string, n: number) {
  const hostId = newDeviceId();
  const guestId = newDeviceId();
  const link = createPairingLink({ relayOrigin: relayUrl, hostId });
  const host = dev(link, hostId, await seeded(n, hostId), 'host', await newIdentity());
  const guest = dev(link, guestId, await openMemoryDb(), 'guest', await newIdentity());
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await host.engine.start();
  await guest.engine.start();
  await Promise.all([host.until(doneWith(guestId)), guest.until(doneWith(hostId))]);
  const ms = performance.now() - t0;
  const bytes = () => host.engine.stats.bytesSent + guest.engine.stats.bytesSent;
  const frames = () => host.engine.stats.framesSent + guest.engine.stats.framesSent;
  report(
    `| ours | ${n} todos into an empty device | ${kb(bytes())} (${(bytes() / n).toFixed(0)} B/todo) | ${frames()} | ${ms.toFixed(0)} ms, ${cpuMs(cpu0)} |`,
  );

  const measure = async (label: string) => {
    const [b0, f0, h0, g0] = [bytes(), frames(), host.events.length, guest.events.length];
    const t = performance.now();
    await guest.engine.sync();
    await Promise.all([host.until(doneWith(guestId), h0), guest.until(doneWith(hostId), g0)]);
    report(
      `| ours | ${label} | ${bytes() - b0} B | ${frames() - f0} | ${(performance.now() - t).toFixed(0)} ms |`,
    );
  };
  if (n === 100_000) {
    const id = host.sql.get<{ id: TodoId }>('SELECT id FROM todos LIMIT 1 OFFSET 54321')!.id;
    createTodoWriter({ sql: host.sql, clock: host.clock, deviceId: hostId }).update(id, { completed: true });
    await measure(`one todo changed among ${n} on both`);
    await measure(`no change (${n} on both)`);
    const c = guest.sql.get<Row>('SELECT completed FROM todos WHERE id = ?', [id]);
    if (c?.completed !== 1) throw new Error('the change did not arrive');
  }
  await host.engine.stop();
  await guest.engine.stop();
  return guest.sql;
}

/**
 * The original design sends every id in one METADATA_EXCHANGE; at 100,000 ids (~6 MB) that passes
 * the relay's frame cap, so the baseline splits id lists into frames of this many ids.
 */
const IDS_PER_FRAME = 10_000;

/** The original design's algorithm, through the same relay, transport, pacing and encryption. */
async function baseline(relayUrl: string, hostSql: Sql, guestSql: Sql, label: string) {
  const link = createPairingLink({ relayOrigin: relayUrl, hostId: newDeviceId() });
  const key = await deriveFrameKey(link.sessionKey, link.sessionId);
  let bytes = 0;
  let frames = 0;
  type Side = {
    id: DeviceId;
    sql: Sql;
    t: Transport;
    completes: number;
    theirIds: string[];
    requested: string[];
  };
  const mk = (sql: Sql): Side => {
    const id = newDeviceId();
    return {
      id,
      sql,
      completes: 0,
      theirIds: [],
      requested: [],
      t: createPartySocketTransport({
        relayOrigin: link.relayOrigin,
        sessionId: link.sessionId,
        deviceId: id,
      }),
    };
  };
  const a = mk(hostSql);
  const b = mk(guestSql);
  const send = async (
    from: Side,
    type: 'METADATA_EXCHANGE' | 'REQUEST_SYNC' | 'SYNC_DATA' | 'SYNC_COMPLETE',
    payload: unknown,
  ) => {
    const f = JSON.stringify(await sealFrame(key, { type, from: from.id, c: ++counter }, payload));
    bytes += f.length;
    frames++;
    from.t.send(f);
  };
  let counter = 0;
  let finished: () => void = () => {};
  const done = new Promise<void>((r) => (finished = r));
  const handle = (me: Side) => async (frame: string) => {
    const env = envelopeSchema.safeParse(JSON.parse(frame));
    if (!env.success) {
      if (!frame.includes('PONG')) console.error(`baseline: relay says ${frame.slice(0, 200)}`);
      return;
    }
    const o = await openFrame(key, env.data);
    if (!o.ok) return;
    const p = o.payload as { ids?: string[]; last?: boolean; todos?: Row[] };
    if (env.data.type === 'METADATA_EXCHANGE') {
      me.theirIds.push(...(p.ids ?? []));
      if (!p.last) return;
      const mine = new Set(me.sql.all<{ id: string }>('SELECT id FROM todos').map((r) => r.id));
      const missing = me.theirIds.filter((id) => !mine.has(id));
      for (let i = 0; i < missing.length || i === 0; i += IDS_PER_FRAME) {
        await send(me, 'REQUEST_SYNC', {
          ids: missing.slice(i, i + IDS_PER_FRAME),
          last: i + IDS_PER_FRAME >= missing.length,
        });
      }
    } else if (env.data.type === 'REQUEST_SYNC') {
      me.requested.push(...(p.ids ?? []));
      if (!p.last) return;
      const ids = me.requested;
      for (let i = 0; i < ids.length; i += 100) {
        const batch = ids.slice(i, i + 100);
        const marks = batch.map(() => '?').join(',');
        await send(me, 'SYNC_DATA', {
          todos: me.sql.all(
            `SELECT id, title, description, completed, priority, due_date, device_id, created_at, updated_at, deleted FROM todos WHERE id IN (${marks})`,
            batch,
          ),
        });
      }
      await send(me, 'SYNC_COMPLETE', {});
    } else if (env.data.type === 'SYNC_DATA') {
      me.sql.transaction(() => {
        for (const r of p.todos ?? []) {
          me.sql.run(
            `INSERT OR REPLACE INTO todos (id, title, description, completed, priority, due_date, device_id, created_at, updated_at, deleted,
            title_hlc, description_hlc, completed_hlc, priority_hlc, due_date_hlc, deleted_hlc, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
            [
              r.id!,
              r.title!,
              r.description ?? null,
              r.completed!,
              r.priority!,
              r.due_date ?? null,
              r.device_id!,
              r.created_at!,
              r.updated_at!,
              r.deleted!,
              HLC_ZERO,
              HLC_ZERO,
              HLC_ZERO,
              HLC_ZERO,
              HLC_ZERO,
              HLC_ZERO,
              HLC_ZERO,
            ],
          );
        }
      });
    } else if (env.data.type === 'SYNC_COMPLETE') {
      me.completes++;
      if (a.completes + b.completes === 2) finished();
    }
  };
  let chainA = Promise.resolve();
  let chainB = Promise.resolve();
  a.t.onMessage(
    (f) =>
      typeof f === 'string' &&
      void (chainA = chainA.then(() => handle(a)(f)).catch((e: unknown) => console.error('baseline', e))),
  );
  b.t.onMessage(
    (f) =>
      typeof f === 'string' &&
      void (chainB = chainB.then(() => handle(b)(f)).catch((e: unknown) => console.error('baseline', e))),
  );
  const opened = (s: Side) => new Promise<void>((r) => s.t.onOpen(r));
  const openA = opened(a);
  const openB = opened(b);
  a.t.connect();
  b.t.connect();
  await Promise.all([openA, openB]);
  const t0 = performance.now();
  for (const s of [a, b]) {
    const ids = s.sql.all<{ id: string }>('SELECT id FROM todos').map((r) => r.id);
    for (let i = 0; i < ids.length || i === 0; i += IDS_PER_FRAME) {
      await send(s, 'METADATA_EXCHANGE', {
        deviceId: s.id,
        ids: ids.slice(i, i + IDS_PER_FRAME),
        last: i + IDS_PER_FRAME >= ids.length,
      });
    }
  }
  await done;
  report(`| original | ${label} | ${kb(bytes)} | ${frames} | ${(performance.now() - t0).toFixed(0)} ms |`);
  a.t.close();
  b.t.close();
}

/** The same rows, inserted in one transaction with the same multi-row statements (lib/db/dev-bare-insert.ts,
 * which the browser benchmark runs inside the extension's worker). */
function bareInsert(rowsFrom: Sql, into: Sql, n: number) {
  const cpu0 = process.cpuUsage();
  const { ms } = bareInsertOf(rowsFrom, () => ({ sql: into, drop: () => {} }));
  report(
    `| bare SQLite | insert of the same ${n} rows, one transaction (CPU includes reading them) | – | – | ${ms.toFixed(0)} ms, ${cpuMs(cpu0)} |`,
  );
}

/**
 * The receiving side alone, in the same process: every row of `from` sealed into SYNC_DATA frames as
 * a sender batches them (not timed), then timed: parse each frame, check the envelope, decrypt,
 * validate the payload, convert the rows and apply them to an empty database, frame by frame.
 */
async function receiverOnly(from: Sql, n: number) {
  const key = await deriveFrameKey(newSessionKey(), newDeviceId());
  const sender = createSqliteSyncStorage(from);
  const rows: SyncRow[] = [];
  let after = null;
  for (;;) {
    const page = sender.pageAbove(HLC_ZERO, after, 5000);
    rows.push(...page);
    if (page.length < 5000) break;
    const last = page[page.length - 1]!;
    after = { version: versionOf(last), id: last.id };
  }
  const budget = plaintextBudget(0);
  // SYNC_DATA is a binary frame since v7 (lib/protocol/envelope.ts BINARY_MESSAGE_TYPES).
  const frames: Uint8Array<ArrayBuffer>[] = [];
  const fromId = newDeviceId();
  const toId = newDeviceId();
  let batch: ReturnType<typeof toWireRow>[] = [];
  let bytes = 0;
  const flush = async () => {
    const payload = { stream: 'benchstream', seq: frames.length, total: rows.length, rows: batch };
    frames.push(
      await sealFrameBinary(
        key,
        { type: 'SYNC_DATA', from: fromId, to: toId, c: frames.length + 1 },
        JSON.stringify(payload),
      ),
    );
    batch = [];
    bytes = 0;
  };
  for (const r of rows) {
    const w = toWireRow(r);
    const size = JSON.stringify(w).length + 1;
    if (batch.length && bytes + size > budget) await flush();
    batch.push(w);
    bytes += size;
  }
  await flush();
  const into = createSqliteSyncStorage(await openMemoryDb());
  const wire = frames.reduce((t, f) => t + f.byteLength, 0);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const f of frames) {
    const env = decodeBinaryEnvelope(f);
    if (!env.ok) throw new Error(env.code);
    const o = await openFrame(key, env.envelope);
    if (!o.ok) throw new Error(o.reason);
    const p = parsePayload('SYNC_DATA', o.payload);
    if (!p.ok) throw new Error(p.reason);
    into.applyRows(p.value.rows.map(fromWireRow));
  }
  const ms = performance.now() - t0;
  const cpu = cpuMs(cpu0);
  report(
    `| receiver only | ${n} todos: parse, decrypt, validate, apply | ${kb(wire)} (${(wire / n).toFixed(0)} B/todo) | ${frames.length} | ${ms.toFixed(0)} ms, ${cpu} |`,
  );
}

const relay = await startRelay();
try {
  report(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${new Date().toISOString()}`,
  );
  report('| algorithm | case | bytes on the wire | frames | time |');
  report('|---|---|---|---|---|');
  for (const n of (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number)) {
    const guestSql = await ours(relay.url, n);
    bareInsert(guestSql, await openMemoryDb(), n);
    await receiverOnly(guestSql, n);
    bareInsert(guestSql, await openMemoryDb(), n);
    if (process.env.BENCH_NO_ORIGINAL) continue;
    const hostId = newDeviceId();
    await baseline(
      relay.url,
      await seeded(n, hostId),
      await openMemoryDb(),
      `${n} todos into an empty device`,
    );
  }
  if (process.env.BENCH_NO_ORIGINAL) throw new Error('BENCH_NO_ORIGINAL: done');
  const hostId = newDeviceId();
  const full = await seeded(100_000, hostId);
  const copy = await openMemoryDb();
  bareInsert(full, copy, 100_000);
  await baseline(
    relay.url,
    full,
    copy,
    'no change / one change among 100000 on both (edits never sync in the original)',
  );
} finally {
  await relay.stop();
}
console.log('\n' + results.join('\n'));
