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

const TOGGLES = Number(process.env.BENCH_TOGGLES ?? 10);

/** Seeds `count` todos through the dev seeder, 10,000 a request (as the scale e2e does). */
async function seed(panel: Page, count: number): Promise<void> {
  for (let left = count; left > 0; left -= 10_000)
    await sendRequest(panel, { kind: 'dev.seed', count: Math.min(10_000, left) });
}

/** Clicks the checkbox of the row at `posinset` (1-based) and times it until the row shows the change and a frame is drawn. */
function timeToggle(panel: Page, posinset: number): Promise<number> {
  return panel.evaluate(
    (pos) =>
      new Promise<number>((resolve) => {
        const li = document.querySelector<HTMLLIElement>(
          `ul[aria-label="Todos"] > li[aria-posinset="${pos}"]`,
        )!;
        const was = li.classList.contains('done');
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (li.classList.contains('done') !== was) {
            obs.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - t0));
          }
        });
        obs.observe(li, { attributes: true });
        li.querySelector<HTMLInputElement>('input[type="checkbox"]')!.click();
      }),
    posinset,
  );
}

/**
 * Toggle → painted in the virtual list over COUNT todos (issue 12's Measure): seeds them, then times
 * TOGGLES clicks on the first row's checkbox, and TOGGLES on the last row's after one jump to the
 * end; the clock runs in the page from the click until the row's `done` class flips and the next
 * frame is drawn (a MutationObserver). A toggle patches the row in place (completed todos sink only
 * on the next load), so this is one write, one todos.get and one count.
 */
async function toggleBench(count: number): Promise<void> {
  await withProfile(async (ctx) => {
    const panel = await openSidePanel(ctx);
    await markTime(panel, 'tt:list-painted');
    await seed(panel, count);
    await panel.reload();
    await markTime(panel, 'tt:list-painted');
    const nodes = await panel.evaluate(() => document.getElementsByTagName('*').length);
    const top: number[] = [];
    for (let i = 0; i < TOGGLES; i++) top.push(await timeToggle(panel, 1));
    await panel.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await panel.waitForFunction(
      (n) => document.querySelector(`ul[aria-label="Todos"] > li[aria-posinset="${n}"] input`) !== null,
      count,
      { timeout: 120_000 },
    );
    const end: number[] = [];
    for (let i = 0; i < TOGGLES; i++) end.push(await timeToggle(panel, count));
    const label = count.toLocaleString('en');
    console.log(`toggle → row painted, ${label} todos, first row (${nodes} DOM elements): ${fmt(top)}`);
    console.log(`toggle → row painted, ${label} todos, last row after one jump to the end: ${fmt(end)}`);
  });
}

const SCROLL_FRAMES = Number(process.env.BENCH_SCROLL_FRAMES ?? 400);

/**
 * A long list scrolled (issue 12.4), on any build: seeds BENCH_SCROLL_COUNT (10,000) todos, makes the whole list
 * reachable (scrolls to the end until the 10,000th row is in the DOM: every page loaded on a build
 * without a virtual list, one jump on a build with one), counting the `todos.page` requests that
 * took; then from the top scrolls 40 px per frame for SCROLL_FRAMES frames and reports the time
 * between frames (requestAnimationFrame deltas) and the DOM element count.
 */
