/** This install's identity and clock state, both kept in the database so they survive restarts. */
import { HLC_ZERO, isHlc, type Hlc } from '../model/hlc';
import { isDeviceId, newDeviceId, type DeviceId } from '../model/ids';
import { SYNC_FIELDS } from '../model/todo';
import { deleteKv, getKv, setKv } from './kv';
import type { Sql } from './sql';

/** Returns this install's device id, making and storing one on first open. */
export function ensureDeviceId(sql: Sql, now: number = Date.now()): DeviceId {
  const row = sql.get<{ device_id: string }>('SELECT device_id FROM device_info WHERE is_self = 1');
  if (row) {
    if (!isDeviceId(row.device_id)) throw new Error('The stored device id is damaged.');
    return row.device_id;
  }
  const id = newDeviceId();
  sql.run('INSERT INTO device_info (device_id, created_at, is_self) VALUES (?, ?, 1)', [id, now]);
  return id;
}

/**
 * The greatest stamp this device wrote itself, so a restarted clock never goes backwards even if the
 * wall clock did. Only its own writes count: a peer's stamps (or a peer's claim about this device,
 * in a vector) must not decide where this clock starts, or one bad peer could push it into the far
 * future for good.
 */
export function restoredHlc(sql: Sql, self: DeviceId): Hlc {
  const r = sql.get<{ h: string | null }>('SELECT hlc AS h FROM version_vector WHERE device_id = ?', [self]);
  return isHlc(r?.h) ? r.h : HLC_ZERO;
}

const ROTATE_KEY = 'device.rotate';

/** A peer holds writes under our id that we do not (a restored backup, a copied profile): rotate at next open. */
export function markDeviceIdShadowed(sql: Sql): void {
  setKv(sql, ROTATE_KEY, '1');
}

/**
 * This install's device id at open: as stored, or a new one when a sync found the old id shadowed
 * (markDeviceIdShadowed). Rotation relabels every stamp of the old id with the new id, keeping
 * wall time and counter: last-writer-wins between these writes and everyone else's is unchanged,
 * but to every peer they are writes of a device it has never seen, so none is skipped as "already
 * held" (a peer's vector entry for the old id can cover writes it never received from this copy).
 * The old id's vector entry goes too, so peers send this device every write of the old id they
 * hold. Future todos and stamps use the new id. One transaction.
 */
export function openDeviceId(sql: Sql, now: number = Date.now()): DeviceId {
  return sql.transaction(() => {
    const current = ensureDeviceId(sql, now);
    if (getKv(sql, ROTATE_KEY) === null) return current;
    deleteKv(sql, ROTATE_KEY);
    return rotateDeviceId(sql, current, now);
  });
}

export function rotateDeviceId(
  sql: Sql,
  old: DeviceId,
  now: number,
  fresh: DeviceId = newDeviceId(),
): DeviceId {
  const prefix = HLC_ZERO.length - old.length; // wall, counter and their dots
  for (const f of SYNC_FIELDS)
    sql.run(`UPDATE todos SET ${f}_hlc = substr(${f}_hlc, 1, ?) || ? WHERE substr(${f}_hlc, ?) = ?`, [
      prefix,
      fresh,
      prefix + 1,
      old,
    ]);
  sql.run(
    `UPDATE todos SET version = max(${SYNC_FIELDS.map((f) => `${f}_hlc`).join(', ')}) WHERE version <> max(${SYNC_FIELDS.map((f) => `${f}_hlc`).join(', ')})`,
  );
  sql.run('DELETE FROM version_vector WHERE device_id = ?', [old]);
  const top = sql.get<{ h: string | null }>(
    `SELECT max(${SYNC_FIELDS.map((f) => `CASE WHEN substr(${f}_hlc, ${prefix + 1}) = ?1 THEN ${f}_hlc END`).join(', ')}) AS h FROM todos`,
    [fresh],
  );
  sql.run('INSERT INTO version_vector (device_id, hlc) VALUES (?, ?)', [
    fresh,
    isHlc(top?.h) ? top.h : zeroOf(fresh),
  ]);
  sql.run('UPDATE device_info SET is_self = 0 WHERE is_self = 1');
  sql.run('INSERT INTO device_info (device_id, created_at, is_self) VALUES (?, ?, 1)', [fresh, now]);
  return fresh;
}

const zeroOf = (d: DeviceId): Hlc => `${HLC_ZERO.slice(0, HLC_ZERO.length - d.length)}${d}` as Hlc;
