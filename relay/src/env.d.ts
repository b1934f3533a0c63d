/** Bindings and vars from relay/wrangler.jsonc. Vars arrive as strings; limits.ts and origin.ts parse them. */
interface RelayEnv {
  Relay: DurableObjectNamespace<import('./relay-server').Relay>;
  Circle: DurableObjectNamespace<import('./relay-server').Circle>;
  ASSETS?: Fetcher;
  ALLOWED_ORIGINS?: string;
  RELAY_PUBLIC_ORIGIN?: string;
  RELAY_LOOPBACK_ORIGINS?: string;
  RELAY_MAX_DEVICES?: string;
  RELAY_SESSION_TTL_MS?: string;
  RELAY_RATE_PER_SEC?: string;
  RELAY_RATE_BURST?: string;
  RELAY_BYTES_PER_SEC?: string;
  RELAY_BYTE_BURST?: string;
  RELAY_STRIKE_BURST?: string;
  RELAY_STRIKES_PER_SEC?: string;
  RELAY_OUTPUT_CAP_BYTES?: string;
  RELAY_LIVE_WINDOW_MS?: string;
  RELAY_MAX_FRAME_BYTES?: string;
}

declare namespace Cloudflare {
  // Declaration merging needs an interface here; a type alias cannot extend the runtime's Env.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Env extends RelayEnv {}
  interface GlobalProps {
    mainModule: typeof import('./index');
    durableNamespaces: 'Relay' | 'Circle';
  }
}
