/**
 * Start and stop the relay (`wrangler dev` on workerd) from Node: tests, benchmarks, Playwright.
 *
 *   import { startRelay } from '../scripts/relay-process.mjs';
 *   const relay = await startRelay();          // free port on 127.0.0.1, waits for GET /health
 *   new PartySocket({ host: relay.host, party: 'relay', room: sessionId, id: deviceId });
 *   await relay.stop();                        // kills wrangler and workerd (process group), removes temp state
 *
 * Options: `port` (default: a free port), `vars` (wrangler vars to override, e.g. { RELAY_MAX_DEVICES: '3' }),
 * `timeoutMs` (start budget, default 60 s), `log` (a function that receives wrangler's output lines,
 * default: kept in memory and printed only if the start fails), `assetsDir` (serve static assets from this
 * directory instead of relay/public: wrangler reloads the Worker, dropping every socket, whenever a watched
 * assets file changes, so a long benchmark points it at a directory nobody rebuilds).
 * Returns { url: 'http://127.0.0.1:PORT', host: '127.0.0.1:PORT', port, pid, inspectorPort, stop() }.
 * `inspectorPort` is wrangler's DevTools proxy to the Worker's isolate (GET /json, then a WebSocket with an
 * `Origin: http://localhost` header); tests/bench/relay.bench.mjs reads the relay's heap through it.
 *
 * Each call uses its own `--persist-to` temp directory, so no state leaks between runs, and picks a free
 * inspector port, so several relays (and several engineers) can run side by side.
 * Telemetry and the cf-fetch are off (see PLATFORM-NOTES.md): no login and no network are needed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RELAY_CONFIG = join(root, 'relay', 'wrangler.jsonc');
const PUBLIC_DIR = join(root, 'relay', 'public');
const WRANGLER = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Todo-Tasker relay</title></head>
<body><p>Todo-Tasker relay. The phone companion has not been built into relay/public yet.</p></body></html>
`;

/** relay/public is gitignored and filled by a later build; the Worker refuses to start without it. */
export function ensurePublicDir() {
  if (!existsSync(PUBLIC_DIR)) mkdirSync(PUBLIC_DIR, { recursive: true });
  const index = join(PUBLIC_DIR, 'index.html');
  if (!existsSync(index)) writeFileSync(index, PLACEHOLDER);
  return PUBLIC_DIR;
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export function wranglerEnv() {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_COLOR: '1',
  };
}

/**
 * Vars every local relay gets: the phone app is served from http://127.0.0.1:<port> (or localhost), so
 * loopback origins are allowed here; a deployed relay allows only its RELAY_PUBLIC_ORIGIN.
 */
export const DEV_VARS = { RELAY_LOOPBACK_ORIGINS: 'true' };

/** Arguments for `wrangler dev`; scripts/relay.mjs uses the same ones. */
export function devArgs({ port, inspectorPort, persistTo, vars = {}, assetsDir }) {
  const args = [WRANGLER, 'dev', '--config', RELAY_CONFIG, '--ip', '127.0.0.1', '--port', String(port)];
  args.push('--inspector-port', String(inspectorPort), '--persist-to', persistTo);
  // Another static-assets directory than relay/public (the rest of the `assets` config stays).
  if (assetsDir !== undefined) args.push('--assets', assetsDir);
  args.push('--show-interactive-dev-session=false', '--live-reload=false');
  for (const [key, value] of Object.entries({ ...DEV_VARS, ...vars })) args.push('--var', `${key}:${value}`);
  return args;
}

async function waitForHealth(url, child, deadline) {
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error('wrangler dev exited before the relay was healthy');
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('relay did not become healthy in time');
}

function killGroup(child, signal) {
  try {
    // Negative pid: the whole group, so workerd (wrangler's child) goes too.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * What the relay's Durable Objects hold on disk now: every row of their key-value storage and of any
 * table of their own, per object, read from workerd's state directory (`--persist-to`). workerd's
 * and miniflare's own bookkeeping (`_cf_METADATA`, `__miniflare_do_name`) and SQLite's are left out. `objects` lists the objects'
 * database files found, so a test can see it looked somewhere; the relay promises `rows` is `[]`.
 */
async function storedIn(persistTo) {
  // Loaded here: only tests that look at storage pay for node:sqlite (and its experimental warning).
  const { DatabaseSync } = await import('node:sqlite');
  const rows = [];
  const objects = [];
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.sqlite') ? [join(dir, e.name)] : [],
    );
  // Durable Objects only (v3/do/<worker>-<class>/<id>.sqlite): the dev server's own trace store
  // (v3/observability) is wrangler's logging of this machine, not the relay's.
  const doDir = join(persistTo, 'v3', 'do');
  for (const file of existsSync(doDir) ? walk(doDir) : []) {
    const object = file.slice(doDir.length + 1);
    objects.push(object);
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all()
        .map((r) => String(r.name))
        .filter((t) => t !== '_cf_METADATA' && t !== '__miniflare_do_name');
      for (const table of tables) {
        const { n } = db.prepare(`SELECT count(*) AS n FROM "${table.replaceAll('"', '""')}"`).get();
        if (Number(n) === 0) continue;
        // The storage API's keys say what was kept (its values could be anything; not read).
        const keys =
          table === '_cf_KV'
            ? db
                .prepare('SELECT key FROM _cf_KV LIMIT 5')
                .all()
                .map((r) => String(r.key))
            : [];
        rows.push({ object, table, rows: Number(n), keys });
      }
    } finally {
      db.close();
    }
  }
  return { objects, rows };
}

export async function startRelay({ port, vars, timeoutMs = 60_000, log, assetsDir } = {}) {
  ensurePublicDir();
  const listenPort = port ?? (await freePort());
  const inspectorPort = await freePort();
  const persistTo = mkdtempSync(join(tmpdir(), 'relay-state-'));
  const output = [];
  const sink = log ?? ((line) => output.push(line));
  const child = spawn(
    process.execPath,
    devArgs({ port: listenPort, inspectorPort, persistTo, vars, assetsDir }),
    {
      cwd: root,
      env: wranglerEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const forward = (chunk) => {
    for (const line of String(chunk).split('\n')) if (line.trim()) sink(line);
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const exited = new Promise((r) => child.once('exit', r));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    killGroup(child, 'SIGKILL'); // workerd can outlive wrangler; the group kill is idempotent.
    rmSync(persistTo, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${listenPort}`;
  try {
    await waitForHealth(url, child, Date.now() + timeoutMs);
  } catch (error) {
    await stop();
    const tail = output.slice(-40).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail}`, { cause: error });
  }
  return {
    url,
    host: `127.0.0.1:${listenPort}`,
    port: listenPort,
    pid: child.pid,
    inspectorPort,
    stop,
    stored: () => storedIn(persistTo),
  };
}
