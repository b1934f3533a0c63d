import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { newDeviceId } from '../../lib/model/ids';
import { createPairingLink, parsePairingLink } from '../../lib/pairing/pairing-link';
import { cameraErrorMessage } from '../../lib/qr/camera-scan';
import { decodeQr, type Pixels } from '../../lib/qr/qr-decode';
import { QR_OPTIONS } from '../../lib/qr/qr-render';

/** Paints a QR the way the side panel's image does: `scale` px per module, quiet zone, optional inversion. */
function paint(text: string, scale: number, invert = false): Pixels {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel });
  const side = (modules.size + 2 * QR_OPTIONS.margin) * scale;
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const r = Math.floor(y / scale) - QR_OPTIONS.margin;
      const c = Math.floor(x / scale) - QR_OPTIONS.margin;
      const inside = r >= 0 && c >= 0 && r < modules.size && c < modules.size;
      const dark = inside && modules.get(r, c) === 1;
      const v = dark !== invert ? 0 : 255;
      data.set([v, v, v, 255], (y * side + x) * 4);
    }
  return { data, width: side, height: side };
}

describe('qr', () => {
  const link = createPairingLink({ relayOrigin: 'https://relay.example.org', hostId: newDeviceId() });

  it('decodes a rendered pairing link back to a link that parses', () => {
    const text = decodeQr(paint(link.url, 4));
    expect(text).toBe(link.url);
    expect(parsePairingLink(text!).ok).toBe(true);
  });

  it('fits a pairing link in the rendered width with at least 3 px per module', () => {
    const { modules } = QRCode.create(link.url, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel });
    expect(QR_OPTIONS.width / (modules.size + 2 * QR_OPTIONS.margin)).toBeGreaterThanOrEqual(3);
  });

  it('reads a light-on-dark screenshot', () => {
    expect(decodeQr(paint(link.url, 3, true))).toBe(link.url);
  });

  it('finds no QR in a blank image', () => {
    const data = new Uint8ClampedArray(200 * 200 * 4).fill(255);
    expect(decodeQr({ data, width: 200, height: 200 })).toBeNull();
  });

  it.each([
    ['NotAllowedError', /not allowed/],
    ['NotFoundError', /No camera was found/],
    ['NotReadableError', /in use/],
    ['AbortError', /could not be started/],
  ])('explains a camera %s in plain words', (name, msg) => {
    expect(cameraErrorMessage(new DOMException('x', name))).toMatch(msg);
    expect(cameraErrorMessage(new DOMException('x', name))).toMatch(/Paste the link/);
  });
});
