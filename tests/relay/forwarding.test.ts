import { describe, expect, it } from 'vitest';
import { connect, envelope, parse, uuid } from './helpers';

describe('forwarding', () => {
  it('forwards a frame to every other device of the session', async () => {
    const room = uuid();
    const [a, b, c] = [await connect(room), await connect(room), await connect(room)];
    const frame = envelope(a.id, 'JOIN');
    a.send(frame);
    expect(await b.next()).toBe(frame);
    expect(await c.next()).toBe(frame);
  });

  it('does not forward a frame to its sender', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    a.send(envelope(a.id));
    await b.next();
    await a.barrier();
    expect(a.pending()).toEqual([]);
  });

  it('delivers a frame with `to` only to that device', async () => {
    const room = uuid();
    const [a, b, c] = [await connect(room), await connect(room), await connect(room)];
    const direct = envelope(a.id, 'REQUEST_SYNC', { to: c.id });
    a.send(direct);
    expect(await c.next()).toBe(direct);
    await b.barrier();
    expect(b.pending()).toEqual([]);
  });

  it('does not deliver frames to another session', async () => {
    const [roomOne, roomTwo] = [uuid(), uuid()];
    const [a, b] = [await connect(roomOne), await connect(roomOne)];
    const [x, y] = [await connect(roomTwo), await connect(roomTwo)];
    const frame = envelope(a.id);
    a.send(frame);
    expect(await b.next()).toBe(frame);
    const other = envelope(x.id);
    x.send(other);
    expect(await y.next()).toBe(other);
    await Promise.all([x.barrier(), y.barrier(), b.barrier()]);
    expect([...x.pending(), ...y.pending(), ...b.pending()]).toEqual([]);
  });

  it('forwards frames from one sender in the order sent', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    const frames = Array.from({ length: 15 }, () => envelope(a.id));
    for (const frame of frames) a.send(frame);
    const received: string[] = [];
    for (let i = 0; i < frames.length; i++) received.push(await b.next());
    expect(received).toEqual(frames);
  });

  it('announces a device that leaves to the others with PEER_LEFT', async () => {
    const room = uuid();
    const [a, b, c] = [await connect(room), await connect(room), await connect(room)];
    await a.close();
    expect(parse(await b.next())).toEqual({ type: 'PEER_LEFT', from: 'relay', device: a.id });
    expect(parse(await c.next())).toEqual({ type: 'PEER_LEFT', from: 'relay', device: a.id });
  });
});
