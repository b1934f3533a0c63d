import { describe, expect, it } from 'vitest';
import { createFirefoxKeepAlive, KEEP_ALIVE_ALARM } from '../../lib/platform/keep-alive-firefox';

function fakeAlarms() {
  const live = new Set<string>();
  return {
    live,
    create: (name: string) => live.add(name),
    clear: (name: string) => live.delete(name),
    onAlarm: { addListener: () => {} },
  };
}

describe('Firefox keep-alive', () => {
  it('holds the event page awake while a pairing runs or the device is in a circle, and only then', () => {
    const alarms = fakeAlarms();
    const k = createFirefoxKeepAlive(alarms);
    expect(alarms.live.has(KEEP_ALIVE_ALARM)).toBe(false);
    k.onEvent({ kind: 'circle.state', state: { state: 'on', connected: false, auto: true, members: [] } });
    expect(alarms.live.has(KEEP_ALIVE_ALARM)).toBe(true);
    // A pairing ending does not release a circle's socket.
    k.onEvent({ kind: 'sync.state', state: { phase: 'waiting', role: 'host' } });
    k.onEvent({ kind: 'sync.state', state: { phase: 'idle' } });
    expect(alarms.live.has(KEEP_ALIVE_ALARM)).toBe(true);
    k.onEvent({ kind: 'circle.state', state: { state: 'none' } });
    expect(alarms.live.has(KEEP_ALIVE_ALARM)).toBe(false);
    // Manual sync: awake only while a "Sync now" has the socket open.
    k.onEvent({ kind: 'circle.state', state: { state: 'on', connected: false, auto: false, members: [] } });
    expect(alarms.live.has(KEEP_ALIVE_ALARM)).toBe(false);
    k.onEvent({ kind: 'circle.state', state: { state: 'on', connected: true, auto: false, members: [] } });
    expect(alarms.live.has(KEEP_ALIVE_ALARM)).toBe(true);
    k.onEvent({ kind: 'circle.state', state: { state: 'none' } });
    k.onEvent({
      kind: 'sync.state',
      state: { phase: 'syncing', role: 'guest', name: 'A', progress: 0, sent: 0, received: 0 },
    });
    expect(k.active).toBe(true);
    k.onEvent({ kind: 'db.health', state: 'down', message: 'restarting' });
    expect(k.active).toBe(false);
  });
});
