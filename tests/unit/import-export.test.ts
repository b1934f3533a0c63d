import Papa from 'papaparse';
import { beforeEach, describe, expect, it } from 'vitest';
import { exportTodos, type ExportKind } from '../../lib/backup/export-file';
import { importIds, writeImport } from '../../lib/backup/import-jobs';
import { detectDelimiter, parseDue, parseImport, type Candidate } from '../../lib/backup/import-parse';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Row, Sql } from '../../lib/db/sql';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock, type HybridClock } from '../../lib/model/hlc';
import { newDeviceId, type DeviceId } from '../../lib/model/ids';

const wall = 1_800_000_000_000;
let sql: Sql;
let clock: HybridClock;
let deviceId: DeviceId;
let writer: ReturnType<typeof createTodoWriter>;

beforeEach(async () => {
  sql = await openMemoryDb();
  deviceId = newDeviceId();
  clock = createHybridClock(deviceId, () => wall);
  writer = createTodoWriter({ sql, clock, deviceId, now: () => wall });
});

const live = () =>
  sql.all<Row>(
    'SELECT title, description, completed, priority, due_date FROM todos WHERE deleted = 0 ORDER BY title',
  );

async function exportText(kind: ExportKind, filter: 'all' | 'active' | 'completed' = 'all') {
  const { blob } = await exportTodos(kind, { filter, search: '' }, { sql, now: () => wall });
  // Blob.text() drops a BOM; the test needs to see it.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await blob.arrayBuffer());
}

function importText(name: string, text: string) {
  const p = parseImport(name, text);
  if (!p.ok) throw new Error(p.problem);
  return writeImport(p.todos, { sql, clock, deviceId, now: () => wall });
}

const titles = (p: ReturnType<typeof parseImport>) => (p.ok ? p.todos.map((t) => t.title) : p.problem);

describe('CSV export', () => {
  it('writes a BOM, the documented columns, quoted fields and formula-safe cells', async () => {
    const r = writer.create({ title: '=HYPERLINK("http://x")', description: 'line one\nline "two", end' });
    if (!r.ok) throw new Error(r.error);
    writer.update(r.todo.id, { completed: true, priority: 'high', due_date: '2026-12-05' });
    writer.create({ title: '-5 degrees; bring coat' });
    const text = await exportText('csv');
    expect(text.startsWith('\ufeff')).toBe(true);
    const rows = Papa.parse<string[]>(text.slice(1), { skipEmptyLines: true }).data;
    expect(rows[0]).toEqual([
      'title',
      'description',
      'completed',
      'priority',
      'due date',
      'created',
      'updated',
    ]);
    // Both todos share one creation time here, so their order is the id's: find each by its title.
    const link = rows.find((row) => row[0]!.includes('HYPERLINK'))!;
    const coat = rows.find((row) => row[0]!.includes('degrees'))!;
    expect(rows).toHaveLength(3);
    expect(link.slice(0, 5)).toEqual([
      '\'=HYPERLINK("http://x")',
      'line one\nline "two", end',
      'yes',
      'high',
      '2026-12-05',
    ]);
    expect(link[5]).toBe(new Date(wall).toISOString());
    expect(coat[0]).toBe("'-5 degrees; bring coat");
  });

  it('exports only the todos of the chosen filter, never deleted ones', async () => {
    const a = writer.create({ title: 'Done one' });
    const b = writer.create({ title: 'Gone' });
    writer.create({ title: 'Open one' });
    if (!a.ok || !b.ok) throw new Error();
    writer.update(a.todo.id, { completed: true });
    writer.remove(b.todo.id);
    const rows = Papa.parse<string[]>((await exportText('csv', 'completed')).slice(1), {
      skipEmptyLines: true,
    }).data;
    expect(rows.slice(1).map((r) => r[0])).toEqual(['Done one']);
    const all = JSON.parse(await exportText('json')) as { todos: { title: string }[] };
    expect(all.todos.map((t) => t.title).sort()).toEqual(['Done one', 'Open one']);
  });
});

