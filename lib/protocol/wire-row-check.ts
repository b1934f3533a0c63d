/**
 * The hot-path check of an inbound wire row: exactly as strict as `wireRowSchema` (messages.ts), which
 * stays the row's specification and its JSON Schema fixture; `tests/unit/wire-row-check.test.ts`
 * holds the two to the same verdict on random rows. Why not zod here: a 100,000-row sync validated
 * every row through zod (0.29 s, 7 % of the sync, issue 13); this loop does the same checks without
 * building issue objects or transformed copies.
 */
import { isHlc } from '../model/hlc';
import { isTodoId } from '../model/ids';
import { isDueDate } from '../model/due-date';
import { DESCRIPTION_MAX, PRIORITIES, TITLE_MAX } from '../model/todo';
import type { WireRow } from './messages';

/** A row's `x` (messages.ts wireRowSchema): up to 7 groups of stamp indexes, a field group may be `-`. */
export const WIRE_X_RE = /^(?:-|[0-9a-zA-Z]*)(?:,(?:-|[0-9a-zA-Z]*)){0,5}(?:,[0-9a-zA-Z]*)?$/;
export const WIRE_X_MAX = 440;

const ROW_KEYS = ['id', 'c', 'f', 's', 'h'] as const;
const STAMP_INDEXES = /^[0-5]{6}$/;
const STAMPS_MAX = 62;
const priorities: ReadonlySet<unknown> = new Set(PRIORITIES);

const isCount = (n: unknown): n is number =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;

/** True when `x` is a valid wire row (the same verdict as `wireRowSchema.safeParse(x).success`). */
export function isWireRow(x: unknown): x is WireRow {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const keys = Object.keys(x);
  const hasX = Object.hasOwn(x, 'x');
  if (keys.length !== ROW_KEYS.length + (hasX ? 1 : 0)) return false;
  for (const k of ROW_KEYS) if (!Object.hasOwn(x, k)) return false;
  const r = x as Record<(typeof ROW_KEYS)[number] | 'x', unknown>;
  if (typeof r.id !== 'string' || r.id.length > 80 || !isTodoId(r.id)) return false;
  if (!isCount(r.c)) return false;
  const f = r.f;
  if (!Array.isArray(f) || f.length !== 6) return false;
  const [title, description, completed, priority, due, deleted] = f as unknown[];
  if (typeof title !== 'string' || title.length < 1 || title.length > TITLE_MAX) return false;
  if (description !== null && (typeof description !== 'string' || description.length > DESCRIPTION_MAX))
    return false;
  if (typeof completed !== 'boolean' || typeof deleted !== 'boolean') return false;
  if (!priorities.has(priority)) return false;
  if (due !== null && !isDueDate(due)) return false;
  const s = r.s;
  if (!Array.isArray(s) || s.length < 1 || s.length > STAMPS_MAX) return false;
  for (const stamp of s) if (!isHlc(stamp)) return false;
  if (typeof r.h !== 'string' || !STAMP_INDEXES.test(r.h)) return false;
  for (let i = 0; i < 6; i++) if (r.h.charCodeAt(i) - 48 >= s.length) return false;
  // An own `x` holding undefined passes, as zod's optional() lets it (JSON never makes one).
  if (hasX && r.x !== undefined) {
    const v = r.x;
    if (typeof v !== 'string' || v.length < 1 || v.length > WIRE_X_MAX || !WIRE_X_RE.test(v)) return false;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c === 44 || c === 45) continue; // , -
      const n = c <= 57 ? c - 48 : c <= 90 ? c - 29 : c - 87;
      if (n >= s.length) return false;
    }
  }
  return true;
}
