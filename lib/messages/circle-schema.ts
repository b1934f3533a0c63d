/**
 * Circle shapes on the page boundary: what the side panel and popup ask the DB worker's circle wiring
 * (lib/sync/worker-circle.ts) and the `circle.state` events it broadcasts back.
 */
import { z } from 'zod';

/** Far above a real circle (lib/circle/roster.ts MAX_MEMBERS): bounds what a page accepts. */
export const CIRCLE_MEMBERS_MAX = 32;

export const circleMemberSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** This device. */
  self: z.boolean(),
  /** Heard in the circle's room now. */
  online: z.boolean(),
  /** A sync round with it is running. */
  syncing: z.boolean(),
  /** When the last sync with it succeeded (ms since epoch), or null. */
  lastSync: z.number().nullable(),
  /** Todos changed here since that sync: what it has not seen yet (0 for this device). */
  pending: z.number().int().min(0),
  addedAt: z.number(),
  /** 'chrome', 'firefox', 'phone' or 'browser', once the device has said (in its JOIN). */
  kind: z.enum(['chrome', 'firefox', 'phone', 'browser']).nullable(),
  /** The name of the device that added it (itself for the circle's founder), if known. */
  addedBy: z.string().nullable(),
  /**
   * It speaks another protocol version, so the two cannot sync until one is updated (since protocol
   * 5): `peer-outdated` = update that device, `self-outdated` = update this one.
   */
  versionError: z.enum(['peer-outdated', 'self-outdated']).nullable().optional(),
});
export type CircleMember = z.infer<typeof circleMemberSchema>;

export const circleStateSchema = z.discriminatedUnion('state', [
  /** This device has not paired yet: it syncs with nobody. */
  z.object({
    state: z.literal('none'),
    /** This device was removed from its circle: by which device (its name) and when. */
    removed: z.object({ by: z.string(), at: z.number() }).optional(),
  }),
  z.object({
    state: z.literal('on'),
    /** Our socket to the circle's room is open. */
    connected: z.boolean(),
    /** Syncs by itself whenever members are online (false: only "Sync now" does). */
    auto: z.boolean(),
    members: z.array(circleMemberSchema).max(CIRCLE_MEMBERS_MAX),
  }),
]);
export type CircleState = z.infer<typeof circleStateSchema>;

export const circleStateEventSchema = z.object({ kind: z.literal('circle.state'), state: circleStateSchema });
