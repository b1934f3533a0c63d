/** A token bucket small enough to live in a WebSocket attachment, so it survives hibernation. */
export type Bucket = { tokens: number; at: number };

export function createBucket(burst: number, now: number): Bucket {
  return { tokens: burst, at: now };
}

/**
 * Refills by elapsed time, then spends `cost` tokens if there are that many. Pure: returns the next
 * bucket. Frames cost 1 in the frame bucket and their size in the byte bucket.
 */
export function takeToken(
  bucket: Bucket,
  now: number,
  ratePerSec: number,
  burst: number,
  cost = 1,
): { allowed: boolean; bucket: Bucket } {
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(burst, bucket.tokens + (elapsed * ratePerSec) / 1000);
  if (tokens < cost) return { allowed: false, bucket: { tokens, at: now } };
  return { allowed: true, bucket: { tokens: tokens - cost, at: now } };
}
