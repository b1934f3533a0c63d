/** Small change events announced to every open page after a committed write. */
import { z } from 'zod';
import { circleStateEventSchema } from './circle-schema';
import { syncStateEventSchema } from './sync-schema';
import { todoIdSchema } from './todo-schema';

export const CHANGE_OPS = ['create', 'update', 'remove', 'restore', 'bulk'] as const;

export const changedEventSchema = z.object({
  kind: z.literal('todos.changed'),
  ids: z.array(todoIdSchema).max(100),
  op: z.enum(CHANGE_OPS),
});
export type ChangedEvent = z.infer<typeof changedEventSchema>;

export const hostStatusEventSchema = z.object({
  kind: z.literal('db.health'),
  /** `down` while the worker restarts or the database cannot open; pages show `message`. */
  state: z.enum(['ready', 'down']),
  message: z.string(),
});
export type HostStatusEvent = z.infer<typeof hostStatusEventSchema>;

export const eventSchema = z.discriminatedUnion('kind', [
  changedEventSchema,
  hostStatusEventSchema,
  syncStateEventSchema,
  circleStateEventSchema,
]);
export type HostEvent = z.infer<typeof eventSchema>;

/** Events the DB worker itself emits (health is the host's to report). */
export const workerEventSchema = z.discriminatedUnion('kind', [
  changedEventSchema,
  syncStateEventSchema,
  circleStateEventSchema,
]);
export type WorkerEvent = z.infer<typeof workerEventSchema>;
