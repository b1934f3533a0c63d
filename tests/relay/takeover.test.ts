import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { RELAY_CLOSE } from '../../lib/protocol/envelope';
import { readState } from '../../relay/src/device-state';
import type { Relay } from '../../relay/src/relay-server';
import { connect, envelope, stubFor, uuid } from './helpers';
import { TEST_LIMITS } from './test-limits';

/** Moves a device's last frame and its open back in time, as if it had sent nothing for `forMs`. */
async function silence(room: string, deviceId: string, forMs: number): Promise<void> {
  await runInDurableObject(stubFor(room), (instance: Relay) => {
    for (const connection of instance.getConnections()) {
      const state = readState(connection);
      if (connection.id !== deviceId || state === null) continue;
      connection.setState({ ...state, seen: state.seen - forMs, connectedAt: state.connectedAt - forMs });
    }
  });
}

describe('device id takeover', () => {
  it('refuses a newcomer with the id of a live socket with 4004 and leaves the live one in place', async () => {
    const room = uuid();
    const deviceId = uuid();
    const device = await connect(room, deviceId);
    const peer = await connect(room);
    const impostor = await connect(room, deviceId);
    expect((await impostor.closed).code).toBe(RELAY_CLOSE.DEVICE_IN_USE);

    const toDevice = envelope(peer.id);
    peer.send(toDevice);
    expect(await device.next()).toBe(toDevice);
    const fromDevice = envelope(deviceId);
    device.send(fromDevice);
    expect(await peer.next()).toBe(fromDevice);
    await peer.barrier();
    expect(peer.pending()).toEqual([]);
    expect(impostor.pending()).toEqual([]);
  });

  it('counts an auto-answered PING as a sign of life', async () => {
    const room = uuid();
    const deviceId = uuid();
    const device = await connect(room, deviceId);
    await silence(room, deviceId, TEST_LIMITS.liveWindowMs + 1000);
    // The runtime answers this PING without waking the session; only its timestamp shows it.
    await device.ping();
    const impostor = await connect(room, deviceId);
    expect((await impostor.closed).code).toBe(RELAY_CLOSE.DEVICE_IN_USE);
  });

  it('counts a refused frame as a sign of life', async () => {
    const room = uuid();
    const deviceId = uuid();
    const device = await connect(room, deviceId);
    await silence(room, deviceId, TEST_LIMITS.liveWindowMs + 1000);
    await device.barrier();
    const impostor = await connect(room, deviceId);
    expect((await impostor.closed).code).toBe(RELAY_CLOSE.DEVICE_IN_USE);
  });

  it('replaces a socket silent for the live window with 4002, without announcing it left', async () => {
    const room = uuid();
    const deviceId = uuid();
    const stale = await connect(room, deviceId);
    const peer = await connect(room);
    await silence(room, deviceId, TEST_LIMITS.liveWindowMs + 1000);
    const fresh = await connect(room, deviceId);
    expect((await stale.closed).code).toBe(RELAY_CLOSE.REPLACED);
    await peer.barrier();
    expect(peer.pending()).toEqual([]);

    const toDevice = envelope(peer.id);
    peer.send(toDevice);
    expect(await fresh.next()).toBe(toDevice);
    const fromDevice = envelope(deviceId);
    fresh.send(fromDevice);
    expect(await peer.next()).toBe(fromDevice);
  });
});
