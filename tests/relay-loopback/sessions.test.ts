import { afterEach, describe, expect, it } from 'vitest';
import { createDevice, envelope, inbound, pingPong, type Device, type DeviceId } from './client';

const open: Device[] = [];
function device(room: string, id?: DeviceId, options?: { joinOnOpen?: boolean }): Device {
  const created = createDevice(room, id, options);
  open.push(created);
  return created;
}
afterEach(() => {
  for (const d of open.splice(0)) d.close();
});

describe('relay over loopback with partysocket', () => {
  it('relays JOIN and data between two devices', async () => {
    const room = crypto.randomUUID();
    const a = device(room);
    const b = device(room);
    await Promise.all([a.opened(), b.opened()]);
    const join = envelope(a.id, 'JOIN');
    a.socket.send(join);
    await b.receivedAtLeast(1);
    const reply = envelope(b.id, 'METADATA_EXCHANGE');
    b.socket.send(reply);
    await a.receivedAtLeast(1);
    expect(b.received).toEqual([join]);
    expect(a.received).toEqual([reply]);
  });

  it('answers PING with PONG', async () => {
    const a = device(crypto.randomUUID());
    await a.opened();
    await pingPong(a);
  });

  it('delivers every frame of 8 devices in one session to the 7 others exactly once', async () => {
    const room = crypto.randomUUID();
    const devices = Array.from({ length: 8 }, () => device(room));
    await Promise.all(devices.map((d) => d.opened()));
    const perDevice = 20;
    const sent = new Map<string, string[]>();
    for (const d of devices) {
      const frames = Array.from({ length: perDevice }, () => envelope(d.id));
      sent.set(d.id, frames);
      for (const frame of frames) d.socket.send(frame);
    }
    await Promise.all(devices.map((d) => d.receivedAtLeast(7 * perDevice)));
    for (const d of devices) {
      const expected = devices.filter((o) => o !== d).flatMap((o) => sent.get(o.id) ?? []);
      expect([...d.received].sort()).toEqual([...expected].sort());
    }
  });

  it('keeps 50 sessions side by side apart, with exact delivery counts', async () => {
    const sessions = Array.from({ length: 50 }, () => {
      const room = crypto.randomUUID();
      return { room, devices: [device(room), device(room), device(room)] };
    });
    await Promise.all(sessions.flatMap((s) => s.devices.map((d) => d.opened())));
    const perDevice = 4;
    const framesOf = new Map<string, string>(); // frame → room it was sent in
    for (const { room, devices } of sessions) {
      for (const d of devices) {
        for (let i = 0; i < perDevice; i++) {
          const frame = envelope(d.id);
          framesOf.set(frame, room);
          d.socket.send(frame);
        }
      }
    }
    const all = sessions.flatMap((s) => s.devices);
    await Promise.all(all.map((d) => d.receivedAtLeast(2 * perDevice)));
    // A round trip through each session after all frames were sent, so a late extra frame would show.
    await Promise.all(all.map((d) => d.barrier()));
    for (const { room, devices } of sessions) {
      for (const d of devices) {
        expect(d.opens, 'one connection each (a reconnect would add a PEER_LEFT)').toBe(1);
        expect(d.received).toHaveLength(2 * perDevice);
        expect(d.received.every((frame) => framesOf.get(frame) === room)).toBe(true);
        expect(new Set(d.received).size).toBe(d.received.length);
      }
    }
  });

  it('delivers the rest of a stream to a device that drops and reconnects mid-stream', async () => {
    const room = crypto.randomUUID();
    const sender = device(room);
    const receiver = device(room, undefined, { joinOnOpen: true });
    await sender.until('first JOIN', () => sender.received.length >= 1);
    const before = Array.from({ length: 30 }, () => envelope(sender.id));
    for (const frame of before) sender.socket.send(frame);
    await receiver.receivedAtLeast(10);

    receiver.socket.reconnect();
    await receiver.opened(2);
    // The receiver announces itself again on every open; only then does the sender resume.
    const joins = (): number => sender.received.filter((f) => inbound(f)?.type === 'JOIN').length;
    await sender.until('JOIN after reconnect', () => joins() >= 2);
    const mark = receiver.received.length;
    const after = Array.from({ length: 30 }, () => envelope(sender.id));
    for (const frame of after) sender.socket.send(frame);
    await receiver.until('the resumed stream', () => receiver.received.length >= mark + after.length);

    expect(receiver.received.slice(mark)).toEqual(after);
    // Frames sent while the device was away are lost (the relay stores nothing; resuming is the sync
    // engine's job), but what did arrive came in order and once.
    const positions = receiver.received.slice(0, mark).map((frame) => before.indexOf(frame));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > (positions[i - 1] ?? -1)))).toBe(true);
  });

  it('announces PEER_LEFT when a device closes', async () => {
    const room = crypto.randomUUID();
    const a = device(room);
    const b = device(room);
    await Promise.all([a.opened(), b.opened()]);
    a.close();
    await b.receivedAtLeast(1);
    expect(inbound(b.received[0] ?? '')).toEqual({ type: 'PEER_LEFT', from: 'relay', device: a.id });
  });
});
