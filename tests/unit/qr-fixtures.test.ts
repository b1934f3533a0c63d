/**
 * "Read QR from image" reads what zbar reads: every degraded panel screenshot in tests/fixtures/qr
 * that zbarimg decodes (run now where installed, else as recorded when the image was made), our
 * still-image decoder decodes to the same text. Hit rates per set are in BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeQr, decodeQrStill } from '../../lib/qr/qr-decode';
import { parsePairingLink } from '../../lib/pairing/pairing-link';
import { PROTOCOL_VERSION } from '../../lib/protocol/envelope';
import { readPng, type QrFixture } from '../fixtures/qr/read-png';

const DIR = path.resolve(import.meta.dirname, '../fixtures/qr');
const fixtures: QrFixture[] = JSON.parse(readFileSync(path.join(DIR, 'manifest.json'), 'utf8'));

/**
 * What zbarimg reads from each fixture, in one run over all of them (`--xml` names each file), or
 * null where zbarimg is not installed.
 */
function zbarNow(): Map<string, string> | null {
  let xml: string;
  try {
    xml = execFileSync('zbarimg', ['--xml', '-Sdisable', '-Sqrcode.enable', ...fixtures.map((f) => f.file)], {
      cwd: DIR,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 16 << 20,
    });
  } catch (e) {
    // Exit 4: some file had no symbol; the output is still complete. ENOENT: no zbarimg here.
    const err = e as { code?: string; stdout?: string };
    if (err.code === 'ENOENT' || typeof err.stdout !== 'string' || !err.stdout.includes('<barcodes'))
      return null;
    xml = err.stdout;
  }
  const read = new Map<string, string>();
  for (const m of xml.matchAll(/<source href='([^']+)'>([\s\S]*?)<\/source>/g)) {
    const data = /<data><!\[CDATA\[([\s\S]*?)\]\]><\/data>/.exec(m[2]!);
    if (data) read.set(m[1]!, data[1]!);
  }
  return read;
}
const zbar = zbarNow();
const zbarReads = (f: QrFixture) => (zbar ? zbar.get(f.file) === f.text : f.zbar);

/** The links were made at some protocol version; put today's in to check the rest of each. */
function withCurrentVersion(text: string): string {
  return text.replace(/\/p#\d+\./, `/p#${PROTOCOL_VERSION}.`).replace(/#v=\d+&/, `#v=${PROTOCOL_VERSION}&`);
}

describe('reading degraded pairing QRs', () => {
  it('has zbar reading most of the set (run now where installed)', () => {
    expect(fixtures.filter(zbarReads).length).toBeGreaterThan(fixtures.length / 2);
  });

  it('has a set of every form and degradation, with each link valid', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(150);
    expect(new Set(fixtures.map((f) => f.form))).toEqual(new Set(['first-M', 'compact-M', 'compact-L']));
    for (const f of fixtures) expect(parsePairingLink(withCurrentVersion(f.text), 0).ok).toBe(true);
  });

  it.each(fixtures.map((f) => [f.file, f] as const))(
    '%s: reads it if zbar does, and never misreads',
    (_, f) => {
      const pixels = readPng(path.join(DIR, f.file));
      const ours = decodeQrStill(pixels);
      if (ours !== null) expect(ours).toBe(f.text);
      if (zbarReads(f)) expect(ours).toBe(f.text);
    },
  );

  it('reads a half-size screenshot of the first-form QR that jsqr alone misses', () => {
    const missed = fixtures.filter(
      (f) => f.degradation === 'scale-50' && decodeQr(readPng(path.join(DIR, f.file))) === null,
    );
    expect(missed.length).toBeGreaterThan(0);
    for (const f of missed) expect(decodeQrStill(readPng(path.join(DIR, f.file)))).toBe(f.text);
  });
});
