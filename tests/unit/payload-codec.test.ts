import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodePayload,
  encodePayload,
  MAX_PAYLOAD_BYTES,
  padme,
  webDeflate,
  type Deflate,
} from '../../lib/protocol/payload-codec';
import { deriveFrameKey, newSessionKey, openFrame, sealFrame } from '../../lib/crypto/frame-crypto';
import { plaintextBudget } from '../../lib/sync/stream-out';
import { TARGET_BATCH_BYTES } from '../../lib/protocol/envelope';

const header = {
  type: 'SYNC_DATA',
  from: '11111111-1111-4111-8111-111111111111',
  to: '22222222-2222-4222-8222-222222222222',
  c: 3,
} as const;

/** Text that exercises UTF-8: emoji (surrogate pairs), NUL, accents, long runs. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom('', '\u0000', '\u0000\u0000abc\u0000', '👩‍👩‍👧‍👦🎉', 'é'.repeat(5000), 'x'.repeat(20_000)),
);
const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null');
const payloadText = fc.oneof(
  json,
  text.map((t) => JSON.stringify({ t })),
);

const raw = (enc: number, body: Uint8Array, tail = [0x80]) => new Uint8Array([enc, ...body, ...tail]);
const deflated = (s: string) => webDeflate.deflate(new TextEncoder().encode(s));

describe('payload codec', () => {
  it('round-trips any JSON payload through encode and decode', async () => {
    await fc.assert(
      fc.asyncProperty(payloadText, async (s) => {
        const r = await decodePayload(await encodePayload(s));
        expect(r).toEqual({ ok: true, value: JSON.parse(s) });
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips through compress → encrypt → decrypt → decompress', async () => {
    const key = await deriveFrameKey(newSessionKey(), 'aaaaaaaa-6f1a-4d3e-9c55-3f1d2a9b7e10');
    await fc.assert(
      fc.asyncProperty(payloadText, async (s) => {
        const env = await sealFrame(key, header, JSON.parse(s));
        expect(await openFrame(key, env)).toEqual({ ok: true, payload: JSON.parse(s) });
      }),
      { numRuns: 100 },
    );
  });

  it('pads the ciphertext (plaintext + 16-byte tag) to a Padmé length', async () => {
    await fc.assert(
      fc.asyncProperty(payloadText, async (s) => {
        const n = (await encodePayload(s)).byteLength + 16;
        expect(padme(n)).toBe(n);
      }),
      { numRuns: 100 },
    );
  });

  it('compresses a repetitive batch several times over', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: `row-${i}`, title: `Buy milk ${i}` }));
    const s = JSON.stringify(rows);
    expect((await encodePayload(s)).byteLength).toBeLessThan(s.length / 4);
  });

  it('leaves a body uncompressed when deflate would not make it smaller', async () => {
    const growing: Deflate = { ...webDeflate, deflate: async (b) => new Uint8Array(b.byteLength + 5) };
    const s = JSON.stringify('x'.repeat(300));
    const plain = await encodePayload(s, growing);
    expect(plain[0]).toBe(0);
    expect(await decodePayload(plain, growing)).toEqual({ ok: true, value: JSON.parse(s) });
  });

  it('leaves a short body uncompressed', async () => {
    expect((await encodePayload('{"a":1}'))[0]).toBe(0);
  });
});

describe('Padmé', () => {
  it('never shrinks, adds at most 12 %, and is idempotent', () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (n) => {
        const p = padme(n);
        expect(p).toBeGreaterThanOrEqual(n);
        expect(p - n).toBeLessThanOrEqual(Math.ceil(n * 0.12) + 1);
        expect(padme(p)).toBe(p);
      }),
    ));
  it('leaves few distinct lengths: 1,000 – 2,000 bytes round to 8 of them per octave step', () => {
    const lengths = new Set(Array.from({ length: 1025 }, (_, i) => padme(1024 + i)));
    expect(lengths.size).toBeLessThanOrEqual(33);
  });
});

describe('payload codec refusals', () => {
  it('refuses an empty plaintext as truncated', async () => {
    expect(await decodePayload(new Uint8Array(0))).toEqual({ ok: false, code: 'truncated' });
    expect(await decodePayload(new Uint8Array([0]))).toEqual({ ok: false, code: 'truncated' });
    expect(await decodePayload(new Uint8Array([0, 0, 0]))).toEqual({ ok: false, code: 'truncated' });
  });

  it('refuses a tail that is not 0x80 then zeros', async () => {
    expect(await decodePayload(raw(0, new TextEncoder().encode('1'), [0x81]))).toEqual({
      ok: false,
      code: 'bad-padding',
    });
  });

  it('refuses an encoding byte it does not know', async () => {
    expect(await decodePayload(raw(7, new TextEncoder().encode('1')))).toEqual({
      ok: false,
      code: 'unknown-encoding',
    });
  });

  it('refuses a truncated deflate stream as corrupt', async () => {
    const z = await deflated(JSON.stringify({ t: 'hello '.repeat(100) }));
    expect(await decodePayload(raw(1, z.subarray(0, z.length - 3)))).toEqual({ ok: false, code: 'corrupt' });
  });

  it('refuses bytes that are not deflate at all as corrupt', async () => {
    expect(await decodePayload(raw(1, new Uint8Array([0xff, 0xff, 0xff, 0xff])))).toEqual({
      ok: false,
      code: 'corrupt',
    });
  });

  it('refuses a body that is not UTF-8 JSON', async () => {
    expect(await decodePayload(raw(0, new TextEncoder().encode('{"a":')))).toEqual({
      ok: false,
      code: 'not-json',
    });
    expect(await decodePayload(raw(0, new Uint8Array([0x22, 0xc3, 0x22])))).toEqual({
      ok: false,
      code: 'not-json',
    });
  });

  it('refuses a zip bomb without inflating past the cap', async () => {
    // 16 MiB of zeros deflate to ~16 KiB: inflated whole it would pass the cap four times.
    const bomb = await webDeflate.deflate(new Uint8Array(4 * MAX_PAYLOAD_BYTES));
    expect(bomb.byteLength).toBeLessThan(MAX_PAYLOAD_BYTES / 64);
    let produced = 0;
    const counting: Deflate = {
      deflate: webDeflate.deflate,
      async inflate(bytes, max) {
        const r = await webDeflate.inflate(bytes, max);
        produced = r.ok ? r.bytes.byteLength : -1;
        return r;
      },
    };
    expect(await decodePayload(raw(1, bomb), counting)).toEqual({ ok: false, code: 'too-large' });
    expect(produced).toBe(-1);
  });

  it('refuses an uncompressed body over the cap', async () => {
    expect(await decodePayload(raw(0, new TextEncoder().encode('"abcdef"')), webDeflate, 4)).toEqual({
      ok: false,
      code: 'too-large',
    });
  });

  it('refuses a frame whose ciphertext was cut short', async () => {
    const key = await deriveFrameKey(newSessionKey(), 'aaaaaaaa-6f1a-4d3e-9c55-3f1d2a9b7e10');
    const env = await sealFrame(key, header, { rows: 'x'.repeat(1000) });
    expect((await openFrame(key, { ...env, ct: env.ct.slice(0, -8) })).ok).toBe(false);
  });
});

describe('sync batch budget', () => {
  it('keeps a batch that does not compress at all within TARGET_BATCH_BYTES as a binary frame, padding included', () =>
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60_000 }), (vectorBytes) => {
        const plain = plaintextBudget(vectorBytes) + vectorBytes;
        const cipher = padme(plain + 2 + 16);
        // A binary frame (v7): the ciphertext raw, after a header of at most 55 bytes.
        const frame = cipher + 55;
        expect(frame).toBeLessThanOrEqual(TARGET_BATCH_BYTES);
        expect(plain).toBeLessThan(MAX_PAYLOAD_BYTES);
      }),
    ));
});
