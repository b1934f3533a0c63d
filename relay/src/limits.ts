import { z } from 'zod';
import { MAX_FRAME_BYTES } from '../../lib/protocol/envelope';

export type RelayLimits = {
  maxDevices: number;
  sessionTtlMs: number;
  ratePerSec: number;
  rateBurst: number;
  maxFrameBytes: number;
};

export const DEFAULT_LIMITS: RelayLimits = {
  maxDevices: 8,
  // Pairing sessions last 15 minutes, as in the original design's cleanup rule.
  sessionTtlMs: 15 * 60 * 1000,
  // Generous for sync batches of ~128 KiB; stops a runaway client from flooding its peers.
  ratePerSec: 100,
  rateBurst: 200,
  maxFrameBytes: MAX_FRAME_BYTES,
};

const positiveInt = z.coerce.number().int().positive();

/** Wrangler vars are strings; a malformed value falls back to the default rather than disabling a limit. */
export function readLimits(env: Partial<RelayEnv>): RelayLimits {
  const pick = (raw: string | undefined, fallback: number): number => {
    const parsed = positiveInt.safeParse(raw);
    return raw !== undefined && parsed.success ? parsed.data : fallback;
  };
  return {
    maxDevices: pick(env.RELAY_MAX_DEVICES, DEFAULT_LIMITS.maxDevices),
    sessionTtlMs: pick(env.RELAY_SESSION_TTL_MS, DEFAULT_LIMITS.sessionTtlMs),
    ratePerSec: pick(env.RELAY_RATE_PER_SEC, DEFAULT_LIMITS.ratePerSec),
    rateBurst: pick(env.RELAY_RATE_BURST, DEFAULT_LIMITS.rateBurst),
    // Never above the protocol cap: clients are told MAX_FRAME_BYTES is the ceiling.
    maxFrameBytes: Math.min(pick(env.RELAY_MAX_FRAME_BYTES, MAX_FRAME_BYTES), MAX_FRAME_BYTES),
  };
}
