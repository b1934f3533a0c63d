/**
 * Reading a file to import: our JSON export, a CSV (columns matched by name, or as the user maps
 * them), a Todoist CSV export, or plain text (one todo per line). Pure: text in, checked candidate
 * todos out; nothing is written here (lib/backup/import-jobs.ts writes).
 */
import Papa from 'papaparse';
import { isDueDate, type DueDate } from '../model/due-date';
import { checkDescription, checkTitle, type Priority } from '../model/todo';
import { EXPORT_FORMAT, EXPORT_SCHEMA } from './export-file';

export const IMPORT_FORMATS = ['json', 'csv', 'todoist', 'text'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export const TARGET_FIELDS = ['title', 'description', 'completed', 'priority', 'due', 'created'] as const;
export type TargetField = (typeof TARGET_FIELDS)[number];
/** Column index per field, or null for "not imported". */
export type Mapping = Record<TargetField, number | null>;

export const MAX_IMPORT_ROWS = 200_000;
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;

export interface Candidate {
  title: string;
  description: string | null;
  completed: boolean;
  priority: Priority;
  due_date: DueDate | null;
  /** ms, when the file says when the todo was made */
  created_at: number | null;
}

export type ImportProblem =
  'empty' | 'not-todo-tasker-json' | 'newer-version' | 'no-title-column' | 'too-many-rows' | 'too-large';

export type Parsed =
  | {
      ok: true;
      format: ImportFormat;
      /** CSV header names (csv and todoist), else [] */
      columns: string[];
      mapping: Mapping | null;
      todos: Candidate[];
      /** rows that could not become a todo (no title, title too long…) */
      invalid: number;
      /** due dates present but not understood (left empty) */
      undatedDue: number;
    }
  | { ok: false; problem: ImportProblem };

/** Header names each field matches, lowercased, first match wins (our CSV export's names first). */
const SYNONYMS: Record<TargetField, string[]> = {
  title: ['title', 'name', 'task', 'task name', 'content', 'subject', 'todo', 'to do', 'item'],
  description: ['description', 'notes', 'note', 'details', 'body', 'comment', 'comments'],
  completed: ['completed', 'done', 'complete', 'status', 'is completed', 'checked'],
  priority: ['priority', 'importance'],
  due: ['due date', 'due', 'deadline', 'date due', 'due_date', 'duedate', 'date'],
  created: ['created', 'created at', 'created_at', 'creation date', 'date created', 'added'],
};

export function guessMapping(columns: string[]): Mapping {
  const norm = columns.map((c) => c.trim().toLowerCase());
  const used = new Set<number>();
  const m = {} as Mapping;
  for (const f of TARGET_FIELDS) {
    m[f] = null;
    for (const name of SYNONYMS[f]) {
      const i = norm.findIndex((c, k) => c === name && !used.has(k));
      if (i >= 0) {
        m[f] = i;
        used.add(i);
        break;
      }
    }
  }
  return m;
}

/** Our CSV export (and other tools) prefix formula-like cells with `'`; take it off again. */
const unescapeCell = (s: string) => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);

const TRUE_WORDS = new Set([
  'yes',
  'y',
  'true',
  '1',
  'x',
  'done',
  'completed',
  'complete',
  'checked',
  '✓',
  '✔',
]);
export const parseCompleted = (s: string) => TRUE_WORDS.has(s.trim().toLowerCase());

export function parsePriority(s: string): Priority {
  const v = s.trim().toLowerCase();
  if (['high', 'h', 'urgent', 'important', '!!!', 'p1'].includes(v)) return 'high';
  if (['low', 'l', '!', 'p3', 'p4'].includes(v)) return 'low';
  return 'medium';
}

/** `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` or ISO 8601 with a time: the written date and minute, kept floating. */
export function parseDue(s: string): DueDate | null | undefined {
  const v = s.trim();
  if (v === '') return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(
    v,
  );
  if (!m) return undefined;
  const d = m[2] !== undefined ? `${m[1]}T${m[2]}:${m[3]}` : m[1]!;
  return isDueDate(d) ? d : undefined;
}

