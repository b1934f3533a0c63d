import { z } from 'zod';
import type { Connection } from 'partyserver';
import type { SessionTotals } from './session-log';

/**
 * What the relay keeps per socket. It lives in the WebSocket attachment (not in instance fields) so it
 * survives hibernation; it holds counters only, never frame contents.
 *  sid: tells two sockets of one device apart during a replacement.
 *  status: `refused` (session full), `replaced` (same device reconnected) and `expired` sockets are
 *    closing on the relay's initiative; their close must not announce PEER_LEFT.
 *  carried: totals of sockets that already left, so the session_end line survives hibernation.
 */
const totalsSchema = z.object({
  frames: z.number(),
  bytes: z.number(),
  devices: z.number(),
});

export const deviceStateSchema = z.object({
  sid: z.string(),
  status: z.enum(['active', 'refused', 'replaced', 'expired']),
  bucket: z.object({ tokens: z.number(), at: z.number() }),
  frames: z.number(),
  bytes: z.number(),
  carried: totalsSchema,
});
export type DeviceState = z.infer<typeof deviceStateSchema>;

export function readState(connection: Connection): DeviceState | null {
  const parsed = deviceStateSchema.safeParse(connection.state);
  return parsed.success ? parsed.data : null;
}

/** This socket's own counts plus what it carries for sockets that left before it. */
export function totalsOf(state: DeviceState): SessionTotals {
  return {
    frames: state.frames + state.carried.frames,
    bytes: state.bytes + state.carried.bytes,
    devices: 1 + state.carried.devices,
  };
}

export function addTotals(a: SessionTotals, b: SessionTotals): SessionTotals {
  return { frames: a.frames + b.frames, bytes: a.bytes + b.bytes, devices: a.devices + b.devices };
}
