/**
 * Circles in real browsers (issue 10, "Measure"): a todo added in one device's side panel → visible in
 * the other device's side panel, live, p50/p95 over BENCH_CHANGES changes per direction (default 50),
 * and the frames each device exchanges with the relay while nothing changes (BENCH_IDLE_MS, default
 * 120 s). `npm run bench:circle-browser`; prints figures, asserts nothing about time; BENCHMARKS.md
 * records them.
 *
 * Pairs (BENCH_PAIRS, default `chrome-chrome,chrome-firefox`), each on fresh profiles, paired once by
 * link through the UI as a person does, then left in their circle:
 *  - chrome-chrome: two Debian Chromium persistent profiles with the Chrome test build
 *    (TT_EXTENSION_DIR, as tests/e2e/fixtures.ts), side panels opened as tabs;
 *  - chrome-firefox: one Chromium profile and one Firefox ESR profile (puppeteer-core, the Firefox
 *    test build from TT_FIREFOX_EXTENSION_DIR, as tests/e2e-firefox), the sidebar page opened as a tab.
 *
 * Latency is timed inside the browsers, not by the driver: both pages carry the same small script. On
 * the sender, a capturing `keydown` listener stores Date.now() when Enter is pressed in "New todo"; on
 * the receiver, a MutationObserver stores Date.now() when a node holding the title is added (or its
 * text changes). Both profiles run on this machine, so both read the same system clock; the driver
 * only reads the two stamps afterwards. The observer fires when the row is in the DOM, before the next
 * paint (at most one frame later). Changes alternate direction, one at a time: the next starts when
 * the previous has arrived and the sender's box has cleared, after a 300 ms pause.
 *
 * Both devices reach the relay through the e2e wiretap (a TCP proxy in this process, one loopback hop
 * more), which also counts WebSocket frames per connection and direction for the idle window: JSON
 * PINGs (sent by each device every 20 s, answered by the relay runtime's auto-response with a PONG
 * without waking the room), WebSocket control frames, and other (data) frames.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { Browser as FirefoxBrowser, Page as FirefoxPage } from 'puppeteer-core';
import { startRelay } from '../../scripts/relay-process.mjs';
import { expect, newProfileDir } from '../e2e/fixtures';
import { openProfile, pairOnce, setRelay, showPairingLink } from '../e2e/sync-ui';
import { startWiretap, type TappedStream, type Wiretap } from '../e2e/wiretap';
import { launchFirefox, newFirefoxProfileDir, openExtensionPage, pollUntil } from '../e2e-firefox/firefox';
import { byRole, retype } from '../e2e-firefox/todo-page';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 50);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 120_000);
const PAIRS = (process.env.BENCH_PAIRS ?? 'chrome-chrome,chrome-firefox').split(',');
const WARM_UP = 2;

/** One side panel, whichever browser drives it. */
interface Panel {
  name: string;
  /** Runs `fn(arg)` in the page and returns its (awaited) result. */
  run<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Types a new todo and presses Enter; resolves when the box has cleared (saved). */
  add(title: string): Promise<void>;
}

