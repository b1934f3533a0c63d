import { describe, expect, it } from 'vitest';
import {
  isFinalRelayClose,
  RELAY_CLOSE,
  RELAY_LIMITS,
  TARGET_BATCH_BYTES,
} from '../../lib/protocol/envelope';
import { PING_INTERVAL_MS, SEND_BURST, SEND_RATE_PER_SEC } from '../../lib/sync/partysocket-transport';
import { outputDebt } from '../../relay/src/device-state';
import { readLimits, DEFAULT_LIMITS } from '../../relay/src/limits';
import {
  isOriginAllowed,
  parseAllowedOrigins,
  parsePublicOrigin,
  readOriginPolicy,
  type OriginPolicy,
} from '../../relay/src/origin';
import { createBucket, takeToken } from '../../relay/src/rate-limit';

describe('origin rules', () => {
  const allowed = parseAllowedOrigins(' chrome-extension://abc , moz-extension://* ,');
  const policy: OriginPolicy = { allowed, publicOrigin: 'https://r.example', loopback: false };

  it('parses a comma-separated list and drops empty entries', () => {
    expect(allowed).toEqual(['chrome-extension://abc', 'moz-extension://*']);
  });

  it('accepts an exact origin, a scheme wildcard, the configured public origin and no origin', () => {
    expect(isOriginAllowed('chrome-extension://abc', policy)).toBe(true);
    expect(isOriginAllowed('moz-extension://1234', policy)).toBe(true);
    expect(isOriginAllowed('https://r.example', policy)).toBe(true);
    expect(isOriginAllowed(null, policy)).toBe(true);
  });

  it('rejects a prefix of an allowed origin, an empty wildcard host and other schemes', () => {
    expect(isOriginAllowed('chrome-extension://abcd', policy)).toBe(false);
    expect(isOriginAllowed('moz-extension://', policy)).toBe(false);
    expect(isOriginAllowed('https://evil.example', policy)).toBe(false);
    expect(isOriginAllowed('null', policy)).toBe(false);
  });

  it('rejects loopback origins unless loopback is switched on, then only loopback hosts', () => {
    expect(isOriginAllowed('http://127.0.0.1:8787', policy)).toBe(false);
    const dev = { ...policy, loopback: true };
    expect(isOriginAllowed('http://127.0.0.1:8787', dev)).toBe(true);
    expect(isOriginAllowed('http://localhost:5173', dev)).toBe(true);
    expect(isOriginAllowed('http://[::1]:8787', dev)).toBe(true);
    expect(isOriginAllowed('http://127.0.0.1.evil.example:8787', dev)).toBe(false);
    expect(isOriginAllowed('http://localhost.evil.example', dev)).toBe(false);
    expect(isOriginAllowed('http://127.0.0.1:8787/path', dev)).toBe(false);
  });

  it('reads the public origin as an origin and ignores a malformed one', () => {
    expect(parsePublicOrigin('https://r.example/some/path')).toBe('https://r.example');
    expect(parsePublicOrigin('')).toBeNull();
    expect(parsePublicOrigin('not a url')).toBeNull();
    expect(parsePublicOrigin('ftp://r.example')).toBeNull();
    expect(readOriginPolicy({ RELAY_LOOPBACK_ORIGINS: 'yes' }).loopback).toBe(false);
    expect(readOriginPolicy({ RELAY_LOOPBACK_ORIGINS: 'true' }).loopback).toBe(true);
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

  it('spends a cost of many tokens at once, or none', () => {
    const bucket = createBucket(1000, 0);
    const first = takeToken(bucket, 0, 100, 1000, 600);
    expect(first).toEqual({ allowed: true, bucket: { tokens: 400, at: 0 } });
    expect(takeToken(first.bucket, 0, 100, 1000, 600)).toEqual({
      allowed: false,
      bucket: { tokens: 400, at: 0 },
    });
    expect(takeToken(first.bucket, 2000, 100, 1000, 600).allowed).toBe(true);
  });
});

describe('output debt', () => {
  const fresh = { ping: 0, sincePrev: 0, sinceLast: 0 };

  it('counts everything forwarded since the open until two PINGs have arrived', () => {
    let step = outputDebt(fresh, null, 100);
    step = outputDebt(step.ledger, 10, 50);
    expect(step.debt).toBe(150);
  });

  it('forgets what was forwarded before the PING preceding the latest one', () => {
    let step = outputDebt(fresh, null, 100);
    step = outputDebt(step.ledger, 10, 50);
    step = outputDebt(step.ledger, 20, 7);
    expect(step.debt).toBe(57);
  });

  it('does not move on a PING it has already seen', () => {
    let step = outputDebt(fresh, 10, 100);
    step = outputDebt(step.ledger, 10, 100);
    expect(step.debt).toBe(200);
  });
});

describe('limits from wrangler vars', () => {
  it('uses defaults when vars are missing or malformed', () => {
    expect(readLimits({})).toEqual(DEFAULT_LIMITS);
    expect(
      readLimits({ RELAY_MAX_DEVICES: 'eight', RELAY_RATE_BURST: '-1', RELAY_OUTPUT_CAP_BYTES: '1e' }),
    ).toEqual(DEFAULT_LIMITS);
  });

  it('never raises the frame cap above the protocol cap', () => {
    expect(readLimits({ RELAY_MAX_FRAME_BYTES: String(64 * 1024 * 1024) }).maxFrameBytes).toBe(
      DEFAULT_LIMITS.maxFrameBytes,
    );
  });

  it('takes its per-socket defaults from RELAY_LIMITS, the numbers clients pace by', () => {
    expect(DEFAULT_LIMITS).toMatchObject({
      ratePerSec: RELAY_LIMITS.framesPerSec,
      rateBurst: RELAY_LIMITS.frameBurst,
      bytesPerSec: RELAY_LIMITS.bytesPerSec,
      byteBurst: RELAY_LIMITS.byteBurst,
      outputCapBytes: RELAY_LIMITS.outputCapBytes,
      liveWindowMs: RELAY_LIMITS.liveWindowMs,
    });
  });
});

describe('client pacing against the relay limits', () => {
  it('sends a burst and a sustained rate of full batches that stay under both relay buckets', () => {
    expect(SEND_BURST).toBeLessThan(RELAY_LIMITS.frameBurst);
    expect(SEND_BURST * TARGET_BATCH_BYTES).toBeLessThan(RELAY_LIMITS.byteBurst);
    expect(SEND_RATE_PER_SEC).toBeLessThan(RELAY_LIMITS.framesPerSec);
    expect(SEND_RATE_PER_SEC * TARGET_BATCH_BYTES).toBeLessThan(RELAY_LIMITS.bytesPerSec);
  });

  it('fits a 100,000-todo sync (~32 MB in 256 KiB batches) in the relay byte burst', () => {
    expect(32 * 1000 * 1000).toBeLessThan(RELAY_LIMITS.byteBurst);
    expect(32 * 1000 * 1000).toBeLessThan(RELAY_LIMITS.outputCapBytes);
  });

  it('pings more often than the relay counts a socket as gone, with room for one lost PING', () => {
    expect(2 * PING_INTERVAL_MS).toBeLessThan(RELAY_LIMITS.liveWindowMs);
  });

  it('gives up only after the final close codes', () => {
    expect(isFinalRelayClose(RELAY_CLOSE.SESSION_FULL)).toBe(true);
    expect(isFinalRelayClose(RELAY_CLOSE.SESSION_EXPIRED)).toBe(true);
    for (const code of [
      RELAY_CLOSE.REPLACED,
      RELAY_CLOSE.DEVICE_IN_USE,
      RELAY_CLOSE.SLOW_READER,
      RELAY_CLOSE.TOO_MANY_ERRORS,
    ]) {
      expect(isFinalRelayClose(code)).toBe(false);
    }
  });
});
