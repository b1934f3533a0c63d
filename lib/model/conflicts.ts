/**
 * Which overwrites are conflicts (issue 14). Last-writer-wins per field (merge.ts) decides what a
 * todo shows; this module says, for each value a merge throws away, whether the write that beat it
 * was made without knowing it: a true concurrent edit, which the user should hear about.
 *
 * Causality is tracked per todo, with vectors of HLC stamps (one entry per device, that device's
 * greatest write to this todo known). A device holds, per todo, `seen`: every write to the todo it
 * has made or received a copy of the todo carrying, directly or through another device's `seen`
 * (receiving a copy of the todo joins the sender's `seen` into ours). Each field value keeps
 * `ctx`: its writer's `seen` when it wrote it, itself included. Because a device's writes to one
 * todo are made one after another and `seen` is joined whole, the writes of a device that a vector
 * covers are always a prefix of them, so a vector is exact: write `l` is in the past of value `W`
 * iff `W.ctx[device of l] >= l`.
 *
 * Definition. A merge that keeps value W of field f (stamp w) and discards value L (stamp l < w)
 * reports a **conflict** iff l is not in W's past (W's writer had not seen L). A later edit made
 * after seeing the earlier one is therefore never a conflict, whichever device made it. Deletion vs
 * edit: a todo deleted by D (the `deleted` field's value `true`) while field f was edited by E is a
 * conflict iff neither write is in the other's past; the edit is not discarded (it stays under the
 * tombstone) but hidden, and reported the same way, with the deletion as the value shown now.
 *
 * A conflict's identity is (todo, field, loser stamp). It is **open** while the field's current value
 * does not cover the loser: any later write of the field by a device that had seen both (a "Keep
 * this one", a "Dismiss" that re-stamps the winner, or an ordinary edit) closes it on every device
 * that receives that write.
 *
 * Values written before contexts existed have none (`ctx` empty): they are treated as having seen
 * everything older than themselves, so an upgrade reports nothing it cannot prove.
 */
import { deviceOfHlc, type Hlc } from './hlc';
import type { SyncRow } from './merge';
import { SYNC_FIELDS, type FieldValues, type SyncField } from './todo';

/** One stamp per device, sorted; `[]` = unknown (older than contexts). */
export type Ctx = readonly Hlc[];

export interface CausalRow extends SyncRow {
  ctx: Record<SyncField, Ctx>;
  /** The holder's knowledge of this todo; travels with the row and is joined on receipt. */
  seen: Ctx;
}

export type FieldValue = FieldValues[SyncField];

export interface Conflict {
  field: SyncField;
  loser: { value: FieldValue; hlc: Hlc; ctx: Ctx };
  /** For a deletion vs an edit: the deletion (`field` is then the edited field). */
  winner: { value: FieldValue; hlc: Hlc; field: SyncField };
}

export function covers(ctx: Ctx, s: Hlc): boolean {
  const d = deviceOfHlc(s);
  for (const c of ctx) if (c >= s && deviceOfHlc(c) === d) return true;
  return false;
}

/** `value` with context `ctx` had seen `s`; a value without context is taken to have seen anything older. */
const pastOf = (ctx: Ctx, own: Hlc, s: Hlc): boolean => (ctx.length === 0 ? s < own : covers(ctx, s));

export function join(a: Ctx, b: Ctx): Ctx {
  const m = new Map<string, Hlc>();
  for (const s of [...a, ...b]) {
    const d = deviceOfHlc(s);
    const cur = m.get(d);
    if (!cur || s > cur) m.set(d, s);
  }
  return [...m.values()].sort();
}

const CONTENT: readonly SyncField[] = SYNC_FIELDS.filter((f) => f !== 'deleted');

/**
 * The most devices a todo's `seen`, or a value's `ctx`, names (review H2). A circle has at most
 * MAX_MEMBERS (32, lib/circle/roster.ts) devices at a time; 24 more leave room for members that left
 * or were replaced over the todo's life. 56 + the row's 6 field stamps = 62, what one wire row can
 * name (WIRE_STAMPS_MAX), so a bounded `seen` always travels whole.
 *
 * Past the bound (only a hostile peer inventing device ids, or a todo edited by more than 56 devices):
 * - a `ctx` is unknown (`[]`): its value is taken to have seen everything older, so it reports nothing;
 *   decided from the `ctx` alone, so every device holding that write decides the same;
 * - `seen` starts again from the row's field stamps. A later write of this device then still covers
 *   every value it holds now, but not older values it had seen that were already overwritten: if a
 *   stale copy of such a value meets that write, it is reported (a false alarm, never a lost report).
 * Either way each merge works on at most 56 + 62 stamps, and the stored row stays small.
 */
export const CAUSAL_DEVICES_MAX = 56;

const fieldStamps = (row: Pick<CausalRow, 'hlc'>): Ctx =>
  join(
    [],
    SYNC_FIELDS.map((f) => row.hlc[f]),
  );
const boundedCtx = (c: Ctx): Ctx => (c.length > CAUSAL_DEVICES_MAX ? [] : c);

/** `row` with `seen` and every `ctx` within CAUSAL_DEVICES_MAX (the same row when they are). */
export function boundCausal(row: CausalRow): CausalRow {
  const over = SYNC_FIELDS.some((f) => row.ctx[f].length > CAUSAL_DEVICES_MAX);
  if (!over && row.seen.length <= CAUSAL_DEVICES_MAX) return row;
  const ctx = over
    ? (Object.fromEntries(SYNC_FIELDS.map((f) => [f, boundedCtx(row.ctx[f])])) as Record<SyncField, Ctx>)
    : row.ctx;
  const seen = row.seen.length > CAUSAL_DEVICES_MAX ? fieldStamps(row) : row.seen;
  return { ...row, ctx, seen };
}

