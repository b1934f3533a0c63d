import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  deriveFrameKey,
  newSessionKey,
  openFrame,
  sealFrame,
  type FrameHeader,
} from '../../lib/crypto/frame-crypto';
import { fromBase64Url, toBase64Url } from '../../lib/crypto/base64url';
import { envelopeSchema, type Envelope } from '../../lib/protocol/envelope';

const sessionId = '0b6c6f0e-6f1a-4d3e-9c55-3f1d2a9b7e10';
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';
const header: FrameHeader = { type: 'SYNC_DATA', from: A, to: B, c: 7 };

const flip = (s: string, i: number) => {
  const bytes = fromBase64Url(s)!;
  bytes[(i + bytes.length) % bytes.length]! ^= 1;
  return toBase64Url(bytes);
};

describe('base64url', () => {
  it('round-trips any bytes', () =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(fromBase64Url(toBase64Url(b))).toEqual(b);
      }),
    ));
  it('rejects characters outside the alphabet', () => {
    expect(fromBase64Url('ab+c')).toBeNull();
    expect(fromBase64Url('a')).toBeNull();
  });
  it('pads its input for the native decoder, whose strict mode refuses unpadded text', async () => {
    const own = Object.getOwnPropertyDescriptor(Uint8Array, 'fromBase64');
    const seen: string[] = [];
    // As Chromium 156 behaves: strict decoding throws unless the last chunk is padded.
    const fromBase64 = (text: string) => {
      seen.push(text);
      if (text.length % 4 !== 0) throw new SyntaxError('unpadded');
      return Uint8Array.from(Buffer.from(text, 'base64url'));
    };
    Object.defineProperty(Uint8Array, 'fromBase64', { value: fromBase64, configurable: true });
    vi.resetModules();
    try {
      const fresh = await import('../../lib/crypto/base64url');
      expect(fresh.fromBase64Url('AAA')).toEqual(new Uint8Array([0, 0]));
      expect(fresh.fromBase64Url('AAAAAA')).toEqual(new Uint8Array([0, 0, 0, 0]));
      expect(seen).toEqual(['AAA=', 'AAAAAA==']);
    } finally {
      if (own) Object.defineProperty(Uint8Array, 'fromBase64', own);
      else delete (Uint8Array as { fromBase64?: unknown }).fromBase64;
      vi.resetModules();
    }
  });
});

describe('frame crypto', async () => {
  const raw = newSessionKey();
  const key = await deriveFrameKey(raw, sessionId);

  it('round-trips a payload and produces a valid envelope', async () => {
    const env = await sealFrame(key, header, { rows: [1, 'two'], ok: true });
    expect(envelopeSchema.safeParse(env).success).toBe(true);
    expect(await openFrame(key, env)).toEqual({ ok: true, payload: { rows: [1, 'two'], ok: true } });
  });

  it('uses a fresh nonce for every frame', async () => {
    const a = await sealFrame(key, header, 'same');
    const b = await sealFrame(key, header, 'same');
    expect(a.n).not.toBe(b.n);
    expect(a.ct).not.toBe(b.ct);
  });

  it('does not leak the plaintext into the envelope', async () => {
    const env = await sealFrame(key, header, { title: 'secret shopping list' });
    expect(JSON.stringify(env)).not.toContain('secret');
  });

  const tampered: [string, (e: Envelope) => Envelope][] = [
    ['a changed ciphertext', (e) => ({ ...e, ct: flip(e.ct, 3) })],
    ['a changed tag', (e) => ({ ...e, ct: flip(e.ct, -1) })],
    ['a changed nonce', (e) => ({ ...e, n: flip(e.n, 0) })],
    ['a relabelled type', (e) => ({ ...e, type: 'SYNC_COMPLETE' })],
    ['a changed sender', (e) => ({ ...e, from: C })],
    ['a changed addressee', (e) => ({ ...e, to: C })],
    ['a removed addressee', ({ to: _to, ...e }) => e],
    ['a changed version', (e) => ({ ...e, v: e.v + 1 })],
    ['a changed counter', (e) => ({ ...e, c: e.c + 1 })],
  ];
  for (const [what, tamper] of tampered) {
    it(`rejects ${what}`, async () => {
      const env = await sealFrame(key, header, { x: 1 });
      const r = await openFrame(key, tamper(env));
      expect(r.ok).toBe(false);
    });
  }

  it('rejects a frame sealed under another session key', async () => {
    const other = await deriveFrameKey(newSessionKey(), sessionId);
    const r = await openFrame(other, await sealFrame(key, header, 1));
    expect(r).toEqual({ ok: false, reason: 'decryption failed (wrong key or tampered frame)' });
  });

  it('derives a different key for another session id from the same session key', async () => {
    const other = await deriveFrameKey(raw, 'aaaaaaaa-6f1a-4d3e-9c55-3f1d2a9b7e10');
    expect((await openFrame(other, await sealFrame(key, header, 1))).ok).toBe(false);
  });

  it('refuses a session key of the wrong length', async () => {
    await expect(deriveFrameKey(new Uint8Array(16), sessionId)).rejects.toThrow(RangeError);
  });
});
