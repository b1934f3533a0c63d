/**
 * The one message union UI ↔ background ↔ DB host. Pages send a `Request`; the background forwards
 * it unchanged to the DB host; the host answers with a `Response`. Each hop parses what it receives.
 */
import { z } from 'zod';
import { circleStateSchema } from './circle-schema';
import {
  countsSchema,
  createInputSchema,
  nowSchema,
  pageQuerySchema,
  pageSchema,
  patchSchema,
  todoIdSchema,
  todoSchema,
} from './todo-schema';
import {
  LINK_TEXT_MAX,
  maxGuestsSchema,
  pairResultSchema,
  settingsSchema,
  SYNC_HISTORY_MAX,
  syncLogEntrySchema,
  syncStateSchema,
} from './sync-schema';
import { VIEWS } from '../model/views';
import { trashListSchema, trashPageSchema } from './trash-schema';
import { historySchema } from './history-schema';
import { conflictListSchema, conflictResolveSchema } from './conflict-schema';

/** Only non-production builds accept `dev.*` requests (seeding, fault injection for tests). */
export const SEED_MAX = 100_000;

export const requestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('todos.create'), input: createInputSchema }),
  z.object({ kind: z.literal('todos.update'), id: todoIdSchema, patch: patchSchema }),
  z.object({ kind: z.literal('todos.remove'), id: todoIdSchema }),
  z.object({ kind: z.literal('todos.restore'), id: todoIdSchema }),
  z.object({ kind: z.literal('todos.page'), query: pageQuerySchema }),
  z.object({ kind: z.literal('todos.get'), id: todoIdSchema }),
  /** Counts within a date view when `view` (with `now`) is given. */
  z.object({
    kind: z.literal('todos.counts'),
    search: z.string().max(500),
    view: z.enum(VIEWS).optional(),
    now: nowSchema.optional(),
  }),
  /** "Recently deleted": deleted todos matching `search`, newest deletion first. */
  z.object({ kind: z.literal('trash.list'), query: trashListSchema }),
  /** "Delete forever": hides this deletion from the trash here; the tombstone stays and syncs. */
  z.object({ kind: z.literal('trash.forget'), id: todoIdSchema }),
  /** "Empty trash": Delete forever for every deletion in the trash. */
  z.object({ kind: z.literal('trash.empty') }),
  /** The values each field of a todo has had on this device, newest first per field. */
  z.object({ kind: z.literal('todos.history'), id: todoIdSchema }),
  /** The conflict journal: every open conflict this device has seen (issue 14). */
  z.object({ kind: z.literal('conflicts.list') }),
  /** "Keep this one" / "Dismiss": a new write that has seen both values, which syncs like any edit. */
  z.object({ kind: z.literal('conflicts.resolve'), resolve: conflictResolveSchema }),
  z.object({ kind: z.literal('db.status') }),
  z.object({ kind: z.literal('dev.seed'), count: z.number().int().min(1).max(SEED_MAX) }),
  z.object({ kind: z.literal('dev.crash') }),
  z.object({ kind: z.literal('dev.fail'), fault: z.enum(['full', 'corrupt', 'locked', 'slow']) }),
  /** Benchmarks: time a bare insert of this device's todos into an empty database beside it. */
  z.object({ kind: z.literal('dev.bareInsert') }),
  /** `maxGuests`: how many devices the link admits; absent means 1 (single use). */
  z.object({ kind: z.literal('sync.pair'), maxGuests: maxGuestsSchema.optional() }),
  z.object({ kind: z.literal('sync.join'), link: z.string().max(LINK_TEXT_MAX) }),
  z.object({ kind: z.literal('sync.cancel') }),
  z.object({ kind: z.literal('sync.status') }),
  z.object({ kind: z.literal('sync.history'), limit: z.number().int().min(1).max(SYNC_HISTORY_MAX) }),
  /** This device's circle: its members, who is online, what each has not seen yet. */
  z.object({ kind: z.literal('circle.status') }),
  /** Stop syncing with the circle and forget it; the list stays. */
  z.object({ kind: z.literal('circle.leave') }),
  /** Remove another device from the circle: a new epoch it cannot follow. */
  z.object({ kind: z.literal('circle.remove'), id: z.string().max(64) }),
  /** The user read "This device was removed from your circle…". */
  z.object({ kind: z.literal('circle.dismissRemoved') }),
  /** The page running the worker (the phone app) is shown or hidden. */
  z.object({ kind: z.literal('circle.visible'), visible: z.boolean() }),
  /** "Sync automatically" on or off. */
  z.object({ kind: z.literal('circle.setAuto'), on: z.boolean() }),
  /** Sync with every member online now ("Sync now"). */
  z.object({ kind: z.literal('circle.sync') }),
  /** This device's name, as its circle shows it. */
  z.object({ kind: z.literal('circle.rename'), name: z.string().max(200) }),
  z.object({ kind: z.literal('settings.get') }),
  z.object({ kind: z.literal('settings.set'), relayUrl: z.string().max(LINK_TEXT_MAX) }),
]);
export type Request = z.infer<typeof requestSchema>;
export type RequestKind = Request['kind'];