function parseCreated(s: string): number | null {
  const v = s.trim();
  if (!/^\d{4}-\d{2}-\d{2}/.test(v)) return null;
  const t = Date.parse(v);
  return Number.isFinite(t) && t > 0 ? t : null;
}

/** `,`, `;` or tab: whichever the header line has most of, outside quotes. */
export function detectDelimiter(text: string): string {
  const line = text
    .slice(0, 4096)
    .split(/\r?\n/, 1)[0]!
    .replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((d) => [d, line.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ',';
}

type Built = { ok: true; c: Candidate; dueLost: boolean } | { ok: false };

function build(fields: {
  title: string;
  description?: string;
  completed?: boolean;
  priority?: Priority;
  due?: string;
  created?: string;
}): Built {
  const title = checkTitle(unescapeCell(fields.title));
  if (!title.ok) return { ok: false };
  const d = checkDescription(unescapeCell(fields.description ?? ''));
  if (!d.ok) return { ok: false };
  const due = parseDue(fields.due ?? '');
  return {
    ok: true,
    dueLost: due === undefined,
    c: {
      title: title.value,
      description: d.value === '' ? null : d.value,
      completed: fields.completed ?? false,
      priority: fields.priority ?? 'medium',
      due_date: due ?? null,
      created_at: fields.created ? parseCreated(fields.created) : null,
    },
  };
}

function collect(
  rows: Iterable<Built>,
  base: Omit<Extract<Parsed, { ok: true }>, 'ok' | 'todos' | 'invalid' | 'undatedDue'>,
): Parsed {
  const todos: Candidate[] = [];
  let invalid = 0;
  let undatedDue = 0;
  for (const b of rows) {
    if (!b.ok) {
      invalid++;
      continue;
    }
    if (b.dueLost) undatedDue++;
    todos.push(b.c);
    if (todos.length > MAX_IMPORT_ROWS) return { ok: false, problem: 'too-many-rows' };
  }
  if (todos.length === 0 && invalid === 0) return { ok: false, problem: 'empty' };
  return { ok: true, ...base, todos, invalid, undatedDue };
}

function parseText(text: string): Parsed {
  const lines = text
    .replace(/^\ufeff/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  return collect(
    lines.map((l) => {
      // Markdown task lists ("- [x] Pay rent") keep their checkbox; other bullets are dropped.
      const m = /^\s*(?:[-*+]\s+)?(?:\[([ xX])\]\s+)?(.*)$/.exec(l)!;
      return build({ title: m[2]!, completed: m[1] !== undefined && m[1] !== ' ' });
    }),
    { format: 'text', columns: [], mapping: null },
  );
}

function parseJson(text: string): Parsed {
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch {
    return { ok: false, problem: 'not-todo-tasker-json' };
  }
  const o = v as { format?: unknown; schema?: unknown; todos?: unknown } | null;
  if (!o || o.format !== EXPORT_FORMAT || typeof o.schema !== 'number' || !Array.isArray(o.todos))
    return { ok: false, problem: 'not-todo-tasker-json' };
  if (o.schema > EXPORT_SCHEMA) return { ok: false, problem: 'newer-version' };
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  return collect(
    (o.todos as unknown[]).map((t) => {
      const r = (t ?? {}) as Record<string, unknown>;
      return build({
        title: str(r.title),
        description: str(r.description),
        completed: r.completed === true,
        priority: typeof r.priority === 'string' ? parsePriority(r.priority) : 'medium',
        due: str(r.due_date),
        created: str(r.created_at),
      });
    }),
    { format: 'json', columns: [], mapping: null },
  );
}

function csvRows(text: string): string[][] {
  const r = Papa.parse<string[]>(text, {
    delimiter: detectDelimiter(text.replace(/^\ufeff/, '')),
    skipEmptyLines: 'greedy',
  });
  return r.data;
}

/**
 * Todoist's CSV export: TYPE (task, section, note), CONTENT, DESCRIPTION, PRIORITY (1 = p1, the
 * highest … 4 = p4, no priority), DATE (often natural language such as "every monday": only
 * calendar dates are understood). Notes are added to the description of the task above them.
 */
function parseTodoist(rows: string[][], columns: string[]): Parsed {
  const col = (n: string) => columns.findIndex((c) => c.trim().toUpperCase() === n);
  const [type, content, desc, prio, date] = ['TYPE', 'CONTENT', 'DESCRIPTION', 'PRIORITY', 'DATE'].map(col);
  const out: Built[] = [];
  const prioOf = (s: string): Priority => (s === '1' || s === '2' ? 'high' : 'medium');
  for (const r of rows.slice(1)) {
    const kind = (r[type!] ?? '').trim().toLowerCase();
    const cell = (i: number | undefined) => (i !== undefined && i >= 0 ? (r[i] ?? '') : '');
    if (kind === 'task')
      out.push(
        build({
          title: cell(content),
          description: cell(desc),
          priority: prioOf(cell(prio).trim()),
          due: cell(date),
        }),
      );
    else if (kind === 'note') {
      const last = out[out.length - 1];
      const note = cell(content).trim();
      if (last?.ok && note) {
        const d = checkDescription(last.c.description ? `${last.c.description}\n\n${note}` : note);
        if (d.ok) last.c.description = d.value;
      }
    }
  }
  return collect(out, { format: 'todoist', columns, mapping: null });
}

function parseCsv(rows: string[][], mapping: Mapping | undefined): Parsed {
  const columns = rows[0]!.map((c) => c.replace(/^\ufeff/, ''));
  const m = mapping ?? guessMapping(columns);
  if (m.title === null) return { ok: false, problem: 'no-title-column' };
  const cell = (r: string[], i: number | null) => (i === null ? undefined : (r[i] ?? ''));
  return collect(
    rows.slice(1).map((r) => {
      const completed = cell(r, m.completed);
      const priority = cell(r, m.priority);
      return build({
        title: cell(r, m.title)!,
        description: cell(r, m.description),
        completed: completed === undefined ? false : parseCompleted(completed),
        priority: priority === undefined ? 'medium' : parsePriority(priority),
        due: cell(r, m.due),
        created: cell(r, m.created),
      });
    }),
    { format: 'csv', columns, mapping: m },
  );
}

export function detectFormat(name: string, text: string): ImportFormat {
  const lower = name.toLowerCase();
  const start = text.replace(/^\ufeff/, '').trimStart();
  if (lower.endsWith('.json') || start.startsWith('{')) return 'json';
  if (lower.endsWith('.txt') || lower.endsWith('.md')) return 'text';
  const header = csvRows(text.slice(0, 65536).split(/\r?\n/, 1)[0] ?? '')[0] ?? [];
  const up = header.map((h) =>
    h
      .replace(/^\ufeff/, '')
      .trim()
      .toUpperCase(),
  );
  if (up.includes('TYPE') && up.includes('CONTENT')) return 'todoist';
  if (lower.endsWith('.csv') || lower.endsWith('.tsv') || header.length > 1) return 'csv';
  return 'text';
}

/** Parses a whole file; `format` and `mapping` override detection (the preview's choices). */
export function parseImport(
  name: string,
  text: string,
  opts: { format?: ImportFormat; mapping?: Mapping } = {},
): Parsed {
  if (text.replace(/^\ufeff/, '').trim() === '') return { ok: false, problem: 'empty' };
  const format = opts.format ?? detectFormat(name, text);
  if (format === 'json') return parseJson(text);
  if (format === 'text') return parseText(text);
  const rows = csvRows(text);
  if (rows.length === 0) return { ok: false, problem: 'empty' };
  if (rows.length - 1 > MAX_IMPORT_ROWS) return { ok: false, problem: 'too-many-rows' };
  const columns = rows[0]!.map((c) => c.replace(/^\ufeff/, ''));
  return format === 'todoist' ? parseTodoist(rows, columns) : parseCsv(rows, opts.mapping);
}
