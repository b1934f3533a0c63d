/**
 * One JSON line per session start and end, read by Workers Logs / `wrangler tail`. From these lines the
 * original design's metrics follow: active sessions (starts − ends), frames relayed per second (sum of
 * `frames` over time), average session duration, cleanup rate (ends by `reason`). Never a todo, a
 * payload, a device id or a session id: the relay has nothing worth logging about its users.
 */
export type SessionEndReason = 'empty' | 'expired';

/** Why the relay closed a socket itself, for the operator to see abuse without seeing who. */
export type SocketCloseReason = 'slow_reader' | 'too_many_errors';

export type SessionTotals = { frames: number; bytes: number; devices: number };

export function logSessionStart(): void {
  console.log(JSON.stringify({ event: 'session_start' }));
}

export function logSessionEnd(durationMs: number, totals: SessionTotals, reason: SessionEndReason): void {
  console.log(
    JSON.stringify({
      event: 'session_end',
      durationMs: Math.max(0, Math.round(durationMs)),
      devices: totals.devices,
      frames: totals.frames,
      bytes: totals.bytes,
      reason,
    }),
  );
}

export function logSocketClosed(reason: SocketCloseReason): void {
  console.log(JSON.stringify({ event: 'socket_closed', reason }));
}

/** An exception in relay code: its kind only, since a message or stack could carry a URL or an id. */
export function logRelayError(
  where: 'worker' | 'connect' | 'message' | 'close' | 'alarm',
  error: unknown,
): void {
  console.error(
    JSON.stringify({ event: 'relay_error', where, kind: error instanceof Error ? error.name : typeof error }),
  );
}
