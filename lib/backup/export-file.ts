/**
 * Plain exports of the list (or of the list's current filter and search): our JSON format and CSV.
 * Written in pages of EXPORT_CHUNK todos into Blob parts; deleted todos are never exported.
 */
import Papa from 'papaparse';
import { countExport, pageExport, type ExportQuery } from '../db/backup-store';
import type { Sql } from '../db/sql';
import type { Todo } from '../model/todo';
import { yieldToEvents, type Progress } from './backup-jobs';

export const EXPORT_FORMAT = 'todo-tasker-export';
export const EXPORT_SCHEMA = 1;
export const EXPORT_CHUNK = 2000;
export type ExportKind = 'json' | 'csv';

/** Column names of the CSV export, also the names the CSV import matches first. */
export const CSV_COLUMNS = [
  'title',
  'description',
  'completed',
  'priority',
  'due date',
  'created',
  'updated',
] as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** One todo in the JSON export (schema 1, docs/backup.md). */
export interface ExportedTodo {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  priority: Todo['priority'];
  due_date: string | null;
  created_at: string;
  updated_at: string;
}

const jsonTodo = (t: Todo): ExportedTodo => ({
  id: t.id,
  title: t.title,
  description: t.description,
  completed: t.completed,
  priority: t.priority,
  due_date: t.due_date,
  created_at: iso(t.created_at),
  updated_at: iso(t.updated_at),
});

const csvRow = (t: Todo) => [
  t.title,
  t.description ?? '',
  t.completed ? 'yes' : 'no',
  t.priority,
  t.due_date ?? '',
  iso(t.created_at),
  iso(t.updated_at),
];

/**
 * CSV cells go through papaparse's quoting (quotes doubled, fields with separators or line breaks
 * quoted) with `escapeFormulae`: a cell starting with = + - @ tab or CR gets a leading `'`, so a
 * spreadsheet shows it as text instead of running it (OWASP "CSV injection"). Our import removes
 * that `'` again.
 */
function csvChunk(rows: string[][], header: boolean): string {
  return Papa.unparse(
    { fields: [...CSV_COLUMNS], data: rows },
    { escapeFormulae: true, newline: '\r\n', header, quotes: false },
  );
}

export function exportFileName(kind: ExportKind, now: number): string {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, '0');
  return `todo-tasker-${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}.${kind}`;
}

export async function exportTodos(
  kind: ExportKind,
  query: ExportQuery,
  deps: { sql: Sql; now?: () => number; onProgress?: Progress },
): Promise<{ blob: Blob; todos: number }> {
  const { sql } = deps;
  const now = (deps.now ?? Date.now)();
  const total = countExport(sql, query);
  const parts: string[] = [];
  if (kind === 'json')
    parts.push(
      `{"format":${JSON.stringify(EXPORT_FORMAT)},"schema":${EXPORT_SCHEMA},"exported_at":${JSON.stringify(iso(now))},` +
        `"filter":${JSON.stringify(query.filter)},"search":${JSON.stringify(query.search)},"todos":[\n`,
    );
  else parts.push('\ufeff'); // lets spreadsheet apps read the file as UTF-8
  let after: { created: number; id: string } | null = null;
  let done = 0;
  for (;;) {
    const page = pageExport(sql, query, after, EXPORT_CHUNK);
    if (page.length === 0) break;
    if (kind === 'json')
      parts.push((done ? ',\n' : '') + page.map((t) => JSON.stringify(jsonTodo(t))).join(',\n'));
    else parts.push((done ? '\r\n' : '') + csvChunk(page.map(csvRow), done === 0));
    const last = page[page.length - 1]!;
    after = { created: last.created_at, id: last.id };
    done += page.length;
    deps.onProgress?.(done, total);
    await yieldToEvents();
  }
  if (kind === 'json') parts.push('\n]}\n');
  else parts.push(done === 0 ? csvChunk([], true) + '\r\n' : '\r\n');
  const type = kind === 'json' ? 'application/json' : 'text/csv;charset=utf-8';
  return { blob: new Blob(parts, { type }), todos: done };
}
