/**
 * The plaintext inside a v5 frame's AES-GCM ciphertext (docs/protocol.md "Frames and encryption"):
 *
 *   [encoding: 1 byte] [body] [0x80] [0x00 …]
 *
 * `encoding` 0: body is the payload JSON in UTF-8; 1: body is that JSON compressed with raw DEFLATE
 * (RFC 1951). Compression happens before encryption because ciphertext does not compress: the
 * transport's permessage-deflate worked for nothing on v4 frames. The tail pads the ciphertext
 * (plaintext + 16-byte tag) to a Padmé length (Nikitin et al., "Reducing Metadata Leakage from
 * Encrypted Files and Communication with PURBs", 2019), so the relay learns a frame's size only to
 * within ~12 %; the one 0x80 marks where the padding starts (ISO/IEC 7816-4), so no length field.
 *
 * Pure: the compressor is a port. `webDeflate` (CompressionStream, in Chromium, Firefox, Safari
 * workers and Node 22) is the default; decompression stops at `maxBytes` so a peer cannot make us
 * inflate a zip bomb. Every refusal is a code, never a throw.
 */

/** What it takes to (de)compress a body; `inflate` never yields more than `maxBytes`. */
export interface Deflate {
  deflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>>;
  /** `too-large` as soon as the output would pass `maxBytes`; `corrupt` for a stream that is not DEFLATE. */
  inflate(
    bytes: Uint8Array<ArrayBuffer>,
    maxBytes: number,
  ): Promise<{ ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; code: 'too-large' | 'corrupt' }>;
}

export const PAYLOAD_ERROR_CODES = [
  'truncated', // no encoding byte, or no padding marker
  'bad-padding', // the tail after the body is not 0x80 0x00…
  'unknown-encoding', // an encoding byte this version does not know
  'too-large', // the payload (inflated or not) passes MAX_PAYLOAD_BYTES
  'corrupt', // the compressed body is not valid raw DEFLATE
  'not-json', // the body is not UTF-8 JSON
] as const;
export type PayloadErrorCode = (typeof PAYLOAD_ERROR_CODES)[number];

export type DecodedPayload = { ok: true; value: unknown } | { ok: false; code: PayloadErrorCode };

/**
 * Largest payload JSON a device accepts, after inflating. A sync batch is at most
 * `MAX_BATCH_PLAIN_BYTES` of JSON; everything else is far smaller. 4× that leaves room and still
 * bounds a bomb: DEFLATE expands at most ~1032:1, so a 1 MiB frame could otherwise become ~1 GiB.
 */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
/** Bodies shorter than this go uncompressed: DEFLATE's framing costs more than it saves there. */
const COMPRESS_FROM = 64;
/** AES-GCM's tag: padding is computed on the ciphertext length, which is what the relay sees. */
const TAG_BYTES = 16;

const ENC_JSON = 0;
const ENC_DEFLATE = 1;

/**
 * Padmé: rounds `n` up so that only the top ⌊log2 ⌊log2 n⌋⌋ + 1 bits of the length are left; the
 * overhead is at most ~12 % and the number of distinct lengths is O(log log n).
 */
export function padme(n: number): number {
  if (n < 2) return n;
  const e = Math.floor(Math.log2(n));
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = e - s;
  const mask = 2 ** lastBits - 1;
  return Math.ceil(n / (mask + 1)) * (mask + 1);
}

async function drain(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<{ ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; code: 'too-large' | 'corrupt' }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, code: 'too-large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, code: 'corrupt' };
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, bytes: out };
}

/**
 * Pushes `bytes` through a (De)CompressionStream. Written straight into the stream's writer: piping a
 * `Blob`'s stream through it was 4–10× slower in Node 22 (a 190 KiB batch, measured). A write error
 * (bad input) surfaces on the readable side too, where drain() reports it.
 */
function through(
  stream: CompressionStream | DecompressionStream,
  bytes: Uint8Array<ArrayBuffer>,
  maxBytes: number,
) {
  const writer = stream.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  return drain(stream.readable, maxBytes);
}

/** Raw DEFLATE through the platform's CompressionStream. */
export const webDeflate: Deflate = {
  async deflate(bytes) {
    const r = await through(new CompressionStream('deflate-raw'), bytes, Number.MAX_SAFE_INTEGER);
    if (!r.ok) throw new Error('deflate failed');
    return r.bytes;
  },
  inflate: (bytes, maxBytes) => through(new DecompressionStream('deflate-raw'), bytes, maxBytes),
};

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Payload JSON text → padded plaintext for AES-GCM (compressed when that is smaller). */
export async function encodePayload(
  json: string,
  deflate: Deflate = webDeflate,
): Promise<Uint8Array<ArrayBuffer>> {
  const utf8 = encoder.encode(json);
  let enc = ENC_JSON;
  let body: Uint8Array<ArrayBuffer> = utf8;
  if (utf8.byteLength >= COMPRESS_FROM) {
    const z = await deflate.deflate(utf8);
    if (z.byteLength < utf8.byteLength) {
      enc = ENC_DEFLATE;
      body = z;
    }
  }
  const unpadded = 1 + body.byteLength + 1;
  const out = new Uint8Array(padme(unpadded + TAG_BYTES) - TAG_BYTES);
  out[0] = enc;
  out.set(body, 1);
  out[1 + body.byteLength] = 0x80;
  return out;
}

/** Padded plaintext → the payload's JSON value; a code for anything malformed, never a throw. */
export async function decodePayload(
  plain: Uint8Array<ArrayBuffer>,
  deflate: Deflate = webDeflate,
  maxBytes = MAX_PAYLOAD_BYTES,
): Promise<DecodedPayload> {
  let end = plain.byteLength - 1;
  while (end >= 1 && plain[end] === 0) end--;
  if (end < 1) return { ok: false, code: 'truncated' };
  if (plain[end] !== 0x80) return { ok: false, code: 'bad-padding' };
  const body = plain.subarray(1, end);
  let utf8: Uint8Array<ArrayBuffer>;
  if (plain[0] === ENC_JSON) {
    if (body.byteLength > maxBytes) return { ok: false, code: 'too-large' };
    utf8 = body;
  } else if (plain[0] === ENC_DEFLATE) {
    const r = await deflate.inflate(body, maxBytes);
    if (!r.ok) return r;
    utf8 = r.bytes;
  } else return { ok: false, code: 'unknown-encoding' };
  try {
    return { ok: true, value: JSON.parse(decoder.decode(utf8)) };
  } catch {
    return { ok: false, code: 'not-json' };
  }
}
