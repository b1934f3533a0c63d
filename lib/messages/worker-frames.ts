/** Frames between the DB host (main thread of the offscreen document / background page) and its Worker. */
import { z } from 'zod';
import { workerEventSchema } from './events';
import { errorSchema, requestSchema } from './requests';

export const toWorkerSchema = z.object({ id: z.number().int(), request: requestSchema });
export type ToWorker = z.infer<typeof toWorkerSchema>;

export const fromWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), openMs: z.number() }),
  /** The database could not be opened; the worker stays up only to report it. */
  z.object({ type: z.literal('failed'), error: errorSchema }),
  z.object({ type: z.literal('response'), id: z.number().int(), response: z.unknown() }),
  z.object({ type: z.literal('event'), event: workerEventSchema }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;