/** A local write of `values` under one new `stamp`: each written field's context is what we have seen. */
export function writeCausal(row: CausalRow, values: Partial<FieldValues>, stamp: Hlc): CausalRow {
  const hlc = { ...row.hlc };
  for (const f of Object.keys(values) as SyncField[]) hlc[f] = stamp;
  let seen = join(row.seen, [stamp]);
  if (seen.length > CAUSAL_DEVICES_MAX) seen = fieldStamps({ hlc });
  const out: CausalRow = { ...row, hlc, ctx: { ...row.ctx }, seen };
  for (const f of Object.keys(values) as SyncField[]) {
    (out as unknown as Record<string, unknown>)[f] = values[f];
    out.ctx[f] = seen;
  }
  return out;
}

/** Concurrent deletion vs edit pairs present in `row`: (edited field, its stamp). */
function hiddenEdits(row: CausalRow): Map<SyncField, Hlc> {
  const out = new Map<SyncField, Hlc>();
  if (!row.deleted) return out;
  const d = row.hlc.deleted;
  for (const f of CONTENT) {
    const e = row.hlc[f];
    if (!pastOf(row.ctx.deleted, d, e) && !pastOf(row.ctx[f], e, d)) out.set(f, e);
  }
  return out;
}

export interface CausalMerge {
  row: CausalRow;
  changed: SyncField[];
  conflicts: Conflict[];
}

/** Field-level LWW (as merge.ts) carrying contexts, reporting every conflict this merge brings about. */
export function mergeCausal(localRow: CausalRow, remoteRow: CausalRow): CausalMerge {
  const local = boundCausal(localRow);
  const remote = boundCausal(remoteRow);
  const row: CausalRow = {
    ...local,
    hlc: { ...local.hlc },
    ctx: { ...local.ctx },
    seen: join(local.seen, remote.seen),
  };
  const changed: SyncField[] = [];
  const conflicts: Conflict[] = [];
  const before = hiddenEdits(local);
  for (const f of SYNC_FIELDS) {
    const l = local.hlc[f];
    const r = remote.hlc[f];
    if (l === r) continue;
    const [win, lose] = r > l ? [remote, local] : [local, remote];
    if (!pastOf(win.ctx[f], win.hlc[f], lose.hlc[f]))
      conflicts.push({
        field: f,
        loser: { value: lose[f], hlc: lose.hlc[f], ctx: lose.ctx[f] },
        winner: { value: win[f], hlc: win.hlc[f], field: f },
      });
    if (win === remote) {
      (row as unknown as Record<string, unknown>)[f] = remote[f];
      row.hlc[f] = r;
      row.ctx[f] = remote.ctx[f];
      changed.push(f);
    }
  }
  if (row.seen.length > CAUSAL_DEVICES_MAX) row.seen = fieldStamps(row);
  row.created_at = Math.min(local.created_at, remote.created_at);
  if (remote.device_id < local.device_id) row.device_id = remote.device_id;
  // New here: that edit under that deletion (a newer deletion over the same edit is news again).
  for (const [f, e] of hiddenEdits(row))
    if (before.get(f) !== e || local.hlc.deleted !== row.hlc.deleted)
      conflicts.push({
        field: f,
        loser: { value: row[f], hlc: e, ctx: row.ctx[f] },
        winner: { value: true, hlc: row.hlc.deleted, field: 'deleted' },
      });
  return { row, changed, conflicts };
}

/** The conflict is still open in `row`: nothing written since has seen both sides. */
export function isOpen(row: CausalRow, c: Conflict): boolean {
  if (c.winner.field !== c.field) {
    // Deletion vs edit: open while that deletion and that edit are both still there, unseen by each other.
    return hiddenEdits(row).get(c.field) === c.loser.hlc && row.hlc.deleted === c.winner.hlc;
  }
  return !pastOf(row.ctx[c.field], row.hlc[c.field], c.loser.hlc);
}

/**
 * "Keep this one" on the discarded value, or "Dismiss" (keep the one shown): a new local write under
 * `stamp`, made having seen both, so it closes the conflict everywhere it arrives.
 */
export function resolve(row: CausalRow, c: Conflict, keep: 'loser' | 'winner', stamp: Hlc): CausalRow {
  const seen = join(row.seen, [c.loser.hlc, c.winner.hlc]);
  const base = { ...row, seen };
  if (c.winner.field !== c.field)
    // Deletion vs edit: keeping the edit is a restore; keeping the deletion re-stamps it.
    return writeCausal(base, { deleted: keep === 'winner' }, stamp);
  const value = keep === 'loser' ? c.loser.value : row[c.field];
  return writeCausal(base, { [c.field]: value } as Partial<FieldValues>, stamp);
}

export const conflictKey = (c: Conflict): string => `${c.field}|${c.loser.hlc}`;

/**
 * A device's journal for one todo after a merge or write: the new conflicts added, and every entry
 * dropped that is no longer open, or whose loser a later discarded value of the same field had seen
 * (the loser's own device moved on before meeting the winner: only the newest loser is news).
 */
export function updateJournal(
  journal: readonly Conflict[],
  row: CausalRow,
  added: readonly Conflict[],
): Conflict[] {
  const byKey = new Map<string, Conflict>();
  for (const c of [...journal, ...added]) byKey.set(conflictKey(c), c);
  const all = [...byKey.values()];
  return all.filter(
    (c) =>
      isOpen(row, c) &&
      !all.some(
        (o) =>
          o !== c &&
          o.field === c.field &&
          o.winner.field === c.winner.field &&
          o.loser.hlc > c.loser.hlc &&
          covers(o.loser.ctx, c.loser.hlc),
      ),
  );
}
