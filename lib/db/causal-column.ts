/**
 * The `causal` column of `todos` (migration 5): a row's causal contexts beyond its stamps
 * (lib/model/causal-extras.ts) as text, stamps written out and joined by spaces. NULL = a plain row;
 * `-` (the column's default, so every row older than the column) = every `ctx` empty.
 */
import { isHlc, type Hlc } from '../model/hlc';
import { extrasOf, extrasText, parseExtras, withExtras, LEGACY_EXTRAS } from '../model/causal-extras';
import type { SyncRow } from '../model/merge';

export const causalColumn = (row: SyncRow): string | null => {
  const e = extrasOf(row);
  return e ? extrasText(e, (s) => s, ' ') : null;
};

const splitStamps = (g: string): Hlc[] | undefined => {
  const out = g.split(' ');
  return out.every(isHlc) ? out : undefined;
};

/** `row` with the contexts its column holds; a column that does not parse counts as unknown (reports nothing). */
export function withCausalColumn(row: SyncRow, text: unknown): SyncRow {
  if (text === null || text === undefined) return row;
  return withExtras(row, parseExtras(String(text), splitStamps) ?? LEGACY_EXTRAS);
}
