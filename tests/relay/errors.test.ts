import { describe, expect, it } from 'vitest';
import {
  MAX_FRAME_BYTES,
  RELAY_CLOSE,
  relayErrorSchema,
  type RelayErrorCode,
} from '../../lib/protocol/envelope';
import { connect, envelope, envelopeOfSize, untilFrames, uuid, type Device } from './helpers';
import { TEST_LIMITS } from './test-limits';

function errorCode(frame: string): string {
  const parsed = relayErrorSchema.safeParse(JSON.parse(frame));
  return parsed.success ? parsed.data.code : `not an error: ${frame.slice(0, 80)}`;
}

async function expectError(device: Device, code: RelayErrorCode): Promise<void> {
  const parsed = relayErrorSchema.safeParse(JSON.parse(await device.next()));
  expect(parsed.success && parsed.data.code).toBe(code);
}

/** The offender gets the error; the peer's next frame is the following good one, so nothing leaked. */
async function expectRefused(bad: string | ArrayBuffer, code: RelayErrorCode): Promise<void> {
  const room = uuid();
  const [a, b] = [await connect(room), await connect(room)];
  a.send(bad);
  await expectError(a, code);
  const good = envelope(a.id);
  a.send(good);
  expect(await b.next()).toBe(good);
}

describe('typed errors', () => {
  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"v":1,"type":"JOIN"'],
    ['a JSON array', '[1,2,3]'],
    ['JSON null', 'null'],
    ['an object without type', '{"v":1}'],
    ['a non-string type', '{"type":7}'],
  ])('rejects %s with BAD_FRAME', async (_name, bad) => {
    await expectRefused(bad, 'BAD_FRAME');
  });

  it('rejects a known type that is not a valid envelope with BAD_FRAME', async () => {
    await expectRefused(JSON.stringify({ type: 'JOIN', v: 1 }), 'BAD_FRAME');
  });

  it('rejects an envelope with extra fields with BAD_FRAME', async () => {
    const room = uuid();
    const a = await connect(room);
    a.send(envelope(a.id, 'JOIN', { todos: ['plain text'] }));
    await expectError(a, 'BAD_FRAME');
  });

  it('rejects an envelope whose from is another device with BAD_FRAME', async () => {
    await expectRefused(envelope(uuid()), 'BAD_FRAME');
  });

  it('rejects a binary frame too short to be a binary envelope with BAD_FRAME', async () => {
    await expectRefused(new Uint8Array([1, 2, 3]).buffer, 'BAD_FRAME');
  });

  it('rejects an unknown type with UNKNOWN_TYPE', async () => {
    await expectRefused(JSON.stringify({ type: 'STORE_THIS', v: 1 }), 'UNKNOWN_TYPE');
  });

  it('rejects PONG and PEER_LEFT sent by a device with UNKNOWN_TYPE', async () => {
    await expectRefused('{"type":"PONG"}', 'UNKNOWN_TYPE');
    await expectRefused(JSON.stringify({ type: 'PEER_LEFT', from: 'relay', device: uuid() }), 'UNKNOWN_TYPE');
  });

  it('rejects a frame over the size cap with FRAME_TOO_LARGE', async () => {
    await expectRefused('x'.repeat(MAX_FRAME_BYTES + 1), 'FRAME_TOO_LARGE');
  });

  it('counts the cap in UTF-8 bytes, not characters', async () => {
    // 350k three-byte characters: under the cap in characters, over it in bytes.
    await expectRefused('\u20ac'.repeat(350_000), 'FRAME_TOO_LARGE');
  });

  it('forwards a valid envelope just under the size cap', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    const shell = envelope(a.id, 'SYNC_DATA', { ct: '' });
    const big = envelope(a.id, 'SYNC_DATA', { ct: 'A'.repeat(MAX_FRAME_BYTES - shell.length - 100) });
    a.send(big);
    expect(await b.next()).toBe(big);
  });

  it('answers RATE_LIMITED over the burst and drops those frames', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    // The frame bucket refills 1 per second; burst + 5 frames sent at once exceed it.
    const sent = TEST_LIMITS.rateBurst + 5;
    const frames = Array.from({ length: sent }, () => envelope(a.id));
    for (const frame of frames) a.send(frame);
    // Each frame is either forwarded to b or answered to a. (A barrier frame would be rate limited too.)
    await untilFrames([a, b], () => a.pending().length + b.pending().length === sent);
    const errors = a.pending().map(errorCode);
    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(errors.every((code) => code === 'RATE_LIMITED')).toBe(true);
    await b.barrier();
    expect(b.pending()).toEqual(frames.slice(0, sent - errors.length));
  });

  it('counts invalid frames against the sender rate before answering them', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    const junk = TEST_LIMITS.rateBurst + 5;
    for (let i = 0; i < junk; i++) a.send(`junk ${i}`);
    const codes: string[] = [];
    for (let i = 0; i < junk; i++) codes.push(errorCode(await a.next()));
    // The bucket refills one token a second, so at most a couple of late frames got a fresh token.
    const answeredAsJunk = codes.filter((c) => c === 'BAD_FRAME').length;
    expect(answeredAsJunk).toBeGreaterThanOrEqual(TEST_LIMITS.rateBurst);
    expect(answeredAsJunk).toBeLessThan(junk);
    expect(codes.slice(answeredAsJunk).every((c) => c === 'RATE_LIMITED')).toBe(true);
    // The junk spent the tokens a good frame would have needed.
    a.send(envelope(a.id));
    expect(errorCode(await a.next())).toBe('RATE_LIMITED');
    await b.barrier();
    expect(b.pending()).toEqual([]);
  });

  it('drops frames over the byte budget with RATE_LIMITED', async () => {
    const room = uuid();
    const a = await connect(room);
    // Addressed to nobody present, so no reader is involved: only the sender's inbound budget counts.
    const size = 1_000_000;
    const fit = Math.floor(TEST_LIMITS.byteBurst / size);
    for (let i = 0; i < fit; i++) a.send(envelopeOfSize(a.id, size, { to: uuid() }));
    await a.barrier();
    expect(a.pending()).toEqual([]);
    a.send(envelopeOfSize(a.id, size, { to: uuid() }));
    const error = relayErrorSchema.parse(JSON.parse(await a.next()));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('byte') });
  });

  it('closes a socket that keeps sending refused frames with 4006 and tells the others it left', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    const answers: string[] = [];
    for (let i = 0; i <= TEST_LIMITS.strikeBurst; i++) a.send(`junk ${i}`);
    const closed = await a.closed;
    expect(closed.code).toBe(RELAY_CLOSE.TOO_MANY_ERRORS);
    answers.push(...a.pending());
    // One answer per strike the bucket still had; the frame that broke it was not answered.
    expect(answers.length).toBeLessThanOrEqual(TEST_LIMITS.strikeBurst + 1);
    expect(JSON.parse(await b.next())).toEqual({ type: 'PEER_LEFT', from: 'relay', device: a.id });
  });

  it('answers every fuzzed frame with an error, stays up and forwards the next good frame', async () => {
    const room = uuid();
    const [a, b] = [await connect(room), await connect(room)];
    // Bounded, seeded inputs so a failure replays: random bytes, truncated JSON, huge strings.
    let seed = 0x5eed;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const valid = envelope(a.id);
    const fuzz: (string | ArrayBuffer)[] = [];
    for (let i = 0; i < 6; i++) {
      const bytes = new Uint8Array(1 + rand(64)).map(() => rand(256));
      fuzz.push(bytes.buffer);
      fuzz.push(String.fromCharCode(...bytes));
      fuzz.push(valid.slice(0, rand(valid.length - 1)));
    }
    fuzz.push('{'.repeat(100_000));
    fuzz.push(`{"type":"${'J'.repeat(500_000)}"}`);
    fuzz.push('y'.repeat(2 * MAX_FRAME_BYTES));
    for (const frame of fuzz) {
      a.send(frame);
      const parsed = relayErrorSchema.safeParse(JSON.parse(await a.next()));
      expect(parsed.success).toBe(true);
    }
    const good = envelope(a.id);
    a.send(good);
    expect(await b.next()).toBe(good);
  });
});
