/**
 * Limits the workerd suite runs with (miniflare bindings in vitest.config.ts), shrunk so each cap is
 * reached in a few frames. Tests read the numbers from here instead of repeating them.
 */
export const TEST_VARS = {
  RELAY_MAX_DEVICES: '3',
  RELAY_RATE_PER_SEC: '1',
  RELAY_RATE_BURST: '40',
  RELAY_BYTES_PER_SEC: '1000',
  RELAY_BYTE_BURST: String(8 * 1024 * 1024),
  RELAY_STRIKE_BURST: '60',
  RELAY_STRIKES_PER_SEC: '1',
  RELAY_OUTPUT_CAP_BYTES: String(2 * 1024 * 1024),
  RELAY_LIVE_WINDOW_MS: '45000',
  RELAY_PUBLIC_ORIGIN: 'https://relay.test',
};

export const TEST_LIMITS = {
  maxDevices: Number(TEST_VARS.RELAY_MAX_DEVICES),
  rateBurst: Number(TEST_VARS.RELAY_RATE_BURST),
  byteBurst: Number(TEST_VARS.RELAY_BYTE_BURST),
  strikeBurst: Number(TEST_VARS.RELAY_STRIKE_BURST),
  outputCapBytes: Number(TEST_VARS.RELAY_OUTPUT_CAP_BYTES),
  liveWindowMs: Number(TEST_VARS.RELAY_LIVE_WINDOW_MS),
  publicOrigin: TEST_VARS.RELAY_PUBLIC_ORIGIN,
};
