import { describe, expect, it } from 'vitest';
import { readLimits, DEFAULT_LIMITS } from '../../relay/src/limits';
import { isOriginAllowed, parseAllowedOrigins } from '../../relay/src/origin';
import { createBucket, takeToken } from '../../relay/src/rate-limit';

describe('origin rules', () => {
  const allowed = parseAllowedOrigins(' chrome-extension://abc , moz-extension://* ,');

  it('parses a comma-separated list and drops empty entries', () => {
    expect(allowed).toEqual(['chrome-extension://abc', 'moz-extension://*']);
  });

  it('accepts an exact origin, a scheme wildcard, its own origin and no origin', () => {
    expect(isOriginAllowed('chrome-extension://abc', 'https://r.example', allowed)).toBe(true);
    expect(isOriginAllowed('moz-extension://1234', 'https://r.example', allowed)).toBe(true);
    expect(isOriginAllowed('https://r.example', 'https://r.example', allowed)).toBe(true);
    expect(isOriginAllowed(null, 'https://r.example', allowed)).toBe(true);
  });

  it('rejects a prefix of an allowed origin, an empty wildcard host and other schemes', () => {
    expect(isOriginAllowed('chrome-extension://abcd', 'https://r.example', allowed)).toBe(false);
    expect(isOriginAllowed('moz-extension://', 'https://r.example', allowed)).toBe(false);
    expect(isOriginAllowed('https://evil.example', 'https://r.example', allowed)).toBe(false);
    expect(isOriginAllowed('null', 'https://r.example', allowed)).toBe(false);
  });
});

describe('token bucket', () => {
  it('allows a burst, then refuses until time refills a token', () => {
    let bucket = createBucket(3, 0);
    const results: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const step = takeToken(bucket, 0, 10, 3);
      results.push(step.allowed);
      bucket = step.bucket;
    }
    expect(results).toEqual([true, true, true, false]);
    expect(takeToken(bucket, 99, 10, 3).allowed).toBe(false);
    expect(takeToken(bucket, 100, 10, 3).allowed).toBe(true);
  });

  it('never refills above the burst', () => {
    const bucket = createBucket(2, 0);
    expect(takeToken(bucket, 1_000_000, 10, 2).bucket.tokens).toBe(1);
  });
});

describe('limits from wrangler vars', () => {
  it('uses defaults when vars are missing or malformed', () => {
    expect(readLimits({})).toEqual(DEFAULT_LIMITS);
    expect(readLimits({ RELAY_MAX_DEVICES: 'eight', RELAY_RATE_BURST: '-1' })).toEqual(DEFAULT_LIMITS);
  });

  it('never raises the frame cap above the protocol cap', () => {
    expect(readLimits({ RELAY_MAX_FRAME_BYTES: String(64 * 1024 * 1024) }).maxFrameBytes).toBe(
      DEFAULT_LIMITS.maxFrameBytes,
    );
  });
});