export const dbStatusSchema = z.object({
  deviceId: z.string(),
  schemaVersion: z.number().int(),
  todoCount: z.number().int(),
  /** ms from worker start to a migrated, open database */
  openMs: z.number(),
});
export type DbStatus = z.infer<typeof dbStatusSchema>;

/** What a successful answer carries, per request kind. */
export const resultSchemas = {
  'todos.create': todoSchema,
  'todos.update': todoSchema,
  'todos.remove': todoSchema,
  'todos.restore': todoSchema,
  'todos.page': pageSchema,
  'todos.get': todoSchema.nullable(),
  'todos.counts': countsSchema,
  'trash.list': trashPageSchema,
  'trash.forget': z.null(),
  'trash.empty': z.object({ hidden: z.number().int() }),
  'todos.history': historySchema,
  'conflicts.list': conflictListSchema,
  'conflicts.resolve': todoSchema,
  'db.status': dbStatusSchema,
  'dev.seed': z.object({ inserted: z.number().int() }),
  'dev.crash': z.null(),
  'dev.fail': z.null(),
  'dev.bareInsert': z.object({ rows: z.number().int(), ms: z.number() }),
  'sync.pair': pairResultSchema,
  'sync.join': z.null(),
  'sync.cancel': z.null(),
  'sync.status': syncStateSchema,
  'sync.history': z.array(syncLogEntrySchema),
  'circle.status': circleStateSchema,
  'circle.leave': z.null(),
  'circle.remove': z.null(),
  'circle.setAuto': circleStateSchema,
  'circle.visible': z.null(),
  'circle.dismissRemoved': z.null(),
  'circle.sync': z.null(),
  'circle.rename': circleStateSchema,
  'settings.get': settingsSchema,
  'settings.set': settingsSchema,
} as const satisfies Record<RequestKind, z.ZodType>;
export type ResultOf<K extends RequestKind> = z.infer<(typeof resultSchemas)[K]>;

/**
 * Error codes a page can act on. `invalid` is the user's input (show the message next to the field);
 * the `storage.*` codes, `unavailable` (nothing answered) and `bad_answer` (an answer the page could
 * not read) are the database's state (show an alert). Only `unavailable` is disproved by a later
 * answer (lib/ui/health-state.ts).
 */
export const ERROR_CODES = [
  'invalid',
  'not_found',
  'storage.full',
  'storage.corrupt',
  'storage.locked',
  'storage.error',
  'unavailable',
  'bad_answer',
  'bad_request',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export const errorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
export type HostError = z.infer<typeof errorSchema>;

export const responseSchema = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: errorSchema }),
]);
export type Response = z.infer<typeof responseSchema>;
export type Result<T> = { ok: true; data: T } | { ok: false; error: HostError };

export const isStorageError = (code: ErrorCode): boolean =>
  code.startsWith('storage.') || code === 'unavailable' || code === 'bad_answer';

/** Reads a response for `kind`, validating its payload; a malformed answer becomes an error. */
export function parseResponse<K extends RequestKind>(kind: K, raw: unknown): Result<ResultOf<K>> {
  const r = responseSchema.safeParse(raw);
  if (!r.success)
    return { ok: false, error: { code: 'bad_answer', message: 'The database did not answer properly.' } };
  if (!r.data.ok) return r.data;
  const data = resultSchemas[kind].safeParse(r.data.data);
  if (!data.success)
    return { ok: false, error: { code: 'bad_answer', message: 'The database sent an unexpected answer.' } };
  return { ok: true, data: data.data as ResultOf<K> };
}