describe('JSON export and import', () => {
  it('documents itself and round-trips 100,000 todos as new todos of this device', async () => {
    const inputs = Array.from({ length: 100_000 }, (_, i) => ({
      title: `Todo ${i}`,
      description: i % 5 === 0 ? `Notes "${i}"\nmore` : null,
      priority: (['low', 'medium', 'high'] as const)[i % 3],
      due_date: i % 7 === 0 ? '2026-12-05T09:30' : null,
    }));
    expect(writer.createMany(inputs).ok).toBe(true);
    const text = await exportText('json');
    const doc = JSON.parse(text) as { format: string; schema: number; todos: unknown[] };
    expect([doc.format, doc.schema, doc.todos.length]).toEqual(['todo-tasker-export', 1, 100_000]);
    const before = live();
    const other = newDeviceId();
    sql = await openMemoryDb();
    deviceId = other;
    clock = createHybridClock(other, () => wall);
    expect(await importText('list.json', text)).toEqual({ added: 100_000, skipped: 0 });
    expect(live()).toEqual(before);
    const owners = sql.all<{ d: string }>('SELECT DISTINCT device_id AS d FROM todos');
    expect(owners).toEqual([{ d: other }]);
    // Measured here at load average 14-24 on 2 shared cores: 40-50 s alone, over 120 s beside two other files.
  }, 300_000);

  it('refuses JSON that is not ours or is of a newer schema', () => {
    expect(parseImport('x.json', '{"todos":[]}')).toEqual({ ok: false, problem: 'not-todo-tasker-json' });
    expect(parseImport('x.json', '{"format":"todo-tasker-export","schema":2,"todos":[]}')).toEqual({
      ok: false,
      problem: 'newer-version',
    });
  });
});

describe('CSV import', () => {
  it('reads quotes, embedded newlines, a BOM and semicolons; matches columns by name', () => {
    const text =
      '\ufeffDone;Name;Notes;Due\r\nyes;"Pay ""rent""";"first\nsecond";2026-01-31\r\nno;Call mum;;\r\n';
    expect(detectDelimiter(text.slice(1))).toBe(';');
    const p = parseImport('list.csv', text);
    expect(p.ok && p.mapping).toEqual({
      title: 1,
      description: 2,
      completed: 0,
      priority: null,
      due: 3,
      created: null,
    });
    expect(p.ok && p.todos).toEqual([
      {
        title: 'Pay "rent"',
        description: 'first\nsecond',
        completed: true,
        priority: 'medium',
        due_date: '2026-01-31',
        created_at: null,
      },
      {
        title: 'Call mum',
        description: null,
        completed: false,
        priority: 'medium',
        due_date: null,
        created_at: null,
      },
    ]);
  });

  it('imports with missing columns, counts rows without a title, and keeps unknown dates empty', () => {
    const p = parseImport('x.csv', 'title,due\nA,tomorrow\n,2026-01-01\nB,2026-13-01\n');
    expect(p.ok && [p.todos.map((t) => [t.title, t.due_date]), p.invalid, p.undatedDue]).toEqual([
      [
        ['A', null],
        ['B', null],
      ],
      1,
      2,
    ]);
  });

  it('refuses a CSV without any column to use as a title unless one is mapped', () => {
    const text = 'foo,bar\nx,y\n';
    expect(parseImport('x.csv', text)).toEqual({ ok: false, problem: 'no-title-column' });
    const mapped = parseImport('x.csv', text, {
      mapping: { title: 1, description: 0, completed: null, priority: null, due: null, created: null },
    });
    expect(mapped.ok && mapped.todos[0]).toMatchObject({ title: 'y', description: 'x' });
  });

  it('reads our own CSV export back into the same list', async () => {
    const r = writer.create({
      title: '@home: fix "door"',
      description: 'a,b\nc',
      priority: 'low',
      due_date: '2026-03-04T05:06',
    });
    if (!r.ok) throw new Error();
    writer.update(r.todo.id, { completed: true });
    const text = await exportText('csv');
    const p = parseImport('todo-tasker-2026-12-01.csv', text);
    expect(p.ok && p.todos).toEqual([
      {
        title: '@home: fix "door"',
        description: 'a,b\nc',
        completed: true,
        priority: 'low',
        due_date: '2026-03-04T05:06',
        created_at: wall,
      },
    ]);
  });
});

