/** Conversion between the merge model's SyncRow and the compact WireRow of messages.ts. */
import type { Hlc } from '../model/hlc';
import { creatorOf } from '../model/ids';
import type { SyncRow } from '../model/merge';
import { SYNC_FIELDS } from '../model/todo';
import type { WireRow } from './messages';

export function toWireRow(r: SyncRow): WireRow {
  const s: Hlc[] = [];
  let h = '';
  for (const f of SYNC_FIELDS) {
    let i = s.indexOf(r.hlc[f]);
    if (i < 0) i = s.push(r.hlc[f]) - 1;
    h += i;
  }
  return {
    id: r.id,
    c: r.created_at,
    f: [r.title, r.description, r.completed, r.priority, r.due_date, r.deleted],
    s,
    h,
  };
}

export function fromWireRow(w: WireRow): SyncRow {
  const stamp = (i: number) => w.s[Number(w.h[i])]!;
  const [title, description, completed, priority, due_date, deleted] = w.f;
  return {
    id: w.id,
    device_id: creatorOf(w.id),
    created_at: w.c,
    title,
    description,
    completed,
    priority,
    due_date,
    deleted,
    hlc: {
      title: stamp(0),
      description: stamp(1),
      completed: stamp(2),
      priority: stamp(3),
      due_date: stamp(4),
      deleted: stamp(5),
    },
  };
}
