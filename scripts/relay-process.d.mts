/** Types for scripts/relay-process.mjs (see the documentation at the top of that file). */
export type RelayProcess = {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, the `host` option of PartySocket. */
  host: string;
  port: number;
  /** wrangler's pid, also its process group id. */
  pid: number;
  /** Kills wrangler and workerd and removes the temp state directory. Safe to call twice. */
  stop(): Promise<void>;
  /** The relay's Durable Objects' database files on disk now, and the rows they hold (`[]` when nothing). */
  stored(): Promise<{
    objects: string[];
    rows: { object: string; table: string; rows: number; keys: string[] }[];
  }>;
};

export type StartRelayOptions = {
  port?: number;
  vars?: Record<string, string>;
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Serve static assets from this directory instead of relay/public. */
  assetsDir?: string;
};

export const RELAY_CONFIG: string;
/** Vars every local relay gets (loopback origins allowed). */
export const DEV_VARS: Record<string, string>;
export function startRelay(options?: StartRelayOptions): Promise<RelayProcess>;
export function ensurePublicDir(): string;
export function freePort(): Promise<number>;
export function wranglerEnv(): NodeJS.ProcessEnv;
export function devArgs(options: {
  port: number;
  inspectorPort: number;
  persistTo: string;
  vars?: Record<string, string>;
  assetsDir?: string;
}): string[];
