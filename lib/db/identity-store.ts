/**
 * This install's identity keys, made on first open and kept in its own database (kv). The private
 * halves are read only here, imported as non-extractable keys, and never written anywhere else:
 * not to a frame, a log, an export or a backup (which read todos, never kv's identity row).
 */
import { generateIdentity, isStoredIdentity, loadIdentity, type DeviceIdentity } from '../crypto/identity';
import { getKv } from './kv';
import type { Sql } from './sql';

const KEY = 'identity.v1';

export async function ensureIdentity(sql: Sql): Promise<DeviceIdentity> {
  const stored = getKv(sql, KEY);
  if (stored !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(stored);
    } catch {
      parsed = null;
    }
    if (!isStoredIdentity(parsed)) throw new Error('The stored device identity is damaged.');
    return loadIdentity(parsed);
  }
  const fresh = await generateIdentity();
  // Another open may have raced us between the read and here (Firefox wakes the page twice): first write wins.
  sql.run('INSERT OR IGNORE INTO kv (key, value) VALUES (?, ?)', [KEY, JSON.stringify(fresh)]);
  const winner = getKv(sql, KEY);
  return loadIdentity(winner ? (JSON.parse(winner) as typeof fresh) : fresh);
}
