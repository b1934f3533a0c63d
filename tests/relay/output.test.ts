import { describe, expect, it } from 'vitest';
import { RELAY_CLOSE } from '../../lib/protocol/envelope';
import { connect, envelope, envelopeOfSize, uuid } from './helpers';
import { TEST_LIMITS } from './test-limits';

// A third of the output cap per frame: the fourth frame a reader has not acknowledged goes over it.
const FRAME = Math.floor(TEST_LIMITS.outputCapBytes / 3) + 1;

describe('output held for a reader', () => {
  it('closes a reader over the output cap with 4005, tells the others, and keeps the sender', async () => {
    const room = uuid();
    const [sender, reader, other] = [await connect(room), await connect(room), await connect(room)];
    const frames = Array.from({ length: 3 }, () => envelopeOfSize(sender.id, FRAME, { to: reader.id }));
    for (const frame of frames) sender.send(frame);
    expect((await reader.closed).code).toBe(RELAY_CLOSE.SLOW_READER);
    // The frames before the one that broke the cap were delivered; that one was not.
    expect(reader.pending()).toEqual(frames.slice(0, 2));
    expect(JSON.parse(await other.next())).toEqual({ type: 'PEER_LEFT', from: 'relay', device: reader.id });

    const next = envelope(sender.id);
    sender.send(next);
    expect(await other.next()).toBe(next);
    await sender.barrier();
    expect(sender.pending().map((f) => JSON.parse(f))).toEqual([
      { type: 'PEER_LEFT', from: 'relay', device: reader.id },
    ]);
  });

  it('keeps forwarding past the cap to a reader whose PINGs show it reads', async () => {
    const room = uuid();
    const [sender, reader] = [await connect(room), await connect(room)];
    const send = (count: number): string[] => {
      const frames = Array.from({ length: count }, () => envelopeOfSize(sender.id, FRAME));
      for (const frame of frames) sender.send(frame);
      return frames;
    };
    const first = send(2);
    for (const frame of first) expect(await reader.next()).toBe(frame);
    // Each PING is noticed at the next forward; the second proves the first PONG, and everything
    // forwarded before it, left the relay.
    await reader.ping();
    const small = envelope(sender.id);
    sender.send(small);
    expect(await reader.next()).toBe(small);
    await reader.ping();
    const second = send(2);
    for (const frame of second) expect(await reader.next()).toBe(frame);
    await reader.barrier();
    expect(reader.pending()).toEqual([]);
  });

  it('counts output per reader: a silent reader is closed while a reading one keeps receiving', async () => {
    const room = uuid();
    const [sender, reading, silent] = [await connect(room), await connect(room), await connect(room)];
    const frames: string[] = [];
    for (let i = 0; i < 2; i++) {
      const frame = envelopeOfSize(sender.id, FRAME);
      frames.push(frame);
      sender.send(frame);
      expect(await reading.next()).toBe(frame);
      await reading.ping();
      const tick = envelope(sender.id, 'SYNC_DATA', { to: reading.id });
      sender.send(tick);
      expect(await reading.next()).toBe(tick);
      await reading.ping();
    }
    const last = envelopeOfSize(sender.id, FRAME);
    sender.send(last);
    // The silent reader took 3 frames it never acknowledged: over the cap at the third.
    expect((await silent.closed).code).toBe(RELAY_CLOSE.SLOW_READER);
    expect(silent.pending()).toEqual(frames);
    const left = JSON.stringify({ type: 'PEER_LEFT', from: 'relay', device: silent.id });
    expect([await reading.next(), await reading.next()].sort()).toEqual([last, left].sort());
  });
});
