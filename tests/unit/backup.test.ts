import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { createBackupWriter, HEADER_LEN, openBackup } from '../../lib/backup/backup-file';
import { backupFileName, makeBackup, restoreBackup } from '../../lib/backup/backup-jobs';
import { decodeRow, encodeRow } from '../../lib/backup/backup-content';
import { exportTodos } from '../../lib/backup/export-file';
import { addMember } from '../../lib/circle/membership';
import { foundCircle, type Circle } from '../../lib/circle/roster';
import { newIdentity } from '../../lib/crypto/identity';
import { backupStatus, dismissBackupReminder } from '../../lib/db/backup-store';
import { saveCircle } from '../../lib/db/circle-store';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Row, Sql } from '../../lib/db/sql';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock, type HybridClock } from '../../lib/model/hlc';
import { newDeviceId, type DeviceId, type TodoId } from '../../lib/model/ids';
import { passphraseStrength } from '../../lib/backup/kdf';

/** Argon2id at its minimum cost and small segments: the format is the same, the tests fast. */
const FAST = { kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 }, segmentSize: 1024 };
const PASS = 'correct horse battery staple';

interface Device {
  sql: Sql;
  clock: HybridClock;
  id: DeviceId;
  writer: ReturnType<typeof createTodoWriter>;
}

let wall = 1_800_000_000_000;
async function device(): Promise<Device> {
  const sql = await openMemoryDb();
  const id = newDeviceId();
  const clock = createHybridClock(id, () => wall);
  return { sql, clock, id, writer: createTodoWriter({ sql, clock, deviceId: id, now: () => wall }) };
}

/** Every stored column but `updated_at` (local display time) and `synced`, by id. */
/** Values and stamps; not `causal`, the contexts, which backups do not carry (a restored value's is unknown). */
const dump = (sql: Sql) =>
  sql
    .all<Row>('SELECT * FROM todos ORDER BY id')
    .map(({ updated_at: _u, synced: _s, causal: _c, ...r }) => r);

const add = (d: Device, title: string) => {
  const r = d.writer.create({ title });
  if (!r.ok) throw new Error(r.error);
  wall += 1;
  return r.todo;
};

async function backupOf(d: Device, pass = PASS): Promise<Blob> {
  return (await makeBackup(pass, { sql: d.sql, writer: FAST, now: () => wall })).blob;
}

const restore = (d: Device, file: Blob, pass = PASS) =>
  restoreBackup(file, pass, { sql: d.sql, clock: d.clock, now: () => wall });

async function bytes(b: Blob) {
  return new Uint8Array(await b.arrayBuffer());
}

let a: Device;
beforeEach(async () => {
  a = await device();
});

