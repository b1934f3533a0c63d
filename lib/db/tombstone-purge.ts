/**
 * Tombstone collection in SQLite (issue 14; the rule is lib/model/tombstones.ts). A purged todo keeps its
 * id, its flags and every stamp, so the deletion still wins wherever the todo turns up again; its title
 * becomes PURGED_TITLE and its description NULL, it is marked purged (`purged_at`, migration 8), its history
 * and conflict-journal entries go, and it leaves "Recently deleted".
 *
 * The purge is local: it writes no stamp and syncs nothing. Each device purges by the same rule from what it
 * has learned, and a row sent with the old content under the same stamps changes nothing here (equal stamps
 * are the same write, lib/model/merge.ts). PURGED_TITLE is one space: the wire and backup formats need a
 * title of at least one character, and no user title can be blank (titles are trimmed, lib/model/todo.ts).
 */
import { encodeHlc, isHlc, type Hlc } from '../model/hlc';
import type { DeviceId } from '../model/ids';
import { DAY_MS, purgeBounds, type Vector } from '../model/tombstones';
import { createConflictJournal } from './conflict-journal';
import { getKv, setKv } from './kv';
import type { Sql } from './sql';

export const PURGED_TITLE = ' ';
/**
 * The row (of `todos`, SELECT *) has been purged here: what NOT_PURGED says in SQL. `purged_at` (migration
 * 8) is set by the purge, not read off the content, which a later merge of a title may change.
 */
export const isPurged = (row: Readonly<Record<string, unknown>>): boolean =>
  row.purged_at !== null && row.purged_at !== undefined;
/** SQL: the row (of `todos`) has not been purged. */
export const NOT_PURGED = 'purged_at IS NULL';

const VECTORS_KEY = 'tombstones.memberVectors';
const LAST_RUN_KEY = 'tombstones.lastRun';
/** Where a stamp's device id starts (1-based, for substr): after `wall.counter.`. */
const DEVICE_AT = encodeHlc({ wall: 0, counter: 0, deviceId: '' as DeviceId }).length + 1;

/** The vector each member last told us in a round, by member id. */
export function readMemberVectors(sql: Sql): Map<DeviceId, Vector> {
  const out = new Map<DeviceId, Vector>();
  const raw = getKv(sql, VECTORS_KEY);
  if (raw === null) return out;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return out;
    for (const [member, stamps] of Object.entries(parsed)) {
      // A damaged entry is as good as none: that member blocks purges until its next round.
      if (!Array.isArray(stamps) || !stamps.every(isHlc)) continue;
      out.set(member as DeviceId, new Map(stamps.map((s: Hlc) => [s.slice(DEVICE_AT - 1) as DeviceId, s])));
    }
  } catch {
    // Unreadable: nobody is known to have seen anything.
  }
  return out;
}

export function writeMemberVector(sql: Sql, member: DeviceId, vector: Vector): void {
  const all = readMemberVectors(sql);
  all.set(member, vector);
  setKv(sql, VECTORS_KEY, JSON.stringify(Object.fromEntries([...all].map(([m, v]) => [m, [...v.values()]]))));
}

/**
 * Purges every deletion the rule allows, given the other members' ids (none: a device alone). Returns the
 * ids purged.
 */
export function purgeTombstones(sql: Sql, now: number, otherMembers: readonly DeviceId[]): string[] {
  const vectors = readMemberVectors(sql);
  const bounds = purgeBounds(
    now,
    otherMembers.map((m) => vectors.get(m)),
  );
  if (!bounds) return [];
  const upTo = bounds.upTo ? JSON.stringify(Object.fromEntries(bounds.upTo)) : null;
  return sql.transaction(() => {
    const ids = sql
      .all<{ id: string }>(
        `UPDATE todos SET title = ?, description = NULL, purged_at = ?
         WHERE deleted = 1 AND deleted_hlc < ? AND ${NOT_PURGED}
           AND (? IS NULL OR deleted_hlc <= (SELECT b.value FROM json_each(?) b WHERE b.key = substr(todos.deleted_hlc, ?)))
         RETURNING id`,
        [PURGED_TITLE, now, bounds.before, upTo, upTo, DEVICE_AT],
      )
      .map((r) => r.id);
    for (const id of ids) {
      sql.run('DELETE FROM todo_history WHERE todo_id = ?', [id]);
      // Its open conflicts would name a blank todo and offer back content the purge just cleared.
      sql.run('DELETE FROM conflict_journal WHERE todo_id = ?', [id]);
    }
    return ids;
  });
}

/**
 * At most once a day: purges what may be purged. Returns the ids purged, or null
 * when it is not yet time. Every call (at start and after each round) also applies the conflict journal's
 * bounds (an indexed delete), which merges otherwise apply only when they add a conflict.
 */
export function purgeDaily(sql: Sql, now: number, otherMembers: readonly DeviceId[]): string[] | null {
  createConflictJournal(sql).prune(now);
  const last = Number(getKv(sql, LAST_RUN_KEY) ?? NaN);
  if (Number.isFinite(last) && now - last < DAY_MS && now >= last) return null;
  const ids = purgeTombstones(sql, now, otherMembers);
  setKv(sql, LAST_RUN_KEY, String(now));
  return ids;
}