async function scrollBench(count: number): Promise<void> {
  await withProfile(async (ctx) => {
    const panel = await openSidePanel(ctx);
    await markTime(panel, 'tt:list-painted');
    await seed(panel, count);
    await panel.reload();
    await markTime(panel, 'tt:list-painted');
    await panel.evaluate(() => {
      const w = window as unknown as { ttPages: number };
      w.ttPages = 0;
      const send = chrome.runtime.sendMessage.bind(chrome.runtime);
      chrome.runtime.sendMessage = ((msg: { request?: { kind?: string } }) => {
        if (msg?.request?.kind === 'todos.page') w.ttPages++;
        return send(msg);
      }) as typeof chrome.runtime.sendMessage;
    });
    const t0 = Date.now();
    // Bounded: each round scrolls to the end once and waits for something new. (The check is
    // written out twice: the page's CSP forbids building it from text.)
    for (let i = 0; i < 300; i++) {
      const s = await panel.evaluate((total) => {
        window.scrollTo(0, document.documentElement.scrollHeight);
        const n = document.querySelectorAll('ul[aria-label="Todos"] > li').length;
        const last = document.querySelector(`ul[aria-label="Todos"] > li[aria-posinset="${total}"]`);
        return { n, end: n >= total || last !== null };
      }, count);
      if (s.end) break;
      await panel.waitForFunction(
        ([k, total]) =>
          document.querySelectorAll('ul[aria-label="Todos"] > li').length > k ||
          document.querySelector(`ul[aria-label="Todos"] > li[aria-posinset="${total}"]`) !== null,
        [s.n, count] as const,
        { timeout: 120_000 },
      );
    }
    const reachMs = Date.now() - t0;
    const pages = await panel.evaluate(() => (window as unknown as { ttPages: number }).ttPages);
    await panel.evaluate(() => window.scrollTo(0, 0));
    const nodesTop = await panel.evaluate(() => document.getElementsByTagName('*').length);
    const deltas = await panel.evaluate(
      (frames) =>
        new Promise<number[]>((resolve) => {
          const out: number[] = [];
          let last = 0;
          const step = (t: number) => {
            out.push(t - last);
            last = t;
            window.scrollBy(0, 40);
            if (out.length < frames) requestAnimationFrame(step);
            else resolve(out);
          };
          requestAnimationFrame((t) => {
            last = t;
            requestAnimationFrame(step);
          });
        }),
      SCROLL_FRAMES,
    );
    const nodesScrolled = await panel.evaluate(() => document.getElementsByTagName('*').length);
    console.log(
      `reach the end of ${count.toLocaleString('en')} todos: ${pages} todos.page requests, ${reachMs} ms; DOM elements ${nodesTop} at the top, ${nodesScrolled} after scrolling`,
    );
    console.log(`scroll 40 px per frame, ${count.toLocaleString('en')} todos, frame time: ${fmt(deltas)}`);
  });
}

/**
 * Popup open → its Today view (overdue + today lists) painted (issue 12), with the database warm:
 * an empty list, then 10,000 seeded todos (a quarter dated over -10…+49 days: ≈ 420 overdue and
 * ≈ 40 due today, of which the popup shows 20 each).
 */
async function popupTodayBench(): Promise<void> {
  await withProfile(async (ctx) => {
    const panel = await openSidePanel(ctx);
    await markTime(panel, 'tt:list-painted');
    const run = async (label: string) => {
      const xs: number[] = [];
      for (let i = 0; i < PAINTS; i++) {
        const popup = await openPopup(ctx);
        xs.push(await markTime(popup, 'tt:today-painted'));
        await popup.close();
      }
      console.log(`popup navigation → Today view painted (${label}, DB warm): ${fmt(xs)}`);
    };
    await run('empty list');
    await sendRequest(panel, { kind: 'dev.seed', count: 10_000 });
    await run('10,000 todos');
  });
}

/** BENCH_TOGGLE_COUNTS: comma-separated list sizes, 10,000 and 100,000 unless told. */
async function toggleBenches(): Promise<void> {
  const counts = (process.env.BENCH_TOGGLE_COUNTS ?? '10000,100000').split(',').map(Number);
  for (const n of counts) await toggleBench(n);
}

async function main() {
  if (process.env.BENCH_ONLY === 'toggle') return toggleBenches();
  if (process.env.BENCH_ONLY === 'popup') return popupTodayBench();
  if (process.env.BENCH_ONLY === 'scroll')
    return scrollBench(Number(process.env.BENCH_SCROLL_COUNT ?? 10_000));
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
  await toggleBenches();
  await scrollBench(Number(process.env.BENCH_SCROLL_COUNT ?? 10_000));
  await popupTodayBench();
}

await main();
