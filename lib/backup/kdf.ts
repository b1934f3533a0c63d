/**
 * Passphrase → key material for backup files: Argon2id (RFC 9106) from hash-wasm, a maintained
 * WebAssembly build. The extension's CSP (`script-src 'self' 'wasm-unsafe-eval'`) and the phone
 * app's CSP already allow compiling WASM for SQLite, so Argon2id fits and PBKDF2 (no memory
 * hardness) is not needed. hash-wasm runs one lane, so parallelism is 1.
 */
import { argon2id } from 'hash-wasm';

export interface KdfParams {
  /** KiB of memory */
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/**
 * RFC 9106's second recommended option (64 MiB, 3 passes): ~0.35 s in Node 22 on this machine's
 * cores, similar in the browsers' WASM. Stored in every file, so later versions may raise it.
 */
export const DEFAULT_KDF: KdfParams = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 };

/** What a reader accepts from a file's header: enough headroom to raise the default, no more. */
export const KDF_BOUNDS = {
  memoryKiB: { min: 8, max: 1024 * 1024 },
  iterations: { min: 1, max: 64 },
  parallelism: { min: 1, max: 16 },
} as const;

export function kdfParamsInBounds(p: KdfParams): boolean {
  return (
    (Object.keys(KDF_BOUNDS) as (keyof KdfParams)[]).every(
      (k) => Number.isInteger(p[k]) && p[k] >= KDF_BOUNDS[k].min && p[k] <= KDF_BOUNDS[k].max,
    ) && p.memoryKiB >= 8 * p.parallelism
  );
}

/** 32 bytes of key material; the caller splits it into keys with HKDF. */
export async function deriveMaster(passphrase: string, salt: Uint8Array, p: KdfParams): Promise<Uint8Array> {
  return argon2id({
    password: passphrase.normalize('NFC'),
    salt,
    parallelism: p.parallelism,
    iterations: p.iterations,
    memorySize: p.memoryKiB,
    hashLength: 32,
    outputType: 'binary',
  });
}

export type Strength = { score: 0 | 1 | 2 | 3; hint: string };

/**
 * A plain strength hint for the passphrase box. Not a meter that promises safety: length counts
 * most (Argon2id slows each guess, so a long phrase of common words is strong), repetition and a
 * single character class count against.
 */
export function passphraseStrength(p: string): Strength {
  const len = [...p].length;
  if (len === 0) return { score: 0, hint: 'Choose a passphrase you will remember; it cannot be recovered.' };
  const distinct = new Set(p.toLowerCase()).size;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter((r) => r.test(p)).length;
  const words = p
    .trim()
    .split(/\s+/)
    .filter((w) => w.length >= 3).length;
  if (len < 10 || distinct < 6) return { score: 1, hint: 'Weak: use at least 4 words or 12 characters.' };
  if (words >= 4 || len >= 20 || (len >= 14 && classes >= 3))
    return { score: 3, hint: 'Strong. Keep it somewhere safe: without it the backup cannot be read.' };
  return { score: 2, hint: 'Fair: a longer phrase (4 or more words) is stronger.' };
}
