/**
 * Field-level last-writer-wins. Each syncable field keeps the value whose HLC stamp is greater;
 * stamps carry the device id, so two devices never issue the same stamp and equal stamps mean the
 * same write (hence the same value). That makes merge a join on a per-field lattice: commutative,
 * associative and idempotent, so replicas agree whatever order rows arrive in.
 */
import { SYNC_FIELDS, type FieldValues, type SyncField, type TodoRecord } from './todo';
import type { Hlc } from './hlc';
import type { Ctx } from './conflicts';

/**
 * A todo as it travels: `updated_at` is local (display only) and never merged. `ctx` and `seen` are
 * its causal contexts (lib/model/conflicts.ts); absent on a plain row, whose stamps say it all
 * (lib/model/causal-extras.ts).
 */
export type SyncRow = Omit<TodoRecord, 'updated_at'> & { ctx?: Record<SyncField, Ctx>; seen?: Ctx };

export interface MergeResult {
  row: SyncRow;
  /** Fields whose value or stamp came from `remote`. */
  changed: SyncField[];
}

function setField<F extends SyncField>(target: FieldValues, source: FieldValues, f: F): void {
  target[f] = source[f];
}

/** Merges `remote` into `local` (same id). Non-syncing identity fields resolve deterministically. */
export function mergeRows(local: SyncRow, remote: SyncRow): MergeResult {
  const row: SyncRow = { ...local, hlc: { ...local.hlc } };
  const changed: SyncField[] = [];
  for (const f of SYNC_FIELDS) {
    if (remote.hlc[f] > local.hlc[f]) {
      setField(row, remote, f);
      row.hlc[f] = remote.hlc[f];
      changed.push(f);
    }
  }
  // Both sides copied these from the creating write; min keeps merge commutative even if a bug
  // or a hostile peer ever sent different ones.
  row.created_at = Math.min(local.created_at, remote.created_at);
  if (remote.device_id < local.device_id) row.device_id = remote.device_id;
  return { row, changed };
}

export const merge = (a: SyncRow, b: SyncRow): SyncRow => mergeRows(a, b).row;

/** The greatest of the six stamps: the `version` column. */
export function versionOf(row: Pick<SyncRow, 'hlc'>): Hlc {
  let v = row.hlc.title;
  for (const f of SYNC_FIELDS) if (row.hlc[f] > v) v = row.hlc[f];
  return v;
}
