/**
 * Answers one validated request against an open database. Runs inside the DB worker in the browser
 * and directly against in-memory SQLite in Node tests; it never sees a browser API.
 */
import type { ChangedEvent } from '../messages/events';
import { isSyncRequest, type SyncRequest } from '../sync/worker-sync';
import { SEED_MAX, type DbStatus, type Request, type Response } from '../messages/requests';
import type { DeviceId } from '../model/ids';
import type { Hlc } from '../model/hlc';
import { localDateTime } from '../model/due-date';
import { PRIORITIES } from '../model/todo';
import type { Sql } from './sql';
import type { Fault } from './fault-sql';
import { storageErrorFrom } from './storage-errors';
import { createTodoQueries } from './todo-queries';
import { createTrash } from './trash';
import { todoHistory } from './todo-history';
import { conflictViews } from './conflict-journal';
import { CONFLICTS_SHOWN } from '../messages/conflict-schema';
import type { TodoWriter, WriteResult } from './todo-writes';

export interface RequestHandlerDeps {
  sql: Sql;
  writer: TodoWriter;
  deviceId: DeviceId;
  schemaVersion: number;
  openMs: number;
  /** `dev.*` requests are refused unless this is set (never in production builds). */
  devTools: boolean;
  /** Called after each committed write. */
  emit: (e: ChangedEvent) => void;
  /** Fault injection for tests: make the worker die the way a crash would. */
  crash?: () => void;
  /** Fault injection for tests: fail the next write statement with this storage error. */
  arm?: (fault: Fault) => void;
  /** Benchmarks: a bare insert of this device's todos into an empty database (dev-bare-insert.ts). */
  bareInsert?: () => { rows: number; ms: number };
  /** Answers `sync.*` and `settings.*` (lib/sync/worker-sync.ts); absent where sync is not wired. */
  sync?: { handle(req: SyncRequest): Response };
}

const ok = (data: unknown): Response => ({ ok: true, data });

function fromWrite(r: WriteResult, op: ChangedEvent['op'], emit: (e: ChangedEvent) => void): Response {
  if (!r.ok) {
    const code = /no longer exists/.test(r.error) ? 'not_found' : 'invalid';
    return { ok: false, error: { code, message: r.error } };
  }
  emit({ kind: 'todos.changed', ids: [r.todo.id], op });
  return ok(r.todo);
}

export function createRequestHandler(deps: RequestHandlerDeps) {
  const { sql, writer, emit } = deps;
  const queries = createTodoQueries(sql);
  const trash = createTrash(sql);

  function dispatch(req: Request): Response {
    if (isSyncRequest(req))
      return deps.sync
        ? deps.sync.handle(req)
        : { ok: false, error: { code: 'bad_request', message: 'Sync is not available here.' } };
    switch (req.kind) {
      case 'todos.create':
        return fromWrite(writer.create(req.input), 'create', emit);
      case 'todos.update':
        return fromWrite(writer.update(req.id, req.patch), 'update', emit);
      case 'todos.remove':
        return fromWrite(writer.remove(req.id), 'remove', emit);
      case 'todos.restore':
        return fromWrite(writer.restore(req.id), 'restore', emit);
      case 'todos.page':
        return ok(queries.page(req.query));
      case 'todos.get':
        return ok(queries.get(req.id));
      case 'todos.counts':
        return ok(
          queries.counts(req.search, req.view && req.now ? { view: req.view, now: req.now } : undefined),
        );
      case 'todos.history':
        return ok(todoHistory(sql, req.id));
      case 'conflicts.list': {
        const all = conflictViews(sql);
        return ok({ items: all.slice(0, CONFLICTS_SHOWN), total: all.length });
      }
      case 'conflicts.resolve': {
        const r = req.resolve;
        const keep = r.keep === 'other' ? 'loser' : 'winner';
        return fromWrite(writer.resolveConflict(r.id, r.field, r.loserHlc as Hlc, keep), 'update', emit);
      }
      case 'trash.list':
        return ok(trash.list(req.query.search, req.query.limit));
      case 'trash.forget':
        if (!trash.forget(req.id))
          return { ok: false, error: { code: 'not_found', message: 'That todo is no longer deleted.' } };
        emit({ kind: 'todos.changed', ids: [req.id], op: 'remove' });
        return ok(null);
      case 'trash.empty': {
        const hidden = trash.empty();
        emit({ kind: 'todos.changed', ids: [], op: 'bulk' });
        return ok({ hidden });
      }
      case 'db.status': {
        const status: DbStatus = {
          deviceId: deps.deviceId,
          schemaVersion: deps.schemaVersion,
          todoCount: sql.get<{ n: number }>('SELECT count(*) AS n FROM todos WHERE deleted = 0')?.n ?? 0,
          openMs: deps.openMs,
        };
        return ok(status);
      }
      case 'dev.seed':
        if (!deps.devTools)
          return { ok: false, error: { code: 'bad_request', message: 'Not available in this build.' } };
        return seed(Math.min(req.count, SEED_MAX));
      case 'dev.crash':
        if (!deps.devTools || !deps.crash)
          return { ok: false, error: { code: 'bad_request', message: 'Not available in this build.' } };
        deps.crash();
        return ok(null);
      case 'dev.fail':
        if (!deps.devTools || !deps.arm)
          return { ok: false, error: { code: 'bad_request', message: 'Not available in this build.' } };
        deps.arm(req.fault);
        return ok(null);
      case 'dev.bareInsert':
        if (!deps.devTools || !deps.bareInsert)
          return { ok: false, error: { code: 'bad_request', message: 'Not available in this build.' } };
        return ok(deps.bareInsert());
    }
  }

  function seed(count: number): Response {
    const day = 86_400_000;
    const base = Date.now();
    const inputs = Array.from({ length: count }, (_, i) => ({
      title: `Seeded todo ${i + 1}`,
      description: i % 3 === 0 ? `Notes for seeded todo ${i + 1}` : null,
      priority: PRIORITIES[i % 3],
      due_date: i % 4 === 0 ? localDateTime(base + ((i % 60) - 10) * day).slice(0, 10) : null,
    }));
    const r = writer.createMany(inputs);
    if (!r.ok) return { ok: false, error: { code: 'invalid', message: r.error } };
    emit({ kind: 'todos.changed', ids: [], op: 'bulk' });
    return ok({ inserted: r.count });
  }

  return {
    handle(req: Request): Response {
      try {
        return dispatch(req);
      } catch (e) {
        // A thrown SQLite error means the transaction rolled back: nothing half-written is visible.
        return { ok: false, error: storageErrorFrom(e) };
      }
    },
  };
}
