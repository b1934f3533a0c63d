/**
 * The todo model shared by every layer. Syncable fields each carry their own HLC stamp, so merge is
 * last-writer-wins per field (see merge in lib/model/merge.ts).
 */
import type { DeviceId, TodoId } from './ids';
import type { Hlc } from './hlc';
import type { DueDate } from './due-date';

export const PRIORITIES = ['low', 'medium', 'high'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Fields that sync, each with its own stamp. Names match the SQL columns. */
export const SYNC_FIELDS = ['title', 'description', 'completed', 'priority', 'due_date', 'deleted'] as const;
export type SyncField = (typeof SYNC_FIELDS)[number];

export const TITLE_MAX = 500;
export const DESCRIPTION_MAX = 10_000;

export interface Todo {
  id: TodoId;
  title: string;
  description: string | null;
  completed: boolean;
  priority: Priority;
  /** `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, floating local time (lib/model/due-date.ts), or null */
  due_date: DueDate | null;
  /** creator device */
  device_id: DeviceId;
  created_at: number;
  /** wall-clock ms of the last change seen here; for display and sort only, never for merge */
  updated_at: number;
  deleted: boolean;
}

/** A todo as it syncs: every field value plus its stamp. */
export interface TodoRecord extends Todo {
  hlc: Record<SyncField, Hlc>;
}

export type FieldValues = {
  title: string;
  description: string | null;
  completed: boolean;
  priority: Priority;
  due_date: DueDate | null;
  deleted: boolean;
};

export type TextCheck = { ok: true; value: string } | { ok: false; error: string };

/** Titles are trimmed; empty is refused; over TITLE_MAX is refused with a message (never silently cut). */
export function checkTitle(raw: string): TextCheck {
  const value = raw.trim();
  if (value.length === 0) return { ok: false, error: 'A todo needs a title.' };
  if (value.length > TITLE_MAX)
    return {
      ok: false,
      error: `Titles can be at most ${TITLE_MAX} characters (this one has ${value.length}).`,
    };
  return { ok: true, value };
}

export function checkDescription(raw: string): TextCheck {
  const value = raw.trim();
  if (value.length > DESCRIPTION_MAX)
    return {
      ok: false,
      error: `Descriptions can be at most ${DESCRIPTION_MAX} characters (this one has ${value.length}).`,
    };
  return { ok: true, value };
}

export const isPriority = (p: unknown): p is Priority =>
  typeof p === 'string' && (PRIORITIES as readonly string[]).includes(p);
