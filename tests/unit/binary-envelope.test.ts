/**
 * The binary envelope (v6, lib/protocol/binary-envelope.ts): every header round-trips, and every
 * malformed frame (cut anywhere, wrong flags, counters in a second spelling) is refused with a code,
 * never a throw. The relay runs the same check (tests/relay/binary.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BINARY_ENVELOPE_ERRORS,
  decodeBinaryEnvelope,
  encodeBinaryEnvelope,
  type BinaryEnvelope,
} from '../../lib/protocol/binary-envelope';
import { DEVICE_MESSAGE_TYPES, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../lib/protocol/envelope';

const hex = (n: number) =>
  fc
    .uint8Array({ minLength: n, maxLength: n })
    .map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(''));
const uuid = hex(16).map(
  (h) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
);

const envelopeArb: fc.Arbitrary<BinaryEnvelope> = fc
  .record({
    v: fc.integer({ min: 1, max: 255 }),
    type: fc.constantFrom(...DEVICE_MESSAGE_TYPES),
    from: uuid,
    to: fc.option(uuid, { nil: undefined }),
    c: fc.oneof(
      fc.integer({ min: 1, max: 300 }),
      fc.constantFrom(127, 128, 16_383, 16_384, 2 ** 31, 2 ** 49, Number.MAX_SAFE_INTEGER),
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    ),
    n: fc.uint8Array({ minLength: 12, maxLength: 12 }),
    ct: fc.uint8Array({ minLength: 16, maxLength: 300 }),
  })
  .map(({ to, ...e }) => (to === undefined ? e : { ...e, to }) as BinaryEnvelope);

describe('binary envelope', () => {
  it('decodes every envelope it encodes to the same fields', () => {
    fc.assert(
      fc.property(envelopeArb, (e) => {
        const d = decodeBinaryEnvelope(encodeBinaryEnvelope(e));
        expect(d.ok && { ...d.envelope, n: [...d.envelope.n], ct: [...d.envelope.ct] }).toEqual({
          ...e,
          n: [...e.n],
          ct: [...e.ct],
        });
      }),
    );
  });

  it('refuses every frame cut short of its tag with a code', () => {
    fc.assert(
      fc.property(envelopeArb, fc.nat(), (e, cut) => {
        const full = encodeBinaryEnvelope(e);
        const minimum = full.length - e.ct.length + 16;
        const short = full.slice(0, cut % minimum);
        expect(decodeBinaryEnvelope(short)).toEqual({ ok: false, code: 'truncated' });
      }),
    );
  });

  it('never throws on arbitrary bytes, and answers with a known code or a frame that encodes back to itself', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const d = decodeBinaryEnvelope(bytes as Uint8Array<ArrayBuffer>);
        if (!d.ok) expect(BINARY_ENVELOPE_ERRORS).toContain(d.code);
        else expect([...encodeBinaryEnvelope(d.envelope)]).toEqual([...bytes]);
      }),
    );
  });

  it('refuses unknown flag bits, version 0, an unknown type, counter 0 and counters not in their shortest form', () => {
    const base = encodeBinaryEnvelope({
      v: PROTOCOL_VERSION,
      type: 'PUSH',
      from: '11111111-1111-4111-8111-111111111111',
      c: 1,
      n: new Uint8Array(12),
      ct: new Uint8Array(16),
    });
    const at = 3 + 16;
    const edit = (f: (b: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>) =>
      decodeBinaryEnvelope(f(base.slice()));
    expect(edit((b) => ((b[2] = 2), b))).toEqual({ ok: false, code: 'bad-flags' });
    expect(edit((b) => ((b[0] = 0), b))).toEqual({ ok: false, code: 'bad-version' });
    expect(edit((b) => ((b[1] = DEVICE_MESSAGE_TYPES.length), b))).toEqual({
      ok: false,
      code: 'unknown-type',
    });
    expect(edit((b) => ((b[at] = 0), b))).toEqual({ ok: false, code: 'bad-counter' });
    const longer = (extra: number[]) => {
      const out = new Uint8Array(base.length + extra.length);
      out.set(base.subarray(0, at));
      out.set(extra, at);
      out.set(base.subarray(at), at + extra.length);
      return out;
    };
    // 1 spelt 0x81 0x00 (two bytes) instead of 0x01.
    expect(
      edit(() => longer([0x81]).map((x, i) => (i === at + 1 ? 0 : x)) as Uint8Array<ArrayBuffer>),
    ).toEqual({
      ok: false,
      code: 'bad-counter',
    });
    // Eight continuation bytes: more than 2^53 − 1 needs.
    expect(edit(() => longer([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toEqual({
      ok: false,
      code: 'bad-counter',
    });
    // 2^53 exactly, in eight bytes: past the largest counter.
    expect(
      edit(
        () =>
          longer([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]).map((x, i) =>
            i === at + 7 ? 0x10 : x,
          ) as Uint8Array<ArrayBuffer>,
      ),
    ).toEqual({ ok: false, code: 'bad-counter' });
  });

  it('refuses a frame over the relay cap', () => {
    const big = encodeBinaryEnvelope({
      v: PROTOCOL_VERSION,
      type: 'PUSH',
      from: '11111111-1111-4111-8111-111111111111',
      c: 1,
      n: new Uint8Array(12),
      ct: new Uint8Array(MAX_FRAME_BYTES),
    });
    expect(decodeBinaryEnvelope(big)).toEqual({ ok: false, code: 'too-large' });
  });
});
