/**
 * Writes tests/fixtures/qr/: pairing QRs as the side panel renders them (qrcode, QR_OPTIONS, 320 px,
 * on a white strip of panel around them), each saved degraded in the ways a screenshot or a photo of
 * a screen degrades it. Run once by hand; the images are committed and the tests only read them:
 *   npx jiti scripts/make-qr-fixtures.ts
 * sharp (libvips) does the degrading (tests/fixtures/qr/degrade.ts). zbarimg, where installed, records which images zbar reads
 * (manifest.json `zbar`), so a machine without zbar still checks "we read what zbar reads".
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import sharp from 'sharp';
import { toBase64Url } from '../lib/crypto/base64url';
import { newDeviceId } from '../lib/model/ids';
import { createPairingLink } from '../lib/pairing/pairing-link';
import { PROTOCOL_VERSION } from '../lib/protocol/envelope';
import { QR_OPTIONS } from '../lib/qr/qr-render';
import { degrade, DEGRADATIONS } from '../tests/fixtures/qr/degrade';
import type { QrFixture } from '../tests/fixtures/qr/read-png';

const OUT = path.resolve(import.meta.dirname, '../tests/fixtures/qr');
const ORIGIN = 'https://todo-tasker-relay.example.workers.dev';
const NOW = 1_800_000_000_000;
const LINKS_PER_FORM = 3;

/** The compact link (as shown since 2026-12-02) and the first form, at the panel's level and at L. */
function links(): { form: string; level: 'L' | 'M'; text: string }[] {
  const out: { form: string; level: 'L' | 'M'; text: string }[] = [];
  for (let i = 0; i < LINKS_PER_FORM; i++) {
    const l = createPairingLink({ relayOrigin: ORIGIN, hostId: newDeviceId(), now: NOW });
    const first = `${ORIGIN}/pair#${new URLSearchParams({
      v: String(PROTOCOL_VERSION),
      s: l.sessionId,
      k: toBase64Url(l.sessionKey),
      d: l.hostId,
      e: String(l.expiresAt),
    })}`;
    out.push({ form: 'first-M', level: 'M', text: first });
    out.push({ form: 'compact-M', level: 'M', text: l.url });
    out.push({ form: 'compact-L', level: 'L', text: l.url });
  }
  return out;
}

function zbarReads(file: string): string | null {
  try {
    return execFileSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

async function main() {
  for (const form of ['first-M', 'compact-M', 'compact-L'])
    rmSync(path.join(OUT, form), { recursive: true, force: true });
  const manifest: QrFixture[] = [];
  const count = new Map<string, number>();
  for (const { form, level, text } of links()) {
    const n = (count.get(form) ?? 0) + 1;
    count.set(form, n);
    const qr = await QRCode.toBuffer(text, {
      ...QR_OPTIONS,
      errorCorrectionLevel: level,
      type: 'png',
      color: { dark: '#000000ff', light: '#ffffffff' },
    });
    // The side panel's white around the image, as in a screenshot of the panel.
    const panel = await sharp(qr)
      .extend({ top: 32, bottom: 32, left: 32, right: 32, background: '#ffffff' })
      .png()
      .toBuffer();
    mkdirSync(path.join(OUT, form), { recursive: true });
    for (const [degradation, steps] of Object.entries(DEGRADATIONS)) {
      const file = path.join(form, `${n}-${degradation}.png`);
      writeFileSync(path.join(OUT, file), await degrade(panel, steps));
      manifest.push({ file, form, degradation, text, zbar: zbarReads(path.join(OUT, file)) === text });
    }
  }
  writeFileSync(path.join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  console.log(`${manifest.length} images, zbar reads ${manifest.filter((m) => m.zbar).length}`);
}

await main();
