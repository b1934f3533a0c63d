/** Wire shapes of the conflict journal (lib/db/conflict-journal.ts) between pages and the DB host. */
import { z } from 'zod';
import { SYNC_FIELDS } from '../model/todo';
import { HLC_RE } from '../model/patterns';
import { todoIdSchema } from './todo-schema';

/** One value of a conflict: what it was, which device wrote it (its stamp) and when. */
export const conflictSideSchema = z.object({
  value: z.union([z.string(), z.boolean(), z.null()]),
  at: z.number(),
  deviceId: z.string(),
  /** The device's name as last heard in a sync, or null. */
  deviceName: z.string().nullable(),
  self: z.boolean(),
});

export const conflictItemSchema = z.object({
  todoId: todoIdSchema,
  /** The todo's title now (what the list item is named by). */
  title: z.string(),
  field: z.enum(SYNC_FIELDS),
  /** `field`: two values of one field; `deletion`: the todo was deleted on one device, `field` edited on another. */
  kind: z.enum(['field', 'deletion']),
  /** The value the todo shows now (for a deletion: the deletion). */
  shown: conflictSideSchema,
  /** The value last-writer-wins set aside (for a deletion: the edit). */
  other: conflictSideSchema,
  /** Names the entry for "Keep this one" / "Dismiss". */
  loserHlc: z.string().regex(HLC_RE),
});
export type ConflictItem = z.infer<typeof conflictItemSchema>;
export type ConflictSide = z.infer<typeof conflictSideSchema>;
/**
 * The Conflicts view lists at most this many (the newest): a value may be 10,000 characters, and the
 * list is reloaded after every change, so a journal filled by a busy or hostile peer (1,000 entries)
 * must not travel whole each time. The count says how many more there are.
 */
export const CONFLICTS_SHOWN = 50;

/** The newest open conflicts (at most CONFLICTS_SHOWN) and how many are open in all. */
export const conflictListSchema = z.object({
  items: z.array(conflictItemSchema),
  total: z.number().int().nonnegative(),
});

export const conflictResolveSchema = z.object({
  id: todoIdSchema,
  field: z.enum(SYNC_FIELDS),
  loserHlc: z.string().regex(HLC_RE),
  /** `other`: "Keep this one" on the value set aside; `shown`: "Dismiss" (keep the one shown). */
  keep: z.enum(['other', 'shown']),
});
export type ConflictResolve = z.infer<typeof conflictResolveSchema>;
