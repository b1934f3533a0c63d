/**
 * UI benchmarks in real Chromium with the built extension (run: npm run bench:ui). Prints figures;
 * asserts nothing about time. See docs/benchmarks/ui.md for method and results.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import type { BrowserContext, Page } from '@playwright/test';
import { launchWithExtension, newProfileDir, openPopup, openSidePanel, sendRequest } from '../e2e/fixtures';

const ADDS = Number(process.env.BENCH_ADDS ?? 50);
const COLD = Number(process.env.BENCH_COLD ?? 5);
const PAINTS = Number(process.env.BENCH_PAINTS ?? 10);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;

async function withProfile<T>(fn: (ctx: BrowserContext) => Promise<T>): Promise<T> {
  const dir = newProfileDir();
  const ctx = await launchWithExtension(dir);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const markTime = (page: Page, name: string) =>
  page
    .waitForFunction((n) => performance.getEntriesByName(n)[0]?.startTime ?? null, name)
    .then((h) => h.jsonValue() as Promise<number>);

/** Fresh profile: the service worker is up, no offscreen document, no worker, no WASM. */
async function coldStart(): Promise<{ fromNavigation: number; fromRequest: number }> {
  return withProfile(async (ctx) => {
    const popup = await openPopup(ctx);
    const done = await markTime(popup, 'tt:first-response');
    const sent = await markTime(popup, 'tt:first-request');
    return { fromNavigation: done, fromRequest: done - sent };
  });
}

async function addToPanel(popup: Page, panel: Page, title: string): Promise<number> {
  const seen = panel.evaluate(
    (t) =>
      new Promise<number>((resolve) => {
        const list = document.querySelector('ul[aria-label="Todos"]') ?? document.body;
        const check = () => [...list.querySelectorAll('li')].some((li) => li.textContent?.includes(t));
        const obs = new MutationObserver(() => {
          if (check()) {
            obs.disconnect();
            resolve(performance.timeOrigin + performance.now());
          }
        });
        obs.observe(list, { childList: true, subtree: true, characterData: true });
      }),
    title,
  );
  // Give the observer time to attach before the add starts (evaluate resolves only on its result).
  await panel.evaluate(() => 0);
  const start = await popup.evaluate((t) => {
    const box = document.querySelector<HTMLInputElement>('input[type="text"]');
    if (!box) throw new Error('no input');
    box.value = t;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    const t0 = performance.timeOrigin + performance.now();
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    return t0;
  }, title);
  return (await seen) - start;
}

async function main() {
  console.log(
    `machine: ${os.cpus().length}× ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}`,
  );

  const cold: { fromNavigation: number; fromRequest: number }[] = [];
  for (let i = 0; i < COLD; i++) cold.push(await coldStart());
  console.log(
    `cold start, popup navigation → first query answered: ${fmt(cold.map((c) => c.fromNavigation))}`,
  );
  console.log(
    `cold start, first request sent → answered (offscreen + worker + WASM + open): ${fmt(cold.map((c) => c.fromRequest))}`,
  );

  await withProfile(async (ctx) => {
    const panel = await openSidePanel(ctx);
    const popup = await openPopup(ctx);
    await markTime(panel, 'tt:list-painted');
    const small: number[] = [];
    for (let i = 0; i < ADDS; i++) small.push(await addToPanel(popup, panel, `bench small ${i}`));
    console.log(`popup add → visible in open side panel (≤ ${ADDS} todos): ${fmt(small)}`);

    await sendRequest(panel, { kind: 'dev.seed', count: 10_000 });
    await panel.reload();
    await markTime(panel, 'tt:list-painted');
    const big: number[] = [];
    for (let i = 0; i < ADDS; i++) big.push(await addToPanel(popup, panel, `bench big ${i}`));
    console.log(`popup add → visible in open side panel (10,000+ todos): ${fmt(big)}`);

    const paints: number[] = [];
    for (let i = 0; i < PAINTS; i++) {
      // The database is open and warm (the panel above already queried it).
      const p = await openSidePanel(ctx);
      paints.push(await markTime(p, 'tt:list-painted'));
      await p.close();
    }
    console.log(
      `side panel first paint with 10,000 todos, DB ready (navigation → list painted): ${fmt(paints)}`,
    );
  });
}

await main();
