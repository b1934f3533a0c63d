/**
 * Service worker: keeps this build's app shell (HTML, JS, CSS, WASM, icons) so the app opens and
 * works with no network. It never touches the relay's own endpoints: sync frames and health checks
 * must fail visibly offline rather than be answered from a cache.
 */
import { z } from 'zod';

/** The parts of the service worker scope used here (the DOM lib has no ServiceWorkerGlobalScope). */
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface SwScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
}

// The DOM lib types `self` as Window; in this file it is the service worker scope.
const scope = self as unknown as SwScope;
let current: string | null = null;
const PREFIX = 'tt-shell-';
const precacheSchema = z.object({
  version: z.string().regex(/^[0-9a-f]{8,64}$/),
  urls: z.array(z.string().startsWith('/')).max(500),
});

/** Paths the relay Worker answers itself; see relay/wrangler.jsonc `run_worker_first`. */
export const isRelayEndpoint = (path: string): boolean => path === '/health' || path.startsWith('/parties/');

async function install() {
  const res = await fetch('/precache.json', { cache: 'no-store' });
  const parsed = precacheSchema.safeParse(await res.json());
  if (!parsed.success) throw new Error('precache.json does not describe an app shell');
  const cache = await caches.open(PREFIX + parsed.data.version);
  // `reload` skips the HTTP cache, so a new version never stores a stale file from the old one.
  await cache.addAll(parsed.data.urls.map((u) => new Request(u, { cache: 'reload' })));
  current = PREFIX + parsed.data.version;
}

/** Old shells go only once this worker is active, so a page still run by the old one keeps its files. */
async function dropOldShells() {
  if (current === null) return; // restarted between install and activate: keep everything this time
  const old = (await caches.keys()).filter((k) => k.startsWith(PREFIX) && k !== current);
  await Promise.all(old.map((k) => caches.delete(k)));
}

async function fromShell(request: Request): Promise<Response> {
  if (request.mode === 'navigate') {
    // Online: the relay's current page (its SPA fallback covers /p and /pair). Offline: the cached shell.
    try {
      return await fetch(request);
    } catch (e) {
      const shell = await caches.match('/');
      if (shell) return shell;
      throw e;
    }
  }
  return (await caches.match(request)) ?? fetch(request);
}

scope.addEventListener('install', (e) => {
  e.waitUntil(install().then(() => scope.skipWaiting()));
});
scope.addEventListener('activate', (e) => {
  e.waitUntil(dropOldShells().then(() => scope.clients.claim()));
});
scope.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== scope.location.origin || isRelayEndpoint(url.pathname))
    return;
  e.respondWith(fromShell(e.request));
});
