/** Reads a QR code from pixels (camera frames, screenshots, image files) with jsqr. */
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
  const text = decodeQr(ctx.getImageData(0, 0, width, height));
  return text === null ? { ok: false, error: NO_QR_IN_IMAGE } : { ok: true, text };
}
