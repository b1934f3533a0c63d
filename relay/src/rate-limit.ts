/** A token bucket small enough to live in a WebSocket attachment, so it survives hibernation. */
export type Bucket = { tokens: number; at: number };

export function createBucket(burst: number, now: number): Bucket {
  return { tokens: burst, at: now };
}

/** Refills by elapsed time, then spends one token if there is one. Pure: returns the next bucket. */
export function takeToken(
  bucket: Bucket,
  now: number,
  ratePerSec: number,
  burst: number,
): { allowed: boolean; bucket: Bucket } {
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(burst, bucket.tokens + (elapsed * ratePerSec) / 1000);
  if (tokens < 1) return { allowed: false, bucket: { tokens, at: now } };
  return { allowed: true, bucket: { tokens: tokens - 1, at: now } };
}
