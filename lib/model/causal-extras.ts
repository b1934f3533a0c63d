/**
 * A row's causal contexts (lib/model/conflicts.ts) stored and sent compactly: only what a row's own
 * stamps do not already say. A plain row (one device's writes, never concurrent) carries nothing.
 *
 * - `ctx[f]` is `[stamp of f]` joined with the field's extras; `null` extras = empty `ctx` (a value
 *   older than contexts: it reports nothing).
 * - `seen` is the join of the six field stamps joined with the seen extras.
 *
 * A `SyncRow` without `ctx`/`seen` is plain: `causalOf` spells its contexts out, `compactOf` drops
 * them again when they say nothing more than the stamps.
 */
import { deviceOfHlc, type Hlc } from './hlc';
import type { SyncRow } from './merge';
import { boundCausal, join, mergeCausal, type CausalRow, type Conflict, type Ctx } from './conflicts';
import { SYNC_FIELDS, type SyncField } from './todo';

export interface CausalExtras {
  /** Per field in SYNC_FIELDS order: extra stamps of its `ctx`, or null for an empty `ctx`. */
  fields: (readonly Hlc[] | null)[];
  seen: readonly Hlc[];
}

/** Per device, the greatest of the row's six field stamps. */
function stampJoin(row: Pick<SyncRow, 'hlc'>): Ctx {
  return join(
    [],
    SYNC_FIELDS.map((f) => row.hlc[f]),
  );
}

/** Every stamp a row's contexts name (none for a plain row); may repeat the field stamps. */
export function contextStamps(row: SyncRow): Hlc[] {
  if (!row.ctx || !row.seen) return [];
  return [...SYNC_FIELDS.flatMap((f) => row.ctx![f]), ...row.seen];
}

/** The row with every context spelt out (plain rows get theirs from their stamps). */
export function causalOf(row: SyncRow): CausalRow {
  if (row.ctx && row.seen) return row as CausalRow;
  const ctx = Object.fromEntries(SYNC_FIELDS.map((f) => [f, [row.hlc[f]] as Ctx])) as Record<SyncField, Ctx>;
  return { ...row, ctx, seen: stampJoin(row) };
}

/** What the contexts say beyond the stamps; null when nothing (a plain row). */
export function extrasOf(row: SyncRow): CausalExtras | null {
  if (!row.ctx || !row.seen) return null;
  let any = false;
  const fields = SYNC_FIELDS.map((f) => {
    const c = row.ctx![f];
    if (c.length === 0) {
      any = true;
      return null;
    }
    const extra = c.filter((s) => s !== row.hlc[f]);
    if (extra.length) any = true;
    return extra;
  });
  const base = new Map(stampJoin(row).map((s) => [deviceOfHlc(s), s]));
  const seen = row.seen.filter((s) => base.get(deviceOfHlc(s)) !== s);
  if (seen.length) any = true;
  return any ? { fields, seen } : null;
}

/** `row` (plain or not) with the contexts `extras` describe; null extras = plain. */
export function withExtras(row: SyncRow, extras: CausalExtras | null): SyncRow {
  const { ctx: _c, seen: _s, ...plain } = row;
  if (!extras) return plain;
  const ctx = Object.fromEntries(
    SYNC_FIELDS.map((f, i) => {
      const e = extras.fields[i];
      return [f, e === null || e === undefined ? [] : join([row.hlc[f]], e)];
    }),
  ) as Record<SyncField, Ctx>;
  return { ...plain, ctx, seen: join(stampJoin(row), extras.seen) };
}

/** The same row, plain when its contexts say nothing more than its stamps. */
export const compactOf = (row: SyncRow): SyncRow => withExtras(row, extrasOf(row));

/** A received row as it may be stored: contexts within CAUSAL_DEVICES_MAX (conflicts.ts boundCausal). */
export function boundedOf(row: SyncRow): SyncRow {
  if (!row.ctx || !row.seen) return row;
  const b = boundCausal(row as CausalRow);
  return b === row ? row : compactOf(b);
}

/** Rows written before contexts existed: every `ctx` empty (they report nothing). */
export const LEGACY_EXTRAS: CausalExtras = { fields: SYNC_FIELDS.map(() => null), seen: [] };

/**
 * Text form, for the `causal` column: groups in SYNC_FIELDS order then `seen`, joined by `,`
 * (trailing empty groups left out); a field group is `-` (empty ctx) or its stamps joined by ` `.
 * `stamp` writes one stamp (the wire writes an index into the row's stamps instead).
 */
export function extrasText(e: CausalExtras, stamp: (s: Hlc) => string, sep: string): string {
  const groups = [
    ...e.fields.map((g) => (g === null ? '-' : g.map(stamp).join(sep))),
    e.seen.map(stamp).join(sep),
  ];
  while (groups.length && groups[groups.length - 1] === '') groups.pop();
  return groups.join(',');
}

/** Reads `extrasText`; `split` splits one group into stamps (undefined = malformed). */
export function parseExtras(text: string, split: (g: string) => Hlc[] | undefined): CausalExtras | undefined {
  const groups = text.split(',');
  if (groups.length > SYNC_FIELDS.length + 1) return undefined;
  const fields: (Hlc[] | null)[] = [];
  for (let i = 0; i < SYNC_FIELDS.length; i++) {
    const g = groups[i] ?? '';
    if (g === '-') fields.push(null);
    else {
      const s = g === '' ? [] : split(g);
      if (!s) return undefined;
      fields.push(s);
    }
  }
  const last = groups[SYNC_FIELDS.length] ?? '';
  const seen = last === '' ? [] : split(last);
  if (!seen) return undefined;
  return { fields, seen };
}

export interface CompactMerge {
  row: SyncRow;
  changed: SyncField[];
  conflicts: Conflict[];
  /** `seen` took something from the remote row (store it even when no value changed). */
  seenGrew: boolean;
}

/** mergeCausal (conflicts.ts) on rows plain or not, the result plain again when it can be. */
export function mergeCompact(local: SyncRow, remote: SyncRow): CompactMerge {
  const l = causalOf(local);
  const m = mergeCausal(l, causalOf(remote));
  const seenGrew = m.row.seen.length !== l.seen.length || m.row.seen.some((s, i) => s !== l.seen[i]);
  return { row: compactOf(m.row), changed: m.changed, conflicts: m.conflicts, seenGrew };
}
