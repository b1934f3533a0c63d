/**
 * Hit rates of QR decoders on the degraded panel screenshots in tests/fixtures/qr: zbarimg (Debian
 * zbar-tools, run now), jsqr alone (what "Read QR from image" used until 2026-12-02) and
 * `decodeQrStill` (jsqr with contrast stretching and upscaling, what it uses now). Prints a Markdown
 * table for BENCHMARKS.md. Run: `npm run bench:qr` (or `npx jiti tests/bench/qr-decode.bench.ts`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeQr, decodeQrStill } from '../../lib/qr/qr-decode';
import { readPng, type QrFixture } from '../fixtures/qr/read-png';

const DIR = path.resolve(import.meta.dirname, '../fixtures/qr');
const fixtures: QrFixture[] = JSON.parse(readFileSync(path.join(DIR, 'manifest.json'), 'utf8'));

function zbar(file: string): string | null {
  try {
    return execFileSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], {
      cwd: DIR,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

const decoders: Record<string, (f: QrFixture) => string | null> = {
  zbar: (f) => zbar(f.file),
  jsqr: (f) => decodeQr(readPng(path.join(DIR, f.file))),
  ours: (f) => decodeQrStill(readPng(path.join(DIR, f.file))),
};

const hits = new Map<string, Record<string, number>>();
const ms: Record<string, number[]> = {};
const bump = (row: string, d: string, ok: boolean) => {
  const r = hits.get(row) ?? {};
  r[d] = (r[d] ?? 0) + (ok ? 1 : 0);
  r.n = (r.n ?? 0) + (d === 'zbar' ? 1 : 0);
  hits.set(row, r);
};
let wrong = 0;
for (const f of fixtures) {
  for (const [name, decode] of Object.entries(decoders)) {
    const t0 = performance.now();
    const text = decode(f);
    (ms[name] ??= []).push(performance.now() - t0);
    if (text !== null && text !== f.text) wrong++;
    for (const row of [`${f.form} · ${f.degradation}`, `${f.form} · all`, `all · ${f.degradation}`, 'all'])
      bump(row, name, text === f.text);
  }
}

const names = Object.keys(decoders);
console.log(`| set | images | ${names.join(' | ')} |`);
console.log(`| --- | ---: | ${names.map(() => '---:').join(' | ')} |`);
for (const [row, r] of [...hits].sort(([a], [b]) => a.localeCompare(b)))
  console.log(`| ${row} | ${r.n} | ${names.map((d) => r[d] ?? 0).join(' | ')} |`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `\nmisreads: ${wrong}; median ms per image: ${names.map((d) => `${d} ${median(ms[d]!).toFixed(1)}`).join(', ')}`,
);
console.log(
  `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(2)}`,
);
