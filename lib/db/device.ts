/** This install's identity and clock state, both kept in the database so they survive restarts. */
import { HLC_ZERO, isHlc, maxHlc, type Hlc } from '../model/hlc';
import { isDeviceId, newDeviceId, type DeviceId } from '../model/ids';
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
 * The greatest stamp this device has issued or seen, so a restarted clock never goes backwards even
 * if the wall clock did.
 */
export function restoredHlc(sql: Sql): Hlc {
  const r = sql.get<{ vv: string | null; tv: string | null }>(
    'SELECT (SELECT max(hlc) FROM version_vector) AS vv, (SELECT max(version) FROM todos) AS tv',
  );
  let out: Hlc = HLC_ZERO;
  for (const v of [r?.vv, r?.tv]) if (isHlc(v)) out = maxHlc(out, v);
  return out;
}
