/**
 * Sync and settings shapes on the page boundary: what the side panel asks the DB worker's sync
 * wiring (lib/sync/worker-sync.ts) and the `sync.state` events it broadcasts back.
 */
import { z } from 'zod';

/** Who this device is in the session: `host` showed the link, `guest` joined with it. */
export const syncRoleSchema = z.enum(['host', 'guest']);

const count = z.number().int().min(0);

/** How many devices one shown link may admit (the engine's `maxGuests`); 1 keeps it single-use. */
export const MAX_GUESTS_LIMIT = 4;
export const maxGuestsSchema = z.number().int().min(1).max(MAX_GUESTS_LIMIT);

/** Far above any real session (the relay caps one at 8 devices); bounds what a page accepts. */
export const SYNC_DEVICES_MAX = 16;

/** One device this session has synced with, as the UI lists it; from the engine's per-peer events. */
export const syncDeviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['joined', 'syncing', 'success', 'partial', 'failed']),
  /** 0..1 */
  progress: z.number().min(0).max(1),
});
export type SyncDevice = z.infer<typeof syncDeviceSchema>;

/**
 * Fields every running session carries. The phase and `name` follow the latest engine event; with
 * several devices in one session (a link for more than one guest) `devices` lists each of them.
 */
const session = {
  role: syncRoleSchema,
  devices: z.array(syncDeviceSchema).max(SYNC_DEVICES_MAX).optional(),
};

/** What the UI shows for the current pairing session; the engine's events, flattened for pages. */
export const syncStateSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('idle') }),
  z.object({ phase: z.literal('connecting'), ...session }),
  z.object({ phase: z.literal('waiting'), ...session }),
  z.object({ phase: z.literal('peer-joined'), ...session, name: z.string() }),
  z.object({
    phase: z.literal('syncing'),
    ...session,
    name: z.string(),
    /** 0..1 */
    progress: z.number().min(0).max(1),
    sent: count,
    received: count,
  }),
  z.object({
    phase: z.literal('done'),
    ...session,
    name: z.string(),
    sent: count,
    received: count,
    status: z.enum(['success', 'partial', 'failed']),
    reason: z.string().nullable(),
  }),
  z.object({
    phase: z.literal('error'),
    ...session,
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
