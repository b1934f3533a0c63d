import { describe, expect, it } from 'vitest';
import type { ChannelLike } from '../../lib/backup/file-channel';
import { createFileClient } from '../../lib/backup/file-client';
import { startFileJobs } from '../../lib/backup/file-jobs';
import { fileOutSchema, importOutSchema, restoreOutSchema } from '../../lib/backup/file-results';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createTodoWriter } from '../../lib/db/todo-writes';
import type { TodoClient } from '../../lib/messages/client';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId } from '../../lib/model/ids';

/** Two ends of one channel: what one posts, the other receives (structured clone keeps Blobs). */
function channelPair(): [ChannelLike, ChannelLike] {
  const make = (peer: () => Set<(e: MessageEvent<unknown>) => void>) => {
    const mine = new Set<(e: MessageEvent<unknown>) => void>();
    const end: ChannelLike & { mine: typeof mine } = {
      mine,
      postMessage: (m) =>
        queueMicrotask(() => peer().forEach((fn) => fn({ data: structuredClone(m) } as MessageEvent))),
      addEventListener: (_t, fn) => void mine.add(fn),
      removeEventListener: (_t, fn) => void mine.delete(fn),
    };
    return end;
  };
  const a: ReturnType<typeof make> = make(() => b.mine);
  const b: ReturnType<typeof make> = make(() => a.mine);
  return [a, b];
}

const awake: TodoClient = {
  send: (async () => ({ ok: true, data: {} })) as TodoClient['send'],
  onEvent: () => () => {},
};

describe('file jobs over the channel', () => {
  it('backs up, restores, exports and imports through the worker end with progress', async () => {
    const sql = await openMemoryDb();
    const deviceId = newDeviceId();
    const clock = createHybridClock(deviceId);
    const writer = createTodoWriter({ sql, clock, deviceId });
    for (let i = 0; i < 50; i++) writer.create({ title: `Todo ${i}` });
    const [pageEnd, workerEnd] = channelPair();
    const events: string[] = [];
    startFileJobs({
      sql,
      clock,
      deviceId,
      channel: workerEnd,
      emit: (e) => events.push(e.op),
      writer: { kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 } },
    });
    const files = createFileClient(awake, pageEnd);
    const progress: number[] = [];
    const backup = await files.run({ kind: 'backup.make', passphrase: 'pw' }, fileOutSchema, (d) =>
      progress.push(d),
    );
    expect(backup.ok && backup.data.todos).toBe(50);
    expect(progress.at(-1)).toBe(50);
    if (!backup.ok) return;
    const wrong = await files.run(
      { kind: 'backup.restore', file: backup.data.blob, passphrase: 'no' },
      restoreOutSchema,
    );
    expect(wrong).toEqual({ ok: true, data: { ok: false, reason: 'wrong-passphrase' } });
    const again = await files.run(
      { kind: 'backup.restore', file: backup.data.blob, passphrase: 'pw' },
      restoreOutSchema,
    );
    expect(again).toMatchObject({ ok: true, data: { ok: true, added: 0, unchanged: 50 } });

    const csv = await files.run({ kind: 'export', format: 'csv', filter: 'all', search: '' }, fileOutSchema);
    expect(csv.ok && csv.data.name).toMatch(/^todo-tasker-\d{4}-\d{2}-\d{2}\.csv$/);
    const file = new Blob(['title\nNew one\nTodo 3 again\n']);
    const preview = await files.run({ kind: 'import.preview', file, name: 'x.csv' }, importOutSchema);
    expect(preview).toMatchObject({ ok: true, data: { ok: true, format: 'csv', total: 2 } });
    expect(events).toEqual([]);
    const done = await files.run({ kind: 'import.commit', file, name: 'x.csv' }, importOutSchema);
    expect(done).toMatchObject({ ok: true, data: { ok: true, added: 2, skipped: 0 } });
    expect(events).toEqual(['bulk']);
    const twice = await files.run({ kind: 'import.commit', file, name: 'x.csv' }, importOutSchema);
    expect(twice).toMatchObject({ ok: true, data: { ok: true, added: 0, skipped: 2 } });
  });
});
