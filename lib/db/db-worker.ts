/**
 * The DB worker: SQLite WASM on the opfs-sahpool VFS. Started by Chrome's offscreen document or by
 * Firefox's background page; it talks only through postMessage frames (lib/messages/worker-frames).
 */
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import { FILE_CHANNEL } from '../backup/file-channel';
import { startFileJobs } from '../backup/file-jobs';
import type { WorkerEvent } from '../messages/events';
import { fromWorkerSchema, toWorkerSchema, type FromWorker } from '../messages/worker-frames';
import { createHybridClock } from '../model/hlc';
import { openDeviceId, restoredHlc } from './device';
import { ensureIdentity } from './identity-store';
import { applyMigrations } from './migrate';
import { bareInsert } from './dev-bare-insert';
import { createRequestHandler } from './request-handler';
import { createFaultySql } from './fault-sql';
import { sqlFromOo1 } from './sql';
import { storageErrorFrom } from './storage-errors';
import { createTodoWriter } from './todo-writes';
import { deviceKind, deviceLabel } from '../sync/device-label';
import { defaultRelayUrl } from '../sync/relay-url';
import { createWorkerSync } from '../sync/worker-sync';

const POOL_NAME = 'todo-tasker';
const DB_PATH = '/todo-tasker.sqlite3';

const post = (f: FromWorker) => {
  // Validating our own output catches a wrong shape here, next to its cause, not in the page.
  self.postMessage(fromWorkerSchema.parse(f));
};

const PRAGMAS = ['PRAGMA cache_size = -32768', 'PRAGMA temp_store = MEMORY', 'PRAGMA journal_mode = PERSIST'];
/** The benchmark's scratch copy (dev.bareInsert), beside the real database in the same pool. */
const BENCH_PATH = '/bench-bare-insert.sqlite3';

/**
 * The pool takes an exclusive handle on each of its files. A page that has just gone (a reload, a
 * pairing link opened in the same tab, a restarted worker) may hold them a moment longer while its
 * worker is torn down: a locked pool is tried again, 0.1 s, 0.2 s, … up to 6.3 s in all, before the
 * page hears "in use by another window" (which stays true for a second open window).
 */
const LOCK_RETRIES = 6;
async function installPool(sqlite3: Awaited<ReturnType<typeof sqlite3InitModule>>) {
  // Without forceReinitIfPreviouslyFailed (a runtime option the package's types leave out) the
  // first failure would be cached and returned again.
  const options = { name: POOL_NAME, forceReinitIfPreviouslyFailed: true };
  for (let attempt = 0; ; attempt++) {
    try {
      return await sqlite3.installOpfsSAHPoolVfs(options);
    } catch (e) {
      if (attempt >= LOCK_RETRIES || storageErrorFrom(e).code !== 'storage.locked') throw e;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

async function open() {
  const started = performance.now();
  // Chrome extension workers have SharedArrayBuffer, so sqlite-wasm 3.54 would also install its
  // `opfs` VFS and spawn helper workers we never use; switch it off before init.
  Reflect.set(globalThis, 'sqlite3ApiConfig', { disable: { vfs: { opfs: true, 'opfs-wl': true } } });
  const sqlite3 = await sqlite3InitModule();
  const pool = await installPool(sqlite3);
  // No 't' flag: SQL tracing makes every statement ~15× slower.
  const devTools = import.meta.env.MODE !== 'production';
  const base = sqlFromOo1(new pool.OpfsSAHPoolDb(DB_PATH), sqlite3);
  // Durability untouched (synchronous stays FULL, the default). A 32 MiB page cache (default 2 MiB)
  // keeps the todos table and its seven indexes in memory while a pairing writes 100k rows; PERSIST
  // zeroes the rollback journal's header at commit instead of deleting the file, which on
  // opfs-sahpool saves re-mapping a pool slot per transaction (WAL is not available on this VFS).
  for (const pragma of PRAGMAS) base.run(pragma);
  const faulty = devTools ? createFaultySql(base) : null;
  const sql = faulty?.sql ?? base;
  const schemaVersion = applyMigrations(sql);
  const deviceId = openDeviceId(sql);
  const clock = createHybridClock(deviceId, Date.now, restoredHlc(sql, deviceId));
  const identity = await ensureIdentity(sql);
  const writer = createTodoWriter({ sql, clock, deviceId });
  const openMs = performance.now() - started;
  const emit = (event: WorkerEvent) => post({ type: 'event', event });
  // Backup, restore, export and import move Blobs, so they have their own channel (lib/backup/file-channel.ts).
  const sync = createWorkerSync({
    sql,
    clock,
    deviceId,
    identity,
    deviceName: deviceLabel(navigator.userAgent, deviceId),
    deviceKind: deviceKind(navigator.userAgent),
    defaultRelayUrl: defaultRelayUrl(import.meta.env.WXT_RELAY_URL),
    emit,
    engine: {
      log: (level, message) => (level === 'debug' ? undefined : console[level](`[sync] ${message}`)),
    },
  });
  // A local write (a page's request, a restore or an import) is pushed to the circle's members online.
  const emitLocal = (event: WorkerEvent) => {
    emit(event);
    if (event.kind === 'todos.changed') sync.localChanged();
  };
  startFileJobs({ sql, clock, deviceId, emit: emitLocal, channel: new BroadcastChannel(FILE_CHANNEL) });
  void sync.startCircle();
  const handler = createRequestHandler({
    sync,
    sql,
    writer,
    deviceId,
    schemaVersion,
    openMs,
    devTools,
    arm: faulty?.arm,
    bareInsert: devTools
      ? () =>
          bareInsert(sql, () => {
            const copy = sqlFromOo1(new pool.OpfsSAHPoolDb(BENCH_PATH), sqlite3);
            for (const pragma of PRAGMAS) copy.run(pragma);
            return {
              sql: copy,
              drop: () => {
                copy.close();
                pool.unlink(BENCH_PATH);
              },
            };
          })
      : undefined,
    emit: emitLocal,
    // Production builds fold `devTools` to false and drop the fault hooks entirely.
    crash: devTools
      ? () => {
          // An uncaught error outside any handler reaches the host as a Worker `error` event, like a real crash.
          setTimeout(() => {
            throw new Error('injected worker crash');
          });
        }
      : undefined,
  });
  return { handler, openMs };
}

const ready = open();
ready.then(
  ({ openMs }) => post({ type: 'ready', openMs }),
  (e: unknown) => post({ type: 'failed', error: storageErrorFrom(e) }),
);

self.onmessage = async (ev: MessageEvent<unknown>) => {
  const frame = toWorkerSchema.safeParse(ev.data);
  if (!frame.success) return; // the host validated it already; anything else is not ours
  const { id, request } = frame.data;
  try {
    const { handler } = await ready;
    post({ type: 'response', id, response: handler.handle(request) });
  } catch (e) {
    post({ type: 'response', id, response: { ok: false, error: storageErrorFrom(e) } });
  }
};
