/**
 * Binary frames (protocol 6, docs/protocol.md "Binary frames"): the relay forwards a well-formed
 * binary envelope as it came, to its addressee only, and refuses anything else about it with a code,
 * checking the header as strictly as a JSON envelope (lib/protocol/binary-envelope.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  relayErrorSchema,
  type RelayErrorCode,
} from '../../lib/protocol/envelope';
import { binaryEnvelope, binaryText, connect, envelope, uuid } from './helpers';

async function expectRefused(bad: ArrayBuffer, code: RelayErrorCode, message: string): Promise<void> {
  const room = uuid();
  const [a, b] = [await connect(room), await connect(room)];
  a.send(bad);
  const answer = relayErrorSchema.parse(JSON.parse(await a.next()));
  expect([answer.code, answer.message]).toEqual([code, message]);
  const good = envelope(a.id);
  a.send(good);
  expect(await b.next()).toBe(good);
}

/** A valid frame from `from` to `to`, changed by `edit` (its bytes, as offsets of the layout). */
function edited(from: string, to: string, edit: (b: Uint8Array) => Uint8Array): ArrayBuffer {
  const bytes = edit(new Uint8Array(binaryEnvelope(from, to)));
  return bytes.slice().buffer;
}

/** Offset of the counter: version, type, flags, from, to. */
const COUNTER_AT = 3 + 16 + 16;

describe('binary frames', () => {
  it('forwards a binary PUSH unchanged to its addressee only', async () => {
    const room = uuid();
    const [a, b, c] = [await connect(room), await connect(room), await connect(room)];
    const frame = binaryEnvelope(a.id, c.id);
    a.send(frame);
    expect(await c.next()).toBe(binaryText(frame));
    await b.barrier();
    expect(b.pending()).toEqual([]);
  });

  it('refuses a binary frame that speaks for another device', async () => {
    const room = uuid();
    const a = await connect(room);
    await connect(room);
    a.send(binaryEnvelope(uuid(), uuid()));
    const answer = relayErrorSchema.parse(JSON.parse(await a.next()));
    expect([answer.code, answer.message]).toEqual(['BAD_FRAME', 'from does not match the connection']);
  });

  it('refuses a frame shorter than header, nonce and tag', async () => {
    await expectRefused(
      new Uint8Array([PROTOCOL_VERSION, 9, 0]).buffer,
      'BAD_FRAME',
      'binary frame: truncated',
    );
    const room = uuid();
    const a = await connect(room);
    const b = await connect(room);
    // A whole header and nonce with a ciphertext one byte short of the tag.
    const short = new Uint8Array(binaryEnvelope(a.id, b.id, 15));
    a.send(short.buffer);
    const answer = relayErrorSchema.parse(JSON.parse(await a.next()));
    expect(answer.message).toBe('binary frame: truncated');
  });

  it('refuses an unknown type index with UNKNOWN_TYPE and unknown flags, version 0 and bad counters with BAD_FRAME', async () => {
    const from = uuid();
    const room = uuid();
    const a = await connect(room, from);
    await connect(room);
    const to = uuid();
    const cases: [ArrayBuffer, RelayErrorCode, string][] = [
      [edited(from, to, (b) => ((b[1] = 200), b)), 'UNKNOWN_TYPE', 'binary frame: unknown-type'],
      [edited(from, to, (b) => ((b[2] = 3), b)), 'BAD_FRAME', 'binary frame: bad-flags'],
      [edited(from, to, (b) => ((b[0] = 0), b)), 'BAD_FRAME', 'binary frame: bad-version'],
      // Counter 0.
      [edited(from, to, (b) => ((b[COUNTER_AT] = 0), b)), 'BAD_FRAME', 'binary frame: bad-counter'],
      // A counter in a longer form than needed (0x81 0x00 = 1).
      [
        edited(from, to, (b) => {
          const out = new Uint8Array(b.length + 1);
          out.set(b.subarray(0, COUNTER_AT));
          out.set([0x81, 0x00], COUNTER_AT);
          out.set(b.subarray(COUNTER_AT + 1), COUNTER_AT + 2);
          return out;
        }),
        'BAD_FRAME',
        'binary frame: bad-counter',
      ],
      // Nine continuation bytes.
      [
        edited(from, to, (b) => {
          const out = new Uint8Array(b.length + 9);
          out.set(b.subarray(0, COUNTER_AT));
          out.fill(0xff, COUNTER_AT, COUNTER_AT + 9);
          out.set(b.subarray(COUNTER_AT), COUNTER_AT + 9);
          return out;
        }),
        'BAD_FRAME',
        'binary frame: bad-counter',
      ],
    ];
    for (const [frame, code, message] of cases) {
      a.send(frame);
      const answer = relayErrorSchema.parse(JSON.parse(await a.next()));
      expect([answer.code, answer.message]).toEqual([code, message]);
    }
  });

  it('refuses a binary frame over the size cap with FRAME_TOO_LARGE', async () => {
    const room = uuid();
    const a = await connect(room);
    const b = await connect(room);
    a.send(binaryEnvelope(a.id, b.id, MAX_FRAME_BYTES));
    const answer = relayErrorSchema.parse(JSON.parse(await a.next()));
    expect(answer.code).toBe('FRAME_TOO_LARGE');
  });
});
