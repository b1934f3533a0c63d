import { evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PING_FRAME, PONG_FRAME } from '../../lib/protocol/envelope';
import { connect, envelope, stubFor, uuid } from './helpers';
import { TEST_LIMITS } from './test-limits';

describe('keep-alive', () => {
  it('answers PING with PONG and forwards nothing', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    a.send(PING_FRAME);
    expect(await a.next()).toBe(PONG_FRAME);
    await b.barrier();
    expect(b.pending()).toEqual([]);
  });

  it('answers PING and keeps forwarding after the session object hibernates', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    await evictDurableObject(stubFor(room));
    a.send(PING_FRAME);
    expect(await a.next()).toBe(PONG_FRAME);
    const frame = envelope(a.id);
    a.send(frame);
    expect(await b.next()).toBe(frame);
  });

  it('announces PEER_LEFT for a device that leaves while the session hibernates', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    await evictDurableObject(stubFor(room));
    await a.close();
    expect(JSON.parse(await b.next())).toEqual({ type: 'PEER_LEFT', from: 'relay', device: a.id });
  });

  it('keeps a device rate bucket across hibernation', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    // The frame bucket refills 1 per second: the burst is spent for the next second.
    for (let i = 0; i < TEST_LIMITS.rateBurst; i++) a.send(envelope(a.id));
    for (let i = 0; i < TEST_LIMITS.rateBurst; i++) await b.next();
    await evictDurableObject(stubFor(room));
    a.send(envelope(a.id));
    expect(JSON.parse(await a.next())).toMatchObject({ type: 'ERROR', code: 'RATE_LIMITED' });
  });
});