/** Installed in every panel: stamps Enter in "New todo" (sender) and titles appearing (receiver). */
function instrument(): void {
  const w = window as unknown as { __ttSent: Record<string, number>; __ttSeen: Record<string, number> };
  if (w.__ttSent) return;
  w.__ttSent = {};
  w.__ttSeen = {};
  const re = /LIVE(\d+)x/g;
  window.addEventListener(
    'keydown',
    (e) => {
      const t = e.target;
      if (e.key !== 'Enter' || !(t instanceof HTMLInputElement)) return;
      for (const m of t.value.matchAll(re)) w.__ttSent[m[1]!] ??= Date.now();
    },
    true,
  );
  const seen = (text: string | null, at: number) => {
    if (!text || !text.includes('LIVE')) return;
    for (const m of text.matchAll(re)) w.__ttSeen[m[1]!] ??= at;
  };
  new MutationObserver((records) => {
    const at = Date.now();
    // The sender's own box holds the title while typing: only text inside a list counts.
    const inList = (n: Node) =>
      (n instanceof Element ? n : n.parentElement)?.closest('ul, ol, [role="list"]') ??
      (n instanceof Element ? n.querySelector('ul, ol, [role="list"]') : null);
    for (const r of records) {
      if (r.type === 'characterData') {
        if (inList(r.target)) seen(r.target.textContent, at);
      } else for (const n of r.addedNodes) if (inList(n)) seen(n.textContent, at);
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}

/** Resolves in the page with the receiver's stamp for change `n`, or null after 30 s. */
function seenAt(n: number): Promise<number | null> {
  const w = window as unknown as { __ttSeen: Record<string, number> };
  return new Promise((resolve) => {
    const until = Date.now() + 30_000;
    const check = () => {
      const at = w.__ttSeen[String(n)];
      if (at !== undefined) resolve(at);
      else if (Date.now() > until) resolve(null);
      else setTimeout(check, 10);
    };
    check();
  });
}

const sentAt = (n: number) =>
  (window as unknown as { __ttSent: Record<string, number> }).__ttSent[String(n)] ?? null;

function chromePanel(name: string, page: Page): Panel {
  return {
    name,
    run: (fn, arg) => page.evaluate(fn as (a: unknown) => never, arg),
    async add(title) {
      const box = page.getByRole('textbox', { name: 'New todo' });
      await box.fill(title);
      await box.press('Enter');
      await expect(box).toHaveValue('', { timeout: 30_000 });
    },
  };
}

function firefoxPanel(name: string, page: FirefoxPage): Panel {
  return {
    name,
    run: (fn, arg) => page.evaluate(fn as (a: unknown) => unknown, arg) as never,
    async add(title) {
      const box = await byRole(page, 'New todo', 'textbox');
      await box.type(title);
      await box.press('Enter');
      await pollUntil(
        () => box.evaluate((el) => (el instanceof HTMLInputElement ? el.value : '')),
        (v) => v === '',
        `“${title}” to be saved`,
      );
    },
  };
}

const quantile = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.floor(p * (xs.length - 1))]!;
const stats = (xs: number[]) =>
  xs.length === 0
    ? 'no samples'
    : `p50 ${quantile(xs, 0.5)} ms, p95 ${quantile(xs, 0.95)} ms, min ${Math.min(...xs)}, max ${Math.max(...xs)} (n=${xs.length})`;

let serial = 0;
/** `count` changes each way, alternating, plus WARM_UP each way first (not counted). */
async function latencies(x: Panel, y: Panel, count: number) {
  for (const p of [x, y]) await p.run(instrument, undefined);
  const out = new Map<string, number[]>([
    [`${x.name} → ${y.name}`, []],
    [`${y.name} → ${x.name}`, []],
  ]);
  let lost = 0;
  for (let i = 0; i < 2 * (count + WARM_UP); i++) {
    const [from, to] = i % 2 === 0 ? [x, y] : [y, x];
    const n = ++serial;
    const arrived = to.run(seenAt, n);
    await from.add(`LIVE${n}x ${from.name} change ${i >> 1}`);
    const seen = await arrived;
    const sent = await from.run(sentAt, n);
    if (seen === null || sent === null) lost++;
    else if (i >= 2 * WARM_UP) out.get(`${from.name} → ${to.name}`)!.push(seen - sent);
    await new Promise((r) => setTimeout(r, 300));
  }
  return { out, lost };
}

// ---- Frames on the wire while idle ------------------------------------------------------------

interface WsFrame {
  at: number;
  opcode: number;
  text: string;
}

/** WebSocket frames in one tapped stream (after its HTTP head), with their byte offsets. */
function frames(stream: TappedStream): { head: string; frames: WsFrame[] } {
  const b = stream.bytes();
  const end = b.indexOf('\r\n\r\n');
  if (end < 0) return { head: b.toString('latin1'), frames: [] };
  const out: WsFrame[] = [];
  let i = end + 4;
  while (i + 2 <= b.length) {
    const at = i;
    const opcode = b[i]! & 0x0f;
    const masked = (b[i + 1]! & 0x80) !== 0;
    let len = b[i + 1]! & 0x7f;
    i += 2;
    if (len === 126) {
      if (i + 2 > b.length) break;
      len = b.readUInt16BE(i);
      i += 2;
    } else if (len === 127) {
      if (i + 8 > b.length) break;
      len = Number(b.readBigUInt64BE(i));
      i += 8;
    }
    const mask = masked ? b.subarray(i, i + 4) : null;
    if (masked) i += 4;
    if (i + len > b.length) break;
    const payload = Buffer.from(b.subarray(i, i + Math.min(len, 64)));
    if (mask) for (let k = 0; k < payload.length; k++) payload[k]! ^= mask[k % 4]!;
    out.push({ at, opcode, text: payload.toString('utf8') });
    i += len;
  }
  return { head: b.subarray(0, end).toString('latin1'), frames: out };
}

const byteMarks = (tap: Wiretap) => tap.streams.map((s) => s.bytes().length);

/** Frames per minute in [mark, now) per device (from its upgrade request's `_pk`), each way. */
function idleFrames(tap: Wiretap, marks: number[], ms: number, names: Map<string, string>) {
  const rows = new Map<string, Record<string, number>>();
  // The tap records each connection's to-relay stream, then its from-relay stream.
  for (let k = 0; k + 1 < tap.streams.length; k += 2) {
    const up = tap.streams[k]!;
    const down = tap.streams[k + 1]!;
    if (up.direction !== 'to-relay' || down.direction !== 'from-relay') continue;
    const parsedUp = frames(up);
    const id = /[?&]_pk=([0-9a-f-]+)/.exec(parsedUp.head)?.[1] ?? '?';
    const device = names.get(id) ?? `other ${id.slice(0, 4)}`;
    const row = rows.get(device) ?? {};
    for (const [dir, stream, parsed] of [
      ['sent', up, parsedUp],
      ['received', down, frames(down)],
    ] as const) {
      const from = marks[tap.streams.indexOf(stream)] ?? 0;
      for (const f of parsed.frames) {
        if (f.at < from) continue;
        const kind =
          f.opcode >= 8
            ? 'control'
            : f.text.startsWith('{"type":"PING"}')
              ? 'PING'
              : f.text.startsWith('{"type":"PONG"}')
                ? 'PONG'
                : 'data';
        const key = `${dir} ${kind}`;
        row[key] = (row[key] ?? 0) + 1;
      }
    }
    if (Object.keys(row).length > 0) rows.set(device, row);
  }
  const perMin = (n: number) => +((n * 60_000) / ms).toFixed(2);
  return Object.fromEntries(
    [...rows].map(([device, row]) => [
      device,
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, `${v} (${perMin(v)}/min)`])),
    ]),
  );
}

