/** Renders a pairing link as a QR image for the side panel (and for a phone camera across a desk). */
import QRCode from 'qrcode';

/**
 * Medium error correction survives glare and a slightly blurred phone photo while keeping modules
 * big; the 4-module quiet zone is what the QR spec asks for and what cameras need to find the code.
 */
export const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4, width: 320 } as const;

export function qrDataUrl(text: string): Promise<string> {
  return QRCode.toDataURL(text, { ...QR_OPTIONS, color: { dark: '#000000ff', light: '#ffffffff' } });
}
