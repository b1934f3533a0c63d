/**
 * Reads a QR code from pixels with jsqr: camera frames as they come (`decodeQr`), image files and
 * pasted screenshots with more tries (`decodeQrStill`).
 */
import jsQR from 'jsqr';

export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export const NO_QR_IN_IMAGE =
  'No QR code found in this image. Use a screenshot that shows the whole QR code.';
export const UNREADABLE_IMAGE = 'This file could not be read as an image. Choose a PNG or JPEG screenshot.';

/**
 * `attemptBoth` also finds light-on-dark codes (screenshots of a dark theme); camera frames pass
 * `dontInvert`, as each extra pass costs a full decode per frame.
 */
export function decodeQr(p: Pixels, inversion: 'attemptBoth' | 'dontInvert' = 'attemptBoth'): string | null {
  return jsQR(p.data, p.width, p.height, { inversionAttempts: inversion })?.data ?? null;
}

/**
 * A still image gets more tries than a camera frame (which has the next frame as its retry): the
 * pixels as they are; then with their contrast stretched (a dim or washed-out screen, 1st to 99th
 * percentile onto black to white); then, for a small image, stretched and scaled up (bilinear) to
 * 400 and 800 px on its longer side, which is what lets jsqr find a QR of 2–3 px per module whose
 * finder patterns it misses at the original size. Measured on tests/fixtures/qr (BENCHMARKS.md,
 * "Reading pairing QRs"): jsqr alone read 111 of 153 degraded panel screenshots, zbar 105, these
 * tries 143, and they read every image zbar reads.
 */
export function decodeQrStill(p: Pixels): string | null {
  const first = decodeQr(p);
  if (first !== null) return first;
  const stretched = stretchContrast(p);
  const tries: (() => Pixels)[] = [() => stretched];
  const side = Math.max(p.width, p.height);
  for (const target of UPSCALE_TO)
    if (side < target) tries.push(() => resizeBilinear(stretched, target / side));
  for (const make of tries) {
    const text = decodeQr(make());
    if (text !== null) return text;
  }
  return null;
}

const UPSCALE_TO = [400, 800];

/** Grey levels from the 1st to the 99th percentile of luminance spread over 0–255 (grey RGBA out). */
export function stretchContrast(p: Pixels): Pixels {
  const n = p.width * p.height;
  const lum = new Uint8Array(n);
  const hist = new Uint32Array(256);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const v = (p.data[o]! * 77 + p.data[o + 1]! * 150 + p.data[o + 2]! * 29) >> 8;
    lum[i] = v;
    hist[v]!++;
  }
  const cut = Math.floor(n / 100);
  let lo = 0;
  for (let acc = 0; lo < 255 && acc + hist[lo]! <= cut; lo++) acc += hist[lo]!;
  let hi = 255;
  for (let acc = 0; hi > 0 && acc + hist[hi]! <= cut; hi--) acc += hist[hi]!;
  const k = hi > lo ? 255 / (hi - lo) : 1;
  const data = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const v = (lum[i]! - lo) * k;
    data[i * 4] = data[i * 4 + 1] = data[i * 4 + 2] = v;
    data[i * 4 + 3] = 255;
  }
  return { data, width: p.width, height: p.height };
}

/** Bilinear scaling of a grey RGBA image (as stretchContrast makes) by `f`. */
export function resizeBilinear(p: Pixels, f: number): Pixels {
  const w = Math.max(1, Math.round(p.width * f));
  const h = Math.max(1, Math.round(p.height * f));
  const data = new Uint8ClampedArray(w * h * 4);
  const at = (x: number, y: number) => p.data[(y * p.width + x) * 4]!;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(p.height - 1, Math.max(0, (y + 0.5) / f - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(p.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(p.width - 1, Math.max(0, (x + 0.5) / f - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(p.width - 1, x0 + 1);
      const fx = sx - x0;
      const v =
        (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
      const o = (y * w + x) * 4;
      data[o] = data[o + 1] = data[o + 2] = v;
      data[o + 3] = 255;
    }
  }
  return { data, width: w, height: h };
}

/** Big screenshots are scaled down first: jsqr's time grows with pixels and a QR needs few. */
export const MAX_DECODE_SIDE = 1600;

export type ImageDecode = { ok: true; text: string } | { ok: false; error: string };

/** Decodes the first QR in an image file or pasted blob (browser only: createImageBitmap + canvas). */
export async function decodeQrFromBlob(blob: Blob): Promise<ImageDecode> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    return { ok: false, error: UNREADABLE_IMAGE };
  }
  const scale = Math.min(1, MAX_DECODE_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return { ok: false, error: UNREADABLE_IMAGE };
  // A transparent PNG's background reads as black; paint white under it so dark modules stand out.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const text = decodeQrStill(ctx.getImageData(0, 0, width, height));
  return text === null ? { ok: false, error: NO_QR_IN_IMAGE } : { ok: true, text };
}
