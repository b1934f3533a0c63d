/**
 * base64url without padding (RFC 4648 §5), the alphabet envelope.ts accepts. A sync of 100k todos
 * moves ~30 MB through here, so the fastest available codec is used: the native
 * `Uint8Array.prototype.toBase64` (Chrome 140+, Firefox 133+), else Node's Buffer (tests and
 * benchmarks), else a chunked btoa/atob fallback (older browsers).
 */
type NativeBase64 = {
  toBase64?: (this: Uint8Array, o: { alphabet: 'base64url'; omitPadding: boolean }) => string;
};
type NativeFromBase64 = {
  fromBase64?: (
    s: string,
    o: { alphabet: 'base64url'; lastChunkHandling: 'strict' },
  ) => Uint8Array<ArrayBuffer>;
};
type NodeBuffer = {
  from(b: ArrayBufferLike, offset: number, length: number): { toString(enc: 'base64url'): string };
  from(s: string, enc: 'base64url'): Uint8Array;
};

const native = (Uint8Array.prototype as unknown as NativeBase64).toBase64;
const nativeFrom = (Uint8Array as unknown as NativeFromBase64).fromBase64;
const NodeBuf = (globalThis as unknown as { Buffer?: NodeBuffer }).Buffer;
const CANONICAL = /^[A-Za-z0-9_-]*$/;

export function toBase64Url(bytes: Uint8Array): string {
  if (native) return native.call(bytes, { alphabet: 'base64url', omitPadding: true });
  if (NodeBuf) return NodeBuf.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  let bin = '';
  const CHUNK = 0x8000;
  // Chunked so that large frames do not overflow the argument limit of fromCharCode.
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Returns null for anything outside the base64url alphabet or of an impossible length. */
export function fromBase64Url(s: string): Uint8Array<ArrayBuffer> | null {
  if (!CANONICAL.test(s) || s.length % 4 === 1) return null;
  if (nativeFrom) {
    try {
      // 'strict' demands the padding this format omits (Chromium 156 throws on "AAA"), and is kept
      // for what it also checks: zero overflow bits, so one string per byte sequence.
      const padded = s + '='.repeat((4 - (s.length % 4)) % 4);
      return nativeFrom(padded, { alphabet: 'base64url', lastChunkHandling: 'strict' });
    } catch {
      return null;
    }
  }
  if (NodeBuf) {
    const b = NodeBuf.from(s, 'base64url');
    const out = new Uint8Array(b.length); // a copy: small Buffers are views into a shared pool
    out.set(b);
    return out;
  }
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