async function idleWindow(tap: Wiretap, names: Map<string, string>) {
  // Let the last change's acknowledgements pass first.
  await new Promise((r) => setTimeout(r, 5_000));
  const marks = byteMarks(tap);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  return idleFrames(tap, marks, Date.now() - t0, names);
}

// ---- Pairs ------------------------------------------------------------------------------------

async function deviceId(page: { evaluate: Page['evaluate'] } | FirefoxPage): Promise<string> {
  return (page as FirefoxPage).evaluate(async () => {
    const api = (globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome;
    const r = (await api.runtime.sendMessage({ channel: 'tt.request', request: { kind: 'db.status' } })) as {
      data?: { deviceId?: string };
    };
    return r?.data?.deviceId ?? '';
  });
}

async function chromeChrome(tap: Wiretap) {
  const [a, b] = await Promise.all([openProfile(newProfileDir()), openProfile(newProfileDir())]);
  try {
    for (const p of [a, b]) await setRelay(p.panel, tap.url);
    await pairOnce(a, b, { timeout: 60_000 });
    const names = new Map([
      [await deviceId(a.panel), 'Chromium A'],
      [await deviceId(b.panel), 'Chromium B'],
    ]);
    const lat = await latencies(
      chromePanel('Chromium A', a.panel),
      chromePanel('Chromium B', b.panel),
      CHANGES,
    );
    report('chrome-chrome', lat);
    const idle = await idleWindow(tap, names);
    console.log(`chrome-chrome idle ${IDLE_MS / 1000} s: ${JSON.stringify(idle, null, 2)}`);
  } finally {
    await Promise.all([a.close(), b.close()]).catch(() => {});
  }
}

async function chromeFirefox(tap: Wiretap) {
  const chrome = await openProfile(newProfileDir());
  const ffDir = newFirefoxProfileDir();
  let firefox: FirefoxBrowser | undefined;
  try {
    firefox = await launchFirefox(ffDir);
    const ff = await openExtensionPage(firefox, 'sidepanel.html');
    await setRelay(chrome.panel, tap.url);
    await (await byRole(ff, 'Settings', 'button')).click();
    const relayBox = await byRole(ff, 'Relay address', 'textbox');
    await pollUntil(
      () => relayBox.evaluate((el) => (el instanceof HTMLInputElement ? el.value : '')),
      (v) => v !== '',
      'the relay address to load',
    );
    await retype(ff, relayBox, tap.url);
    await (await byRole(ff, 'Save', 'button')).click();
    await pollUntil(
      () => ff.evaluate(() => document.body.innerText),
      (t) => t.includes('Saved.'),
      'Saved.',
    );
    await (await byRole(ff, 'Close', 'button')).click();

    // Chromium shows the link; Firefox pastes it.
    const link = await showPairingLink(chrome.panel);
    await (await byRole(ff, 'Join a device', 'button')).click();
    await (await byRole(ff, 'Pairing link', 'textbox')).type(link);
    await (await byRole(ff, 'Join', 'button')).click();
    await expect(
      chrome.panel.getByRole('status').filter({ hasText: /Synced with Firefox on Linux/ }),
    ).toBeVisible({
      timeout: 60_000,
    });
    await pollUntil(
      () => ff.evaluate(() => document.body.innerText),
      (t) => /Synced with Chrome on Linux · \w{4}\./.test(t),
      'Firefox to report the sync',
      600,
    );
    await chrome.panel.getByRole('button', { name: 'Close' }).click();
    await (await byRole(ff, 'Close', 'button')).click();

    const names = new Map([
      [await deviceId(chrome.panel), 'Chromium'],
      [await deviceId(ff), 'Firefox'],
    ]);
    const lat = await latencies(chromePanel('Chromium', chrome.panel), firefoxPanel('Firefox', ff), CHANGES);
    report('chrome-firefox', lat);
    const idle = await idleWindow(tap, names);
    console.log(`chrome-firefox idle ${IDLE_MS / 1000} s: ${JSON.stringify(idle, null, 2)}`);
  } finally {
    if (firefox?.connected) await firefox.close().catch(() => {});
    await chrome.close().catch(() => {});
    rmSync(ffDir, { recursive: true, force: true });
  }
}

function report(pair: string, lat: Awaited<ReturnType<typeof latencies>>) {
  const all: number[] = [];
  for (const [dir, xs] of lat.out) {
    console.log(`${pair}: ${dir}: ${stats(xs)}`);
    all.push(...xs);
  }
  console.log(`${pair}: both directions: ${stats(all)}; lost (no stamp within 30 s): ${lat.lost}`);
}

async function main() {
  const machine = () =>
    `${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}, ${new Date().toISOString()}`;
  console.log(`start: ${machine()}`);
  // Static assets from a directory nobody rebuilds: a rebuild of relay/public would reload the runtime.
  const assetsDir = mkdtempSync(join(tmpdir(), 'circle-bench-assets-'));
  writeFileSync(join(assetsDir, 'index.html'), '<!doctype html><title>circle bench</title>\n');
  const relay = await startRelay({ assetsDir });
  const tap = await startWiretap({ host: '127.0.0.1', port: relay.port });
  try {
    if (PAIRS.includes('chrome-chrome')) await chromeChrome(tap);
    console.log(`after chrome-chrome: ${machine()}`);
    if (PAIRS.includes('chrome-firefox')) await chromeFirefox(tap);
    console.log(`end: ${machine()}`);
  } finally {
    await tap.close();
    await relay.stop();
    rmSync(assetsDir, { recursive: true, force: true });
  }
}

await main();
