/**
 * A fake phone camera for Chromium: a Y4M clip (one frame, looped by Chromium) that shows a QR code,
 * fed through `--use-file-for-fake-video-capture`. Pure luma (U and V at 128): black modules on white,
 * with the 4-module quiet zone a real camera needs.
 */
import QRCode from 'qrcode';
import { writeFileSync } from 'node:fs';

const WIDTH = 640;
const HEIGHT = 480;

export function writeQrClip(file: string, text: string): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const quiet = 4;
  const side = modules.size + 2 * quiet;
  const scale = Math.floor(Math.min(WIDTH, HEIGHT) / side);
  const left = Math.floor((WIDTH - side * scale) / 2);
  const top = Math.floor((HEIGHT - side * scale) / 2);
  const luma = Buffer.alloc(WIDTH * HEIGHT, 235);
  for (let r = 0; r < modules.size; r++)
    for (let c = 0; c < modules.size; c++) {
      if (!modules.get(r, c)) continue;
      for (let y = 0; y < scale; y++) {
        const row = (top + (r + quiet) * scale + y) * WIDTH + left + (c + quiet) * scale;
        luma.fill(16, row, row + scale);
      }
    }
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F30:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, Buffer.from('FRAME\n'), luma, chroma]));
}
