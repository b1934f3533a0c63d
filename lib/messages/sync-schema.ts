/**
 * Sync and settings shapes on the page boundary: what the side panel asks the DB worker's sync
 * wiring (lib/sync/worker-sync.ts) and the `sync.state` events it broadcasts back.
 */
import { z } from 'zod';

/** Who this device is in the session: `host` showed the link, `guest` joined with it. */
export const syncRoleSchema = z.enum(['host', 'guest']);

const count = z.number().int().min(0);

/** What the UI shows for the current pairing session; the engine's events, flattened for pages. */
export const syncStateSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('idle') }),
  z.object({ phase: z.literal('connecting'), role: syncRoleSchema }),
  z.object({ phase: z.literal('waiting'), role: syncRoleSchema }),
  z.object({ phase: z.literal('peer-joined'), role: syncRoleSchema, name: z.string() }),
  z.object({
    phase: z.literal('syncing'),
    role: syncRoleSchema,
    name: z.string(),
    /** 0..1 */
    progress: z.number().min(0).max(1),
    sent: count,
    received: count,
  }),
  z.object({
    phase: z.literal('done'),
    role: syncRoleSchema,
    name: z.string(),
    sent: count,
    received: count,
    status: z.enum(['success', 'partial', 'failed']),
    reason: z.string().nullable(),
  }),
  z.object({
    phase: z.literal('error'),
    role: syncRoleSchema,
    code: z.string(),
    message: z.string(),
  }),
]);
export type SyncState = z.infer<typeof syncStateSchema>;

export const syncStateEventSchema = z.object({ kind: z.literal('sync.state'), state: syncStateSchema });
export type SyncStateEvent = z.infer<typeof syncStateEventSchema>;

export const pairResultSchema = z.object({ link: z.string(), expiresAt: z.number().int() });
export type PairResult = z.infer<typeof pairResultSchema>;

export const SYNC_HISTORY_MAX = 200;

export const syncLogEntrySchema = z.object({
  id: z.number().int(),
  peerId: z.string(),
  peerName: z.string().nullable(),
  status: z.enum(['running', 'success', 'partial', 'failed']),
  sent: count,
  received: count,
  startedAt: z.number(),
  completedAt: z.number().nullable(),
  reason: z.string().nullable(),
});
export type SyncLogEntry = z.infer<typeof syncLogEntrySchema>;

export const settingsSchema = z.object({
  relayUrl: z.string(),
  /** The build's WXT_RELAY_URL, shown so a user can go back to it. */
  defaultRelayUrl: z.string(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** Long enough for any real link; stops absurd pastes before they reach the parser. */
export const LINK_TEXT_MAX = 2000;
