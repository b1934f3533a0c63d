/** Conversion between the merge model's SyncRow and the compact WireRow of messages.ts. */
import type { Hlc } from '../model/hlc';
import {
  boundedOf,
  extrasOf,
  extrasText,
  parseExtras,
  withExtras,
  type CausalExtras,
} from '../model/causal-extras';
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

/**
 * Stamp indexes in `x` (a row's causal contexts beyond its stamps, v6): one character each, so a row
 * names at most 62 distinct stamps. `h` keeps digits: the six field stamps come first in `s`.
 */
export const STAMP_INDEX_CHARS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const WIRE_STAMPS_MAX = STAMP_INDEX_CHARS.length;

/**
 * Extras whose stamps do not all fit are sent weaker, one field context at a time: the field whose
 * extras free the most stamps (the first in SYNC_FIELDS order on a tie) is sent as unknown (it then
 * reports nothing at the receiver, never a false alarm), until the rest fits. A bounded row
 * (CAUSAL_DEVICES_MAX, lib/model/conflicts.ts) always fits once its fields are unknown, since its
 * `seen` and field stamps name at most 62; only a row past the bound would lose its `seen` extras.
 */
function fitting(e: CausalExtras, base: number): CausalExtras {
  const count = (fields: CausalExtras['fields']) =>
    new Set([...fields.flatMap((g) => g ?? []), ...e.seen]).size;
  const fields = [...e.fields];
  let n = count(fields);
  while (base + n > WIRE_STAMPS_MAX) {
    let best = -1;
    let bestN = n;
    for (let i = 0; i < fields.length; i++) {
      if (!fields[i]?.length) continue;
      const without = count(fields.map((g, j) => (j === i ? null : g)));
      if (without < bestN) [best, bestN] = [i, without];
    }
    if (best < 0) return { fields: fields.map(() => null), seen: [] };
    fields[best] = null;
    n = bestN;
  }
  return fields.every((g, i) => g === e.fields[i]) ? e : { fields, seen: e.seen };
}

export function toWireRow(r: SyncRow): WireRow {
  const s: Hlc[] = [];
  let h = '';
  for (const f of SYNC_FIELDS) {
    let i = s.indexOf(r.hlc[f]);
    if (i < 0) i = s.push(r.hlc[f]) - 1;
    h += i;
  }
  const row: WireRow = {
    id: r.id,
    c: r.created_at,
    f: [r.title, r.description, r.completed, r.priority, r.due_date, r.deleted],
    s,
    h,
  };
  // A row stored before contexts were bounded is sent as a merge would now bound it.
  const extras = extrasOf(boundedOf(r));
  if (extras) {
    const index = (stamp: Hlc) => {
      let i = s.indexOf(stamp);
      if (i < 0) i = s.push(stamp) - 1;
      return STAMP_INDEX_CHARS[i]!;
    };
    row.x = extrasText(fitting(extras, s.length), index, '');
  }
  return row;
}

/** The extras of a checked wire row's `x` (isWireRow has checked every index). */
function extrasOfWire(w: WireRow): CausalExtras | null {
  if (w.x === undefined) return null;
  const split = (g: string) => [...g].map((ch) => w.s[STAMP_INDEX_CHARS.indexOf(ch)]!);
  return parseExtras(w.x, split) ?? null;
}

export function fromWireRow(w: WireRow): SyncRow {
  const stamp = (i: number) => w.s[Number(w.h[i])]!;
  const [title, description, completed, priority, due_date, deleted] = w.f;
  const row: SyncRow = {
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
  const extras = extrasOfWire(w);
  return extras ? withExtras(row, extras) : row;
}
