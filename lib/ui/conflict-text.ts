/** Words for a conflict (issue 14): its values and devices as text, never HTML. */
import type { ConflictItem, ConflictSide } from '../messages/conflict-schema';
import type { SyncField } from '../model/todo';
import { isDueDate } from '../model/due-date';
import { formatDue } from './due';

export const FIELD_LABEL: Record<SyncField, string> = {
  title: 'Title',
  description: 'Notes',
  completed: 'Done',
  priority: 'Priority',
  due_date: 'Due date',
  deleted: 'Deleted',
};

export function valueText(field: SyncField, v: ConflictSide['value']): string {
  switch (field) {
    case 'completed':
      return v ? 'Done' : 'Not done';
    case 'deleted':
      return v ? 'Deleted' : 'Not deleted';
    case 'priority':
      return `${String(v)} priority`;
    case 'due_date':
      return typeof v === 'string' && isDueDate(v) ? `Due ${formatDue(v)}` : 'No due date';
    case 'description':
      return v === null || v === '' ? 'No notes' : String(v);
    case 'title':
      return String(v);
  }
}

/** "here" or "on Phone" (a device never named in a sync: "on another device"). */
export const onDevice = (s: ConflictSide): string =>
  s.self ? 'here' : `on ${s.deviceName ?? 'another device'}`;

/** One line saying what happened: "Deleted on Phone, edited here", "Title changed here and on Phone". */
export function summary(c: ConflictItem): string {
  if (c.kind === 'deletion') return `Deleted ${onDevice(c.shown)}, edited ${onDevice(c.other)}`;
  return `${FIELD_LABEL[c.field]} changed ${onDevice(c.other)} and ${onDevice(c.shown)}`;
}