describe('backup file', () => {
  it('round-trips any bytes across segment boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 5 }), async (pieces) => {
        const w = await createBackupWriter('pw', FAST);
        for (const p of pieces) await w.push(p);
        const file = new Blob((await w.finish()) as BlobPart[]);
        const opened = await openBackup(file, 'pw');
        expect(opened.ok).toBe(true);
        if (!opened.ok) return;
        const out: number[] = [];
        expect(await opened.read((b) => void out.push(...b))).toEqual({ ok: true });
        expect(out).toEqual(pieces.flatMap((p) => [...p]));
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a wrong passphrase', async () => {
    add(a, 'Secret plan');
    expect(await openBackup(await backupOf(a), 'not it')).toEqual({ ok: false, reason: 'wrong-passphrase' });
  });

  it('refuses a file of a newer format version before asking for anything else', async () => {
    const b = await bytes(await backupOf(a));
    b[9] = 2;
    expect(await openBackup(new Blob([b]), PASS)).toEqual({ ok: false, reason: 'newer-version' });
  });

  it('refuses a file that is not a backup', async () => {
    expect(await openBackup(new Blob(['title,description\n']), PASS)).toEqual({
      ok: false,
      reason: 'not-a-backup',
    });
  });

  it('tells a truncated file, at any length, from a tampered one', async () => {
    for (let i = 0; i < 30; i++) add(a, `Todo number ${i} with some words to fill a segment`);
    const b = await bytes(await backupOf(a));
    for (const cut of [4, 9, 50, HEADER_LEN, HEADER_LEN + 10, 1024 + HEADER_LEN + 16, b.length - 1]) {
      const r = await openBackup(new Blob([b.slice(0, cut)]), PASS);
      const reason = r.ok ? (await r.read(() => {})).ok : r.reason;
      expect(reason, `cut at ${cut}`).toBe('truncated');
    }
  });

  it('refuses a file with any one byte flipped, and says it was changed', async () => {
    for (let i = 0; i < 8; i++) add(a, `Todo ${i}`);
    const b = await bytes(await backupOf(a));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: b.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, x) => {
          const t = b.slice();
          t[at]! ^= x;
          const r = await openBackup(new Blob([t]), PASS);
          const outcome = r.ok ? await r.read(() => {}) : r;
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expect(['tampered', 'wrong-passphrase']).toContain(outcome.reason);
          // Only the key check itself (or salt, which changes the key) can look like a wrong passphrase.
          if (!outcome.ok && outcome.reason === 'wrong-passphrase')
            expect(at >= 63 || (at >= 20 && at < 36)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('holds no title or description in clear', async () => {
    add(a, 'Findable needle title');
    a.writer.update(dump(a.sql)[0]!.id as TodoId, { description: 'haystack description' });
    const text = new TextDecoder('latin1').decode(await bytes(await backupOf(a)));
    expect(text).not.toContain('needle');
    expect(text).not.toContain('haystack');
  });

  it('names the file by the local date', () => {
    expect(backupFileName(new Date(2026, 11, 5, 10).getTime())).toBe('todo-tasker-2026-12-05.ttbackup');
  });
});

describe('restore', () => {
  it('restores a list into an empty device with every stamp kept', async () => {
    const t1 = add(a, 'Water plants');
    add(a, 'Call bank');
    a.writer.update(t1.id, { completed: true, due_date: '2026-12-05T09:30' });
    const gone = add(a, 'Old idea');
    a.writer.remove(gone.id);
    const b = await device();
    const r = await restore(b, await backupOf(a));
    expect(r).toMatchObject({ ok: true, rows: 3, added: 3, changed: 0, unchanged: 0, skipped: 0 });
    expect(dump(b.sql)).toEqual(dump(a.sql));
  });

  it('keeps newer edits, takes older fields from the backup, and adds nothing twice', async () => {
    const t = add(a, 'Draft report');
    const file = await backupOf(a);
    wall += 1000;
    a.writer.update(t.id, { title: 'Final report' });
    const other = add(a, 'Only here');
    const r = await restore(a, file);
    expect(r).toMatchObject({ ok: true, added: 0, changed: 0, unchanged: 1 });
    const rows = dump(a.sql);
    expect(rows.map((x) => x.title).sort()).toEqual(['Final report', 'Only here']);
    expect(rows.find((x) => x.id === other.id)).toBeTruthy();
  });

  it('merges field by field: a newer backup field wins, a newer local field stays', async () => {
    const t = add(a, 'Plan trip');
    const b = await device();
    await restore(b, await backupOf(a));
    wall += 1000;
    a.writer.update(t.id, { priority: 'high' }); // newer in the backup to come
    wall += 1000;
    b.writer.update(t.id, { title: 'Plan trip to Porto' }); // newer here
    const r = await restore(b, await backupOf(a));
    expect(r).toMatchObject({ ok: true, added: 0, changed: 1 });
    const row = dump(b.sql)[0]!;
    expect([row.title, row.priority]).toEqual(['Plan trip to Porto', 'high']);
  });

  it('keeps deleted todos deleted unless the backup deleted them later', async () => {
    const t = add(a, 'Cancelled');
    const file = await backupOf(a);
    wall += 1000;
    a.writer.remove(t.id);
    await restore(a, file);
    expect(dump(a.sql)[0]!.deleted).toBe(1);
  });

  it('restoring twice changes nothing the second time', async () => {
    add(a, 'One');
    add(a, 'Two');
    const b = await device();
    const file = await backupOf(a);
    await restore(b, file);
    const before = dump(b.sql);
    expect(await restore(b, file)).toMatchObject({ ok: true, added: 0, changed: 0, unchanged: 2 });
    expect(dump(b.sql)).toEqual(before);
  });

  it('changes nothing on a wrong passphrase, a damaged or a truncated file', async () => {
    for (let i = 0; i < 20; i++) add(a, `Todo ${i}`);
    const file = await bytes(await backupOf(a));
    const b = await device();
    add(b, 'Mine');
    const before = dump(b.sql);
    const flipped = file.slice();
    flipped[file.length - 5]! ^= 1;
    expect(await restore(b, new Blob([file]), 'wrong')).toEqual({ ok: false, reason: 'wrong-passphrase' });
    expect(await restore(b, new Blob([flipped]))).toEqual({ ok: false, reason: 'tampered' });
    expect(await restore(b, new Blob([file.slice(0, file.length - 20)]))).toEqual({
      ok: false,
      reason: 'truncated',
    });
    expect(dump(b.sql)).toEqual(before);
  });

  it('property: any interleaving of edits, backup and restore equals merging the two lists', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.nat(5), fc.constantFrom('title', 'done', 'delete', 'new')), {
          minLength: 1,
          maxLength: 25,
        }),
        async (ops) => {
          const x = await device();
          const y = await device();
          for (const [onX, k, op] of ops) {
            const d = onX ? x : y;
            const ids = dump(d.sql).map((r) => r.id as TodoId);
            wall += 1;
            if (op === 'new' || ids.length === 0) add(d, `t${k}`);
            else if (op === 'title') d.writer.update(ids[k % ids.length]!, { title: `t${k}-${wall}` });
            else if (op === 'done') d.writer.update(ids[k % ids.length]!, { completed: k % 2 === 0 });
            else d.writer.remove(ids[k % ids.length]!);
            if (k === 0) await restore(onX ? y : x, await backupOf(d));
          }
          await restore(x, await backupOf(y));
          await restore(y, await backupOf(x));
          expect(dump(x.sql)).toEqual(dump(y.sql));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('round-trips 100,000 todos with every stamp kept', async () => {
    const inputs = Array.from({ length: 100_000 }, (_, i) => ({
      title: `Todo ${i}`,
      description: i % 3 === 0 ? `Notes ${i}` : null,
    }));
    expect(a.writer.createMany(inputs).ok).toBe(true);
    const { blob, todos } = await makeBackup(PASS, { sql: a.sql, writer: { kdf: FAST.kdf } });
    expect(todos).toBe(100_000);
    const b = await device();
    const r = await restore(b, blob);
    expect(r).toMatchObject({ ok: true, rows: 100_000, added: 100_000 });
    expect(dump(b.sql)).toEqual(dump(a.sql));
  }, 120_000);
});

describe('backup content', () => {
  it('refuses rows with a bad id, stamp or field', () => {
    const t = add(a, 'x');
    const [row] = a.sql.all<Row>('SELECT * FROM todos');
    const ok = decodeRow(
      encodeRow({
        ...t,
        hlc: Object.fromEntries(
          ['title', 'description', 'completed', 'priority', 'due_date', 'deleted'].map((f) => [
            f,
            row![`${f}_hlc`],
          ]),
        ) as never,
      }),
    );
    expect(ok?.title).toBe('x');
    const line = JSON.parse(encodeRow(ok!)) as unknown[];
    const bad = (i: number, v: unknown) => decodeRow(JSON.stringify(line.map((x, k) => (k === i ? v : x))));
    expect(bad(0, 'nope')).toBeNull();
    expect(bad(2, '')).toBeNull();
    expect(bad(5, 'urgent')).toBeNull();
    expect(bad(6, '2026-02-30')).toBeNull();
    expect(bad(8, ['zzz'])).toBeNull();
    expect(bad(9, '0123456')).toBeNull();
  });
});

/** A circle founded by `d` with `others` more members. */
async function circleWith(d: Device, others: number): Promise<Circle> {
  const identity = await newIdentity();
  let c = await foundCircle({
    self: d.id,
    identity,
    name: 'this',
    now: wall,
    secret: 'S3cretCircleBytes_'.padEnd(43, 'x'),
    circleId: crypto.randomUUID(),
  });
  for (let i = 0; i < others; i++) {
    const added = await addMember(
      c,
      { id: d.id, identity },
      { id: newDeviceId(), keys: (await newIdentity()).public, name: `other ${i}` },
      wall,
    );
    if ('error' in added) throw new Error(added.error);
    c = added;
  }
  return c;
}

describe('backup reminder', () => {
  it('reminds a single device with todos and no recent backup, until dismissed', async () => {
    expect(backupStatus(a.sql, wall, a.id).remind).toBe(false); // nothing to lose yet
    add(a, 'Something');
    expect(backupStatus(a.sql, wall, a.id).remind).toBe(true);
    dismissBackupReminder(a.sql, wall);
    expect(backupStatus(a.sql, wall + 29 * 86_400_000, a.id).remind).toBe(false);
    expect(backupStatus(a.sql, wall + 31 * 86_400_000, a.id).remind).toBe(true);
    await makeBackup(PASS, { sql: a.sql, writer: FAST, now: () => wall + 31 * 86_400_000 });
    expect(backupStatus(a.sql, wall + 32 * 86_400_000, a.id)).toMatchObject({ remind: false });
  });

  it('does not remind a device whose circle has another member, and does remind one alone in its circle', async () => {
    add(a, 'Something');
    const circle = await circleWith(a, 0);
    saveCircle(a.sql, { circle, relayOrigin: 'https://relay.example' });
    expect(backupStatus(a.sql, wall, a.id)).toMatchObject({ otherDevices: 0, remind: true });
    saveCircle(a.sql, { circle: await circleWith(a, 1), relayOrigin: 'https://relay.example' });
    expect(backupStatus(a.sql, wall, a.id)).toMatchObject({ otherDevices: 1, remind: false });
  });

  it('counts a device met in a pairing before circles as no copy', () => {
    add(a, 'Something');
    a.sql.run('INSERT INTO device_info (device_id, created_at, is_self) VALUES (?, ?, 0)', [
      newDeviceId(),
      wall,
    ]);
    expect(backupStatus(a.sql, wall, a.id)).toMatchObject({ otherDevices: 0, remind: true });
  });
});

describe('what a backup never holds', () => {
  it('holds neither the circle secret nor the circle id, nor do JSON and CSV exports', async () => {
    add(a, 'Renew passport');
    const circle = await circleWith(a, 1);
    saveCircle(a.sql, { circle, relayOrigin: 'https://relay.example' });
    const file = await backupOf(a);
    const opened = await openBackup(file, PASS);
    if (!opened.ok) throw new Error(opened.reason);
    const plain: Uint8Array[] = [];
    expect(await opened.read((b) => void plain.push(b.slice()))).toEqual({ ok: true });
    const texts = [Buffer.concat(plain).toString('utf8')];
    for (const kind of ['json', 'csv'] as const)
      texts.push(await (await exportTodos(kind, { filter: 'all', search: '' }, { sql: a.sql })).blob.text());
    expect(texts[0]).toContain('Renew passport');
    for (const t of texts) {
      expect(t).not.toContain(circle.secret);
      expect(t).not.toContain(circle.id);
      for (const m of circle.members) expect(t).not.toContain(m.keys.sig);
    }
  });
});

describe('passphrase strength', () => {
  it('calls short or repetitive passphrases weak and long phrases strong', () => {
    expect(passphraseStrength('').score).toBe(0);
    expect(passphraseStrength('hunter2').score).toBe(1);
    expect(passphraseStrength('aaaaaaaaaaaaaaaa').score).toBe(1);
    expect(passphraseStrength('tulip orbit canyon pebble').score).toBe(3);
  });
});
