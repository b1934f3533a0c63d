/** The one place the `kv` table is read and written: small settings and this device's own secrets. */
import type { Sql } from './sql';

export function getKv(sql: Sql, key: string): string | null {
  return sql.get<{ value: string }>('SELECT value FROM kv WHERE key = ?', [key])?.value ?? null;
}

export function setKv(sql: Sql, key: string, value: string): void {
  sql.run('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [
    key,
    value,
  ]);
}

export function deleteKv(sql: Sql, key: string): void {
  sql.run('DELETE FROM kv WHERE key = ?', [key]);
}
