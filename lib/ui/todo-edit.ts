/**
 * The editor's save: a patch of only the fields the person changed, compared with the todo as it was
 * when editing began. Sending every field re-stamped the untouched ones, so a title fix here undid a
 * due date set meanwhile on another device (issue 12); a field left alone must not be written.
 */
import { dueDateFromInputs, dueDateToInputs } from '../model/due-date';
import type { Priority, SyncField } from '../model/todo';
import type { TodoPatch, WireTodo } from '../messages/todo-schema';

/** The editor's fields as typed: `date` and `time` are `<input type=date|time>` values. */
export interface EditForm {
  title: string;
  description: string;
  priority: Priority;
  date: string;
  time: string;
}

export function formOf(todo: WireTodo): EditForm {
  return {
    title: todo.title,
    description: todo.description ?? '',
    priority: todo.priority,
    ...dueDateToInputs(todo.due_date),
  };
}

/**
 * `before` is the todo as the editor opened it. Text is compared the way the writer stores it
 * (trimmed; an empty description is none), so retyping the same words changes nothing.
 */
export function editPatch(
  before: WireTodo,
  form: EditForm,
): { ok: true; patch: TodoPatch } | { ok: false; error: string } {
  const patch: TodoPatch = {};
  if (form.title.trim() !== before.title) patch.title = form.title;
  const description = form.description.trim();
  if ((description === '' ? null : description) !== before.description)
    patch.description = description === '' ? null : form.description;
  if (form.priority !== before.priority) patch.priority = form.priority;
  if (form.date === '' && form.time !== '') return { ok: false, error: 'A due time needs a due date.' };
  const due = dueDateFromInputs(form.date, form.time);
  if (due === undefined) return { ok: false, error: 'The due date is not a valid date.' };
  if (due !== before.due_date) patch.due_date = due;
  return { ok: true, patch };
}

/** The editor's fields that show each todo field; completed and deleted have none. */
const FORM_FIELDS: Partial<Record<SyncField, (keyof EditForm)[]>> = {
  title: ['title'],
  description: ['description'],
  priority: ['priority'],
  due_date: ['date', 'time'],
};

/**
 * The editor once History wrote `field` (a restore), `after` being the todo as written: that field
 * shows the restored value and counts as unchanged, so Save neither sends it again nor writes the
 * old value back. Every other field keeps what was typed, and its comparison with `before`.
 */
export function withRestored(
  before: WireTodo,
  form: EditForm,
  after: WireTodo,
  field: SyncField,
): { before: WireTodo; form: EditForm } {
  const keys = FORM_FIELDS[field];
  if (!keys) return { before, form };
  const shown = formOf(after);
  const next = { ...form };
  for (const k of keys) (next[k] as string) = shown[k];
  return { before: { ...before, [field]: after[field] }, form: next };
}
