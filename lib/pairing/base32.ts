/**
 * RFC 4648 base32 (upper case, no padding) for the compact pairing link. Its 32 letters and digits
 * are all in the QR code's alphanumeric mode (5.5 bits a character against 8 in byte mode), so 64
 * random bytes take 563 bits of a QR in base32 against 688 in base64url: one QR version smaller.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * Strict: only the upper-case alphabet, exactly `length` bytes, and the last character's unused bits
 * zero, so each byte string has one spelling (a link that decodes is the link that was made).
 */
export function fromBase32(s: string, length: number): Uint8Array<ArrayBuffer> | null {
  if (s.length !== Math.ceil((length * 8) / 5)) return null;
  const out = new Uint8Array(length);
  let acc = 0;
  let bits = 0;
  let i = 0;
  for (const ch of s) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return null;
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[i++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
