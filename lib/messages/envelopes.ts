/**
 * Runtime messaging is shared by every extension context, so each message is tagged with a channel
 * and receivers ignore what is not theirs.
 */
import { z } from 'zod';
import { eventSchema } from './events';
import { requestSchema } from './requests';

/** page → background */
export const PAGE_REQUEST = 'tt.request';
/** background → pages (broadcast) */
export const PAGE_EVENT = 'tt.event';
/** name of the port the offscreen DB host opens to the background */
export const HOST_PORT = 'tt.db-host';

export const pageRequestSchema = z.object({ channel: z.literal(PAGE_REQUEST), request: z.unknown() });
export const pageEventSchema = z.object({ channel: z.literal(PAGE_EVENT), event: eventSchema });

/** Frames on the host port, both directions, each with a correlation id. */
export const hostFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('request'), id: z.number().int(), request: requestSchema }),
  z.object({ type: z.literal('response'), id: z.number().int(), response: z.unknown() }),
  z.object({ type: z.literal('event'), event: eventSchema }),
]);
export type HostFrame = z.infer<typeof hostFrameSchema>;
