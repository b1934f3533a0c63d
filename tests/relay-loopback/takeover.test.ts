/**
 * A newcomer that only knows a device id cannot take that device's place while its socket is alive
 * (issue 9), over loopback with the real client transport and partysocket.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { RELAY_CLOSE } from '../../lib/protocol/envelope';
import type { DeviceId, SessionId } from '../../lib/model/ids';
import { createPartySocketTransport } from '../../lib/sync/partysocket-transport';
import type { Transport } from '../../lib/sync/ports';
import { createDevice, envelope, inbound, waitFor, type Device } from './client';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const close of cleanup.splice(0)) close();
});

function device(room: string, id?: DeviceId): Device {
  const created = createDevice(room, id);
  cleanup.push(() => created.close());
  return created;
}

type Watched = { transport: Transport; opens: number; closes: string[]; received: string[] };

/** The client transport as the extension uses it, with what it reports collected. */
function watchedTransport(
  room: SessionId,
  deviceId: DeviceId,
): Watched & { until(what: string, p: () => boolean): Promise<void> } {
  const transport = createPartySocketTransport({
    relayOrigin: inject('relayUrl'),
    sessionId: room,
    deviceId,
  });
  cleanup.push(() => transport.close());
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  const watched = {
    transport,
    opens: 0,
    closes: [] as string[],
    received: [] as string[],
    until: (what: string, predicate: () => boolean) =>
      waitFor(
        what,
        (check) => {
          listeners.add(check);
          return () => listeners.delete(check);
        },
        predicate,
        30_000,
      ),
  };
  transport.onOpen(() => {
    watched.opens += 1;
    notify();
  });
  transport.onClose((reason) => {
    watched.closes.push(reason);
    notify();
  });
  transport.onMessage((frame) => {
    watched.received.push(typeof frame === 'string' ? frame : '<binary>');
    notify();
  });
  return watched;
}

describe('device id takeover over loopback', () => {
  it('refuses a live device id to a newcomer, whose client retries with back-off and gets in once the device leaves', async () => {
    const room = crypto.randomUUID() as SessionId;
    const victim = device(room);
    const peer = device(room);
    await Promise.all([victim.opened(), peer.opened()]);

    const impostor = watchedTransport(room, victim.id as DeviceId);
    impostor.transport.connect();
    // Two refusals: the client did not treat the first as final and came back on its own.
    await impostor.until('two refusals', () => impostor.closes.length >= 2);
    expect(impostor.closes.slice(0, 2)).toEqual([
      'device id in use by a live connection',
      'device id in use by a live connection',
    ]);

    // The victim kept its place: frames still flow both ways, and nobody was told it left.
    const toVictim = envelope(peer.id);
    peer.socket.send(toVictim);
    await victim.until('frame from the peer', () => victim.received.includes(toVictim));
    const fromVictim = envelope(victim.id);
    victim.socket.send(fromVictim);
    await peer.until('frame from the victim', () => peer.received.includes(fromVictim));
    await peer.barrier();
    expect(peer.received).toEqual([fromVictim]);
    expect(victim.closeCodes).toEqual([]);

    // Once the device is gone, the retrying client is admitted.
    victim.close();
    await peer.until('PEER_LEFT', () => peer.received.some((f) => inbound(f)?.type === 'PEER_LEFT'));
    const refusals = impostor.closes.length;
    await impostor.until('admitted', () => impostor.opens > refusals);
    const fromNewcomer = envelope(victim.id);
    expect(impostor.transport.send(fromNewcomer)).toBe(true);
    await peer.until('frame from the newcomer', () => peer.received.includes(fromNewcomer));
    expect(impostor.closes).toHaveLength(refusals);
  });

  it('closes a partysocket newcomer with the typed code 4004', async () => {
    const room = crypto.randomUUID();
    const holder = device(room);
    await holder.opened();
    const newcomer = device(room, holder.id as DeviceId);
    await newcomer.until('refusal', () => newcomer.closeCodes.length > 0);
    expect(newcomer.closeCodes[0]).toBe(RELAY_CLOSE.DEVICE_IN_USE);
    expect(holder.closeCodes).toEqual([]);
  });
});
