import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { RELAY_CLOSE, relayErrorSchema } from '../../lib/protocol/envelope';
import { readState } from '../../relay/src/device-state';
import type { Relay } from '../../relay/src/relay-server';
import { connect, envelope, stubFor, uuid } from './helpers';

async function storageOf(
  room: string,
  party: 'relay' | 'circle' = 'relay',
): Promise<{ keys: string[]; alarm: number | null }> {
  return runInDurableObject(stubFor(room, party), async (_instance, state) => ({
    keys: [...(await state.storage.list()).keys()],
    alarm: await state.storage.getAlarm(),
  }));
}

describe('session lifecycle', () => {
  it('refuses a device over the cap with SESSION_FULL and close code 4001', async () => {
    const room = uuid();
    // test-limits.ts: 3 devices per session.
    const members = [await connect(room), await connect(room), await connect(room)];
    const extra = await connect(room);
    const error = relayErrorSchema.safeParse(JSON.parse(await extra.next()));
    expect(error.success && error.data.code).toBe('SESSION_FULL');
    expect((await extra.closed).code).toBe(4001);
    const [first, second, third] = members;
    if (!first || !second || !third) throw new Error('members missing');
    await second.barrier();
    expect(second.pending()).toEqual([]);
    const frame = envelope(first.id);
    first.send(frame);
    expect(await third.next()).toBe(frame);
  });

  it('lets a device of a full session reconnect once its old socket went silent', async () => {
    const room = uuid();
    const deviceId = uuid();
    const [original] = [await connect(room, deviceId), await connect(room), await connect(room)];
    await runInDurableObject(stubFor(room), (instance: Relay) => {
      for (const connection of instance.getConnections()) {
        const state = readState(connection);
        if (connection.id === deviceId && state !== null)
          connection.setState({ ...state, seen: 0, connectedAt: 0 });
      }
    });
    const again = await connect(room, deviceId);
    expect((await original?.closed)?.code).toBe(RELAY_CLOSE.REPLACED);
    await again.barrier();
    expect(again.pending()).toEqual([]);
  });

  it('admits a new device once one has left a full session', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room), await connect(room)];
    await a.close();
    await b.next();
    const late = await connect(room);
    const frame = envelope(late.id);
    late.send(frame);
    expect(await b.next()).toBe(frame);
  });

  it('sends SESSION_EXPIRED to every device and closes them when the session time is up', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    expect(await runDurableObjectAlarm(stubFor(room))).toBe(true);
    for (const device of [a, b]) {
      const error = relayErrorSchema.safeParse(JSON.parse(await device.next()));
      expect(error.success && error.data.code).toBe('SESSION_EXPIRED');
      expect((await device.closed).code).toBe(4003);
    }
  });

  it('schedules expiry 15 minutes after the first connection', async () => {
    const room = uuid();
    const before = Date.now();
    await connect(room);
    const { alarm } = await storageOf(room);
    expect(alarm).not.toBeNull();
    expect(alarm ?? 0).toBeGreaterThanOrEqual(before + 15 * 60 * 1000);
    expect(alarm ?? 0).toBeLessThanOrEqual(Date.now() + 15 * 60 * 1000);
  });

  it('keeps nothing in storage after the last device leaves', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    a.send(envelope(a.id, 'SYNC_DATA'));
    await b.next();
    const during = await storageOf(room);
    expect(during.alarm).not.toBeNull();
    await a.close();
    await b.close();
    expect(await storageOf(room)).toEqual({ keys: [], alarm: null });
  });

  it('keeps nothing in storage after the session expires', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    await runDurableObjectAlarm(stubFor(room));
    await Promise.all([a.closed, b.closed]);
    expect(await storageOf(room)).toEqual({ keys: [], alarm: null });
  });
});

describe('close handshake', () => {
  it('completes the close handshake for a client that closes without a status code', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    a.ws.close();
    const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000));
    expect(await Promise.race([a.closed.then(() => 'closed'), timeout])).toBe('closed');
    expect(JSON.parse(await b.next())).toMatchObject({ type: 'PEER_LEFT', device: a.id });
  });

  it('keeps a circle room open with no expiry and stores nothing in it', async () => {
    const room = uuid();
    const a = await connect(room, uuid(), undefined, 'circle');
    const b = await connect(room, uuid(), undefined, 'circle');
    const frame = envelope(a.id, 'SYNC_DATA');
    a.send(frame);
    expect(await b.next()).toBe(frame);
    // Only partyserver's record of the room's name while members are there, and no alarm.
    expect(await storageOf(room, 'circle')).toEqual({ keys: ['__ps_name'], alarm: null });
    // A pairing session with the same id is another room: frames do not cross.
    const pairing = await connect(room);
    pairing.send(envelope(pairing.id, 'SYNC_DATA'));
    await b.barrier();
    expect(b.pending()).toEqual([]);
    await pairing.close();
    await a.close();
    await b.close();
    expect(await storageOf(room, 'circle')).toEqual({ keys: [], alarm: null });
  });
});
