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

/** The device's name as written (isolated where shown), or null for this device. */
export const deviceName = (s: ConflictSide): string | null =>
  s.self ? null : (s.deviceName ?? 'another device');

/**
 * One line saying what happened, in parts so each device name can be shown isolated (`<bdi>`: a
 * name from another device is text of any direction and must not reorder the sentence):
 * "Deleted on Phone, edited here", "Title changed here and on Phone".
 */
export function summaryParts(c: ConflictItem): { text: string; name?: string }[] {
  const where = (s: ConflictSide) => {
    const name = deviceName(s);
    return name === null ? [{ text: 'here' }] : [{ text: 'on ' }, { text: '', name }];
  };
  if (c.kind === 'deletion')
    return [{ text: 'Deleted ' }, ...where(c.shown), { text: ', edited ' }, ...where(c.other)];
  return [
    { text: `${FIELD_LABEL[c.field]} changed ` },
    ...where(c.other),
    { text: ' and ' },
    ...where(c.shown),
  ];
}

/** The summary as plain text. */
export const summary = (c: ConflictItem): string =>
  summaryParts(c)
    .map((p) => p.name ?? p.text)
    .join('');
