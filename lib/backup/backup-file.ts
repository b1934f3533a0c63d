/**
 * The encrypted backup file (`.ttbackup`), format version 1. Layout (big-endian), in docs/backup.md:
 *
 *   0  magic "TTBACKUP"            8     ┐
 *   8  format version (1)          u16   │
 *  10  KDF id (1 = Argon2id v1.3)  u8    │ the fixed part: every segment's
 *  11  memory KiB                  u32   │ AES-GCM additional data
 *  15  iterations                  u32   │
 *  19  parallelism                 u8    │
 *  20  salt                        16    │
 *  36  nonce prefix                7     │
 *  43  segment size                u32   ┘
 *  47  plaintext length            u64
 *  55  checksum: SHA-256(0..55)[0..8]
 *  63  key check: HMAC-SHA-256(check key, 0..63)
 *  95  segments: AES-256-GCM(segment i), nonce = prefix ‖ u32 i ‖ final flag
 *
 * Keys: Argon2id(passphrase, salt) → HKDF-SHA-256 → an AES key and an HMAC key. The checksum tells a
 * damaged header from a wrong passphrase; the key check (over the whole header, so the length is
 * authenticated) tells a wrong passphrase before any segment is read; the final flag in the last
 * nonce and the authenticated length tell truncation from tampering (the STREAM construction of
 * Hoang, Reyhanitabar, Rogaway and Vizár). Nothing is decided on unauthenticated data except the
 * reason given for refusing.
 */
import { DEFAULT_KDF, deriveMaster, kdfParamsInBounds, type KdfParams } from './kdf';

export const BACKUP_MAGIC = 'TTBACKUP';
export const BACKUP_FORMAT_VERSION = 1;
export const BACKUP_EXTENSION = '.ttbackup';
const KDF_ARGON2ID = 1;
const FIXED_LEN = 47;
export const HEADER_LEN = 95;
const TAG_LEN = 16;
export const DEFAULT_SEGMENT = 1024 * 1024;
const SEGMENT_BOUNDS = { min: 1024, max: 16 * 1024 * 1024 };

/** Why a file was refused; the UI words them (backupReasonText). Nothing is changed in each case. */
export type BackupReason = 'not-a-backup' | 'newer-version' | 'truncated' | 'tampered' | 'wrong-passphrase';

export type Opened =
  | {
      ok: true;
      header: BackupHeader;
      read: (onPlain: (bytes: Uint8Array) => void | Promise<void>) => Promise<ReadResult>;
    }
  | { ok: false; reason: BackupReason };
export type ReadResult = { ok: true } | { ok: false; reason: 'tampered' | 'truncated' };

export interface BackupHeader {
  version: number;
  kdf: KdfParams;
  plainLength: number;
  segmentSize: number;
}

const enc = new TextEncoder();
const subtle = () => globalThis.crypto.subtle;

