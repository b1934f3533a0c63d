import { z } from 'zod';
import type { Connection } from 'partyserver';
import type { SessionTotals } from './session-log';

/**
 * What the relay keeps per socket. It lives in the WebSocket attachment (not in instance fields) so it
 * survives hibernation; it holds counters only, never frame contents.
 *  sid: tells two sockets of one device apart during a replacement.
 *  status: `refused` (session full, or its device id held by a live socket), `replaced` (went silent and
 *    a newcomer took its id), `expired`, `slow` (too much unread output) and `offender` (too many
 *    refused frames) sockets are closing on the relay's initiative; their close announces nothing.
 *  seen: when this socket last sent anything the relay read (a frame, valid or not); with the runtime's
 *    PING auto-response timestamp it decides whether the socket is alive.
 *  frames/bytes/strikes: its inbound token buckets (limits.ts).
 *  out: bytes forwarded to it since its last PINGs — see outputDebt.
 *  carried: totals of sockets that already left, so the session_end line survives hibernation.
 */
const totalsSchema = z.object({
  frames: z.number(),
  bytes: z.number(),
  devices: z.number(),
});

const bucketSchema = z.object({ tokens: z.number(), at: z.number() });

const outputSchema = z.object({ ping: z.number(), sincePrev: z.number(), sinceLast: z.number() });
export type OutputLedger = z.infer<typeof outputSchema>;

export const deviceStateSchema = z.object({
  sid: z.string(),
  status: z.enum(['active', 'refused', 'replaced', 'expired', 'slow', 'offender']),
  connectedAt: z.number(),
  seen: z.number(),
  bucket: bucketSchema,
  byteBucket: bucketSchema,
  strikes: bucketSchema,
  out: outputSchema,
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

/** When the socket last showed it is there: its last frame, its last auto-answered PING, or its open. */
export function lastSignOfLife(state: DeviceState, pingAt: number | null): number {
  return Math.max(state.seen, state.connectedAt, pingAt ?? 0);
}

/**
 * Charges `bytes` forwarded to a reader and returns its ledger and debt: the bytes it may not have read.
 *
 * workerd exposes no `bufferedAmount` (cloudflare/workerd#988), so the relay cannot see a reader's
 * queue. What it can see is the reader's PINGs: the runtime answers a PING with PONG in order with the
 * frames sent before it, and does not read that socket's next frame until the PONG is out (measured:
 * a reader that stops reading has its next PING unread for as long as it stalls). So a PING arriving at
 * t₂ proves the PONG to the PING at t₁ left, and with it everything forwarded before t₁. The debt is
 * what was forwarded since the PING before the latest (since the open, until two PINGs arrived).
 */
export function outputDebt(
  ledger: OutputLedger,
  pingAt: number | null,
  bytes: number,
): { ledger: OutputLedger; debt: number } {
  let next = ledger;
  if (pingAt !== null && pingAt > ledger.ping) {
    next = { ping: pingAt, sincePrev: ledger.sinceLast, sinceLast: 0 };
  }
  next = { ...next, sinceLast: next.sinceLast + bytes };
  return { ledger: next, debt: next.sincePrev + next.sinceLast };
}
