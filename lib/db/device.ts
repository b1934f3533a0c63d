/** This install's identity and clock state, both kept in the database so they survive restarts. */
import { HLC_ZERO, isHlc, type Hlc } from '../model/hlc';
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
 * The greatest stamp this device wrote itself, so a restarted clock never goes backwards even if the
 * wall clock did. Only its own writes count: a peer's stamps (or a peer's claim about this device,
 * in a vector) must not decide where this clock starts, or one bad peer could push it into the far
 * future for good.
 */
export function restoredHlc(sql: Sql, self: DeviceId): Hlc {
  const r = sql.get<{ h: string | null }>('SELECT hlc AS h FROM version_vector WHERE device_id = ?', [self]);
  return isHlc(r?.h) ? r.h : HLC_ZERO;
}
