import { z } from 'zod';
import { MAX_FRAME_BYTES, RELAY_LIMITS } from '../../lib/protocol/envelope';

export type RelayLimits = {
  maxDevices: number;
  sessionTtlMs: number;
  ratePerSec: number;
  rateBurst: number;
  bytesPerSec: number;
  byteBurst: number;
  strikeBurst: number;
  strikesPerSec: number;
  outputCapBytes: number;
  liveWindowMs: number;
  maxFrameBytes: number;
};

/** The per-socket numbers are RELAY_LIMITS, which clients pace themselves by; see docs/relay.md. */
export const DEFAULT_LIMITS: RelayLimits = {
  maxDevices: 8,
  // Pairing sessions last 15 minutes, as in the original design's cleanup rule.
  sessionTtlMs: 15 * 60 * 1000,
  ratePerSec: RELAY_LIMITS.framesPerSec,
  rateBurst: RELAY_LIMITS.frameBurst,
  bytesPerSec: RELAY_LIMITS.bytesPerSec,
  byteBurst: RELAY_LIMITS.byteBurst,
  strikeBurst: RELAY_LIMITS.strikeBurst,
  strikesPerSec: RELAY_LIMITS.strikesPerSec,
  outputCapBytes: RELAY_LIMITS.outputCapBytes,
  liveWindowMs: RELAY_LIMITS.liveWindowMs,
  maxFrameBytes: MAX_FRAME_BYTES,
};

const positiveInt = z.coerce.number().int().positive();

/** Wrangler vars are strings; a malformed value falls back to the default rather than disabling a limit. */
export function readLimits(env: Partial<RelayEnv>): RelayLimits {
  const pick = (raw: string | undefined, fallback: number): number => {
    const parsed = positiveInt.safeParse(raw);
    return raw !== undefined && parsed.success ? parsed.data : fallback;
  };
  const d = DEFAULT_LIMITS;
  return {
    maxDevices: pick(env.RELAY_MAX_DEVICES, d.maxDevices),
    sessionTtlMs: pick(env.RELAY_SESSION_TTL_MS, d.sessionTtlMs),
    ratePerSec: pick(env.RELAY_RATE_PER_SEC, d.ratePerSec),
    rateBurst: pick(env.RELAY_RATE_BURST, d.rateBurst),
    bytesPerSec: pick(env.RELAY_BYTES_PER_SEC, d.bytesPerSec),
    byteBurst: pick(env.RELAY_BYTE_BURST, d.byteBurst),
    strikeBurst: pick(env.RELAY_STRIKE_BURST, d.strikeBurst),
    strikesPerSec: pick(env.RELAY_STRIKES_PER_SEC, d.strikesPerSec),
    outputCapBytes: pick(env.RELAY_OUTPUT_CAP_BYTES, d.outputCapBytes),
    liveWindowMs: pick(env.RELAY_LIVE_WINDOW_MS, d.liveWindowMs),
    // Never above the protocol cap: clients are told MAX_FRAME_BYTES is the ceiling.
    maxFrameBytes: Math.min(pick(env.RELAY_MAX_FRAME_BYTES, MAX_FRAME_BYTES), MAX_FRAME_BYTES),
  };
}