async function keysFrom(master: Uint8Array) {
  const base = await subtle().importKey('raw', master as BufferSource, 'HKDF', false, ['deriveKey']);
  const hkdf = (info: string) => ({
    name: 'HKDF',
    hash: 'SHA-256',
    salt: new Uint8Array(0),
    info: enc.encode(`todo-tasker backup v1 ${info}`),
  });
  const aes = await subtle().deriveKey(hkdf('aes'), base, { name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  const mac = await subtle().deriveKey(hkdf('check'), base, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
  return { aes, mac };
}

function nonce(prefix: Uint8Array, i: number, final: boolean): Uint8Array {
  const n = new Uint8Array(12);
  n.set(prefix, 0);
  new DataView(n.buffer).setUint32(7, i);
  n[11] = final ? 1 : 0;
  return n;
}

export interface WriterOptions {
  kdf?: KdfParams;
  segmentSize?: number;
}

/**
 * Encrypts plaintext pushed in pieces of any size into segments as they fill; `finish` returns the
 * file's parts (header first) for a Blob. Memory: the ciphertext plus one segment of plaintext.
 */
export async function createBackupWriter(passphrase: string, opts: WriterOptions = {}) {
  const kdf = opts.kdf ?? DEFAULT_KDF;
  const segmentSize = opts.segmentSize ?? DEFAULT_SEGMENT;
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const prefix = crypto.getRandomValues(new Uint8Array(7));
  const fixed = new Uint8Array(FIXED_LEN);
  const dv = new DataView(fixed.buffer);
  fixed.set(enc.encode(BACKUP_MAGIC), 0);
  dv.setUint16(8, BACKUP_FORMAT_VERSION);
  dv.setUint8(10, KDF_ARGON2ID);
  dv.setUint32(11, kdf.memoryKiB);
  dv.setUint32(15, kdf.iterations);
  dv.setUint8(19, kdf.parallelism);
  fixed.set(salt, 20);
  fixed.set(prefix, 36);
  dv.setUint32(43, segmentSize);
  const { aes, mac } = await keysFrom(await deriveMaster(passphrase, salt, kdf));

  const segments: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let pendingLen = 0;
  let total = 0;

  async function seal(plain: Uint8Array, final: boolean) {
    const iv = nonce(prefix, segments.length, final);
    const c = await subtle().encrypt(
      { name: 'AES-GCM', iv: iv as BufferSource, additionalData: fixed },
      aes,
      plain as BufferSource,
    );
    segments.push(new Uint8Array(c));
  }
  function take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const head = pending[0]!;
      const k = Math.min(head.length, n - at);
      out.set(head.subarray(0, k), at);
      at += k;
      if (k === head.length) pending.shift();
      else pending[0] = head.subarray(k);
    }
    pendingLen -= n;
    return out;
  }

  return {
    async push(bytes: Uint8Array) {
      if (bytes.length === 0) return;
      pending.push(bytes);
      pendingLen += bytes.length;
      total += bytes.length;
      // Strictly greater: the final segment always exists and holds 1..segmentSize bytes (0 if empty).
      while (pendingLen > segmentSize) await seal(take(segmentSize), false);
    },
    async finish(): Promise<Uint8Array[]> {
      await seal(take(pendingLen), true);
      pending = [];
      const header = new Uint8Array(HEADER_LEN);
      header.set(fixed, 0);
      const hv = new DataView(header.buffer);
      hv.setUint32(47, Math.floor(total / 2 ** 32));
      hv.setUint32(51, total >>> 0);
      header.set(new Uint8Array(await subtle().digest('SHA-256', header.subarray(0, 55))).subarray(0, 8), 55);
      header.set(new Uint8Array(await subtle().sign('HMAC', mac, header.subarray(0, 63))), 63);
      return [header, ...segments];
    },
  };
}

const bytesOf = async (b: Blob, start: number, end: number) =>
  new Uint8Array(await b.slice(start, end).arrayBuffer());

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Number of segments for a plaintext length: the last one holds 1..segmentSize bytes (or 0 of 0). */
const segmentCount = (plain: number, seg: number) => Math.max(1, Math.ceil(plain / seg));

/**
 * Checks the header and the passphrase; the returned `read` decrypts every segment in order and
 * hands each plaintext to `onPlain`. Call `read` once to verify the whole file, again to use it.
 */
export async function openBackup(file: Blob, passphrase: string): Promise<Opened> {
  const head = await bytesOf(file, 0, HEADER_LEN);
  const magic = enc.encode(BACKUP_MAGIC);
  const n = Math.min(head.length, magic.length);
  if (!equal(head.subarray(0, n), magic.subarray(0, n))) return { ok: false, reason: 'not-a-backup' };
  if (head.length < 10) return { ok: false, reason: 'truncated' };
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = dv.getUint16(8);
  if (version > BACKUP_FORMAT_VERSION) return { ok: false, reason: 'newer-version' };
  if (head.length < HEADER_LEN) return { ok: false, reason: 'truncated' };
  const sum = new Uint8Array(await subtle().digest('SHA-256', head.subarray(0, 55))).subarray(0, 8);
  if (!equal(sum, head.subarray(55, 63))) return { ok: false, reason: 'tampered' };
  const kdf: KdfParams = {
    memoryKiB: dv.getUint32(11),
    iterations: dv.getUint32(15),
    parallelism: dv.getUint8(19),
  };
  const segmentSize = dv.getUint32(43);
  const plainLength = dv.getUint32(47) * 2 ** 32 + dv.getUint32(51);
  if (
    version < 1 ||
    dv.getUint8(10) !== KDF_ARGON2ID ||
    !kdfParamsInBounds(kdf) ||
    segmentSize < SEGMENT_BOUNDS.min ||
    segmentSize > SEGMENT_BOUNDS.max ||
    !Number.isSafeInteger(plainLength)
  )
    return { ok: false, reason: 'tampered' };
  const count = segmentCount(plainLength, segmentSize);
  const expected = HEADER_LEN + plainLength + count * TAG_LEN;
  if (file.size < expected) return { ok: false, reason: 'truncated' };
  if (file.size > expected) return { ok: false, reason: 'tampered' };

  const { aes, mac } = await keysFrom(await deriveMaster(passphrase, head.subarray(20, 36), kdf));
  const good = await subtle().verify(
    'HMAC',
    mac,
    head.subarray(63, 95) as BufferSource,
    head.subarray(0, 63) as BufferSource,
  );
  if (!good) return { ok: false, reason: 'wrong-passphrase' };

  const fixed = head.slice(0, FIXED_LEN);
  const prefix = head.slice(36, 43);
  const header: BackupHeader = { version, kdf, plainLength, segmentSize };
  return {
    ok: true,
    header,
    async read(onPlain) {
      let at = HEADER_LEN;
      for (let i = 0; i < count; i++) {
        const final = i === count - 1;
        const len = (final ? plainLength - i * segmentSize : segmentSize) + TAG_LEN;
        const c = await bytesOf(file, at, at + len);
        // The length was checked against the file's size before; a file that shrank since is truncated.
        if (c.length < len) return { ok: false, reason: 'truncated' };
        at += len;
        let plain: ArrayBuffer;
        try {
          plain = await subtle().decrypt(
            { name: 'AES-GCM', iv: nonce(prefix, i, final) as BufferSource, additionalData: fixed },
            aes,
            c as BufferSource,
          );
        } catch {
          return { ok: false, reason: 'tampered' };
        }
        await onPlain(new Uint8Array(plain));
      }
      return { ok: true };
    },
  };
}
