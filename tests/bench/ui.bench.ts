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

const TOGGLE_LOADED = Number(process.env.BENCH_TOGGLE_LOADED ?? 2000);
const TOGGLES = Number(process.env.BENCH_TOGGLES ?? 10);

/**
 * Toggle → painted with many rows loaded (issue 12.4): seeds 10,000 todos, scrolls the side panel
 * until TOGGLE_LOADED rows are in the list, then times a click on the first row's checkbox until
 * its row shows as done (or not done), read by a MutationObserver.
 */
async function toggleBench(): Promise<void> {
  await withProfile(async (ctx) => {
    const panel = await openSidePanel(ctx);
    await markTime(panel, 'tt:list-painted');
    await sendRequest(panel, { kind: 'dev.seed', count: 10_000 });
    await panel.reload();
    await markTime(panel, 'tt:list-painted');
    // Bounded: each round scrolls to the end once. A virtual list (rows carry aria-setsize) has
    // every row in place and only those on screen in the DOM: nothing to load, so no loop.
    const virtual = await panel.evaluate(
      () => document.querySelector('ul[aria-label="Todos"] > li[aria-setsize]') !== null,
    );
    for (let i = 0; i < 200 && !virtual; i++) {
      const n = await panel.evaluate(() => {
        window.scrollTo(0, document.body.scrollHeight);
        return document.querySelectorAll('ul[aria-label="Todos"] > li').length;
      });
      if (n >= TOGGLE_LOADED) break;
      await panel.waitForFunction(
        (k) => document.querySelectorAll('ul[aria-label="Todos"] > li').length > k,
        n,
      );
    }
    const loaded = await panel.evaluate(
      () => document.querySelectorAll('ul[aria-label="Todos"] > li').length,
    );
    const nodes = await panel.evaluate(() => document.getElementsByTagName('*').length);
    const times: number[] = [];
    for (let i = 0; i < TOGGLES; i++)
      times.push(
        await panel.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const li = document.querySelector<HTMLLIElement>('ul[aria-label="Todos"] > li')!;
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
        ),
      );
    console.log(
      virtual
        ? `toggle → row painted, virtual list over 10,000 (${loaded} rows in the DOM, ${nodes} DOM elements): ${fmt(times)}`
        : `toggle → row painted, ${loaded} rows loaded of 10,000 (${nodes} DOM elements): ${fmt(times)}`,
    );
  });
}

const SCROLL_FRAMES = Number(process.env.BENCH_SCROLL_FRAMES ?? 400);

/**
 * A long list scrolled (issue 12.4), on any build: seeds 10,000 todos, makes the whole list
 * reachable (scrolls to the end until the 10,000th row is in the DOM: every page loaded on a build
 * without a virtual list, one jump on a build with one), counting the `todos.page` requests that
 * took; then from the top scrolls 40 px per frame for SCROLL_FRAMES frames and reports the time
 * between frames (requestAnimationFrame deltas) and the DOM element count.
 */
async function scrollBench(): Promise<void> {
  await withProfile(async (ctx) => {
    const panel = await openSidePanel(ctx);
    await markTime(panel, 'tt:list-painted');
    await sendRequest(panel, { kind: 'dev.seed', count: 10_000 });
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
      const s = await panel.evaluate(() => {
        window.scrollTo(0, document.documentElement.scrollHeight);
        const n = document.querySelectorAll('ul[aria-label="Todos"] > li').length;
        const last = document.querySelector('ul[aria-label="Todos"] > li[aria-posinset="10000"]');
        return { n, end: n >= 10_000 || last !== null };
      });
      if (s.end) break;
      await panel.waitForFunction(
        (k) =>
          document.querySelectorAll('ul[aria-label="Todos"] > li').length > k ||
          document.querySelector('ul[aria-label="Todos"] > li[aria-posinset="10000"]') !== null,
        s.n,
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
      `reach the end of 10,000 todos: ${pages} todos.page requests, ${reachMs} ms; DOM elements ${nodesTop} at the top, ${nodesScrolled} after scrolling`,
    );
    console.log(`scroll 40 px per frame, frame time: ${fmt(deltas)}`);
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

async function main() {
  if (process.env.BENCH_ONLY === 'toggle') return toggleBench();
  if (process.env.BENCH_ONLY === 'popup') return popupTodayBench();
  if (process.env.BENCH_ONLY === 'scroll') return scrollBench();
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
  await toggleBench();
  await scrollBench();
  await popupTodayBench();
}

await main();