describe('Todoist CSV import', () => {
  const sample = [
    'TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE,DURATION,DURATION_UNIT',
    'section,Errands,,,,,,,,,,',
    'task,Buy stamps,At the post office,1,1,Ana (1),,2026-12-05,en,Europe/Lisbon,,',
    'note,Bring the parcel too,,,,Ana (1),,,,,,',
    'task,Water plants,,4,1,Ana (1),,every monday,en,Europe/Lisbon,,',
    ',,,,,,,,,,,',
  ].join('\n');

  it('is detected and imports tasks, with notes in their description', () => {
    const p = parseImport('export.csv', sample);
    expect(p.ok && p.format).toBe('todoist');
    expect(p.ok && p.todos).toEqual([
      {
        title: 'Buy stamps',
        description: 'At the post office\n\nBring the parcel too',
        completed: false,
        priority: 'high',
        due_date: '2026-12-05',
        created_at: null,
      },
      {
        title: 'Water plants',
        description: null,
        completed: false,
        priority: 'medium',
        due_date: null,
        created_at: null,
      },
    ]);
    expect(p.ok && p.undatedDue).toBe(1);
  });
});

describe('plain text import', () => {
  it('makes one todo per non-empty line, reading markdown checkboxes', () => {
    expect(titles(parseImport('list.txt', 'Milk\n\n  - Eggs  \r\n- [x] Bread\n'))).toEqual([
      'Milk',
      'Eggs',
      'Bread',
    ]);
    const p = parseImport('list.txt', '- [x] Bread\n');
    expect(p.ok && p.todos[0]!.completed).toBe(true);
  });
});

describe('re-import', () => {
  it('adds nothing when the same file is imported again, even after a deletion', async () => {
    const text = 'Milk\nEggs\nMilk\n';
    expect(await importText('a.txt', text)).toEqual({ added: 3, skipped: 0 });
    const milk = sql.get<{ id: string }>("SELECT id FROM todos WHERE title = 'Milk'")!;
    writer.remove(milk.id as never);
    expect(await importText('a.txt', text)).toEqual({ added: 0, skipped: 3 });
    expect(await importText('b.txt', 'Milk\nEggs\nMilk\nButter\n')).toEqual({ added: 1, skipped: 3 });
    expect(live().map((r) => r.title)).toEqual(['Butter', 'Eggs', 'Milk']);
  });

  it('derives valid, distinct ids from content and occurrence', async () => {
    const c = (title: string): Candidate => ({
      title,
      description: null,
      completed: false,
      priority: 'medium',
      due_date: null,
      created_at: null,
    });
    const ids = await importIds(deviceId, [c('a'), c('a'), c('b')]);
    expect(new Set(ids).size).toBe(3);
    expect(await importIds(deviceId, [c('a'), c('a'), c('b')])).toEqual(ids);
    for (const id of ids) expect(writer.update(id, { title: 'x' }).ok).toBe(false); // valid ids, not present
  });

  it('keeps the file order in the newest-first list', async () => {
    await importText('a.txt', 'First\nSecond\nThird\n');
    const order = sql
      .all<{ title: string }>('SELECT title FROM todos ORDER BY created_at DESC')
      .map((r) => r.title);
    expect(order).toEqual(['First', 'Second', 'Third']);
  });
});

describe('due dates in imports', () => {
  it('accepts calendar dates and ISO times as written, refuses other text', () => {
    expect(parseDue('2026-12-05')).toBe('2026-12-05');
    expect(parseDue('2026-12-05 09:30:00')).toBe('2026-12-05T09:30');
    expect(parseDue('2026-12-05T09:30:00.000Z')).toBe('2026-12-05T09:30');
    expect(parseDue('')).toBeNull();
    expect(parseDue('next week')).toBeUndefined();
    expect(parseDue('2026-02-30')).toBeUndefined();
  });
});
