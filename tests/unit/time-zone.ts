/**
 * Runs `fn` with this process in another time zone. Node re-reads `process.env.TZ` when it is set;
 * vitest runs each test file in its own process, so the zone cannot leak into another file.
 */
export function inTimeZone<T>(tz: string, fn: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = tz;
  try {
    // Fails loudly if the runtime ignored the change rather than testing the wrong zone.
    const offset = new Date(Date.UTC(2026, 0, 15)).getTimezoneOffset();
    const expected = {
      'Europe/Berlin': -60,
      'America/New_York': 300,
      'Asia/Tokyo': -540,
      'Pacific/Auckland': -780,
      UTC: 0,
    }[tz];
    if (expected !== undefined && offset !== expected)
      throw new Error(`TZ=${tz} not applied (offset ${offset})`);
    return fn();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}
