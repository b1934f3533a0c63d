/** Conversion between the merge model's SyncRow and the compact WireRow of messages.ts. */
import type { Hlc } from '../model/hlc';
import { creatorOf } from '../model/ids';
import type { SyncRow } from '../model/merge';
import { SYNC_FIELDS } from '../model/todo';
import type { DeviceMessageType } from './envelope';
import type { WirePayloadOf, WireRow } from './messages';

/**
 * A payload already serialised to JSON, so a sync batch serialises each row once: the sender sizes
 * the batch from each row's text and joins those texts (`batchJson`) instead of stringifying the rows
 * again. Made only here, from typed parts.
 */
export interface SerializedPayload<T extends DeviceMessageType> {
  readonly type: T;
  readonly json: string;
}
export const isSerialized = (p: unknown): p is SerializedPayload<DeviceMessageType> =>
  typeof p === 'object' && p !== null && 'json' in p && typeof (p as { json: unknown }).json === 'string';

/** One row's wire JSON. */
export const wireRowJson = (r: SyncRow): string => JSON.stringify(toWireRow(r));

/** A SYNC_DATA or SYNC_COMPLETE payload from its fields and rows already in wire JSON (wireRowJson). */
export function batchJson<T extends 'SYNC_DATA' | 'SYNC_COMPLETE'>(
  type: T,
  head: Omit<WirePayloadOf<T>, 'rows'>,
  rows: readonly string[],
): SerializedPayload<T> {
  const { vector, ...rest } = head as Omit<WirePayloadOf<'SYNC_COMPLETE'>, 'rows'>;
  const before = JSON.stringify(rest).slice(0, -1);
  const after = vector === undefined ? '' : `,"vector":${JSON.stringify(vector)}`;
  return { type, json: `${before},"rows":[${rows.join(',')}]${after}}` };
}

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
