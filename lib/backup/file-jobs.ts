/**
 * The DB worker's end of the file channel (file-channel.ts): runs one file job at a time against the
 * open database, posts progress, and answers with the result (Blobs included).
 */
import { backupStatus, dismissBackupReminder } from '../db/backup-store';
import type { Sql } from '../db/sql';
import { storageErrorFrom } from '../db/storage-errors';
import type { ChangedEvent } from '../messages/events';
import type { HybridClock } from '../model/hlc';
import type { DeviceId } from '../model/ids';
import { backupFileName, makeBackup, restoreBackup } from './backup-jobs';
import { exportFileName, exportTodos } from './export-file';
import { writeImport } from './import-jobs';
import { MAX_IMPORT_BYTES, parseImport } from './import-parse';
import { toFileWorkerSchema, type ChannelLike, type FileRequest, type FromFileWorker } from './file-channel';
import type { WriterOptions } from './backup-file';

export interface FileJobDeps {
  sql: Sql;
  clock: HybridClock;
  deviceId: DeviceId;
  channel: ChannelLike;
  emit: (e: ChangedEvent) => void;
  now?: () => number;
  /** tests: a cheap KDF */
  writer?: WriterOptions;
}

/** How many candidate rows the import preview shows. */
export const PREVIEW_ROWS = 5;

export function startFileJobs(deps: FileJobDeps): () => void {
  const { sql, clock, deviceId, channel, emit } = deps;
  const now = deps.now ?? Date.now;
  let queue = Promise.resolve();

  async function run(job: string, req: FileRequest): Promise<unknown> {
    const post = (done: number, total: number) =>
      channel.postMessage({ to: 'page', job, type: 'progress', done, total } satisfies FromFileWorker);
    let last = 0;
    const onProgress = (done: number, total: number) => {
      // At most ~20 progress messages a second, and always the last one.
      const t = Date.now();
      if (done < total && t - last < 50) return;
      last = t;
      post(done, total);
    };
    switch (req.kind) {
      case 'backup.make': {
        const r = await makeBackup(req.passphrase, { sql, now, onProgress, writer: deps.writer });
        return { blob: r.blob, name: backupFileName(now()), todos: r.todos };
      }
      case 'backup.restore': {
        const r = await restoreBackup(req.file, req.passphrase, { sql, clock, now, onProgress });
        if (r.ok && (r.added || r.changed)) emit({ kind: 'todos.changed', ids: [], op: 'bulk' });
        return r;
      }
      case 'export': {
        const r = await exportTodos(
          req.format,
          { filter: req.filter, search: req.search },
          { sql, now, onProgress },
        );
        return { blob: r.blob, name: exportFileName(req.format, now()), todos: r.todos };
      }
      case 'import.preview':
      case 'import.commit': {
        if (req.file.size > MAX_IMPORT_BYTES) return { ok: false, problem: 'too-large' };
        const p = parseImport(req.name, await req.file.text(), { format: req.format, mapping: req.mapping });
        if (!p.ok) return p;
        const summary = {
          ok: true,
          format: p.format,
          columns: p.columns,
          mapping: p.mapping,
          total: p.todos.length,
          invalid: p.invalid,
          undatedDue: p.undatedDue,
        };
        if (req.kind === 'import.preview') return { ...summary, sample: p.todos.slice(0, PREVIEW_ROWS) };
        const w = await writeImport(p.todos, { sql, clock, deviceId, now, onProgress });
        if (w.added) emit({ kind: 'todos.changed', ids: [], op: 'bulk' });
        return { ...summary, ...w };
      }
      case 'backup.status':
        return backupStatus(sql, now(), deviceId);
      case 'backup.dismiss':
        dismissBackupReminder(sql, now());
        return backupStatus(sql, now(), deviceId);
    }
  }

  const listener = (e: MessageEvent<unknown>) => {
    const m = toFileWorkerSchema.safeParse(e.data);
    if (!m.success) return;
    const { job, request } = m.data;
    queue = queue.then(async () => {
      try {
        channel.postMessage({ to: 'page', job, type: 'done', result: await run(job, request) });
      } catch (err) {
        channel.postMessage({ to: 'page', job, type: 'failed', error: storageErrorFrom(err) });
      }
    });
  };
  channel.addEventListener('message', listener);
  return () => channel.removeEventListener('message', listener);
}
