/** Bindings and vars from relay/wrangler.jsonc. Vars arrive as strings; limits.ts parses them. */
interface RelayEnv {
  Relay: DurableObjectNamespace<import('./relay-server').Relay>;
  ASSETS?: Fetcher;
  ALLOWED_ORIGINS?: string;
  RELAY_MAX_DEVICES?: string;
  RELAY_SESSION_TTL_MS?: string;
  RELAY_RATE_PER_SEC?: string;
  RELAY_RATE_BURST?: string;
  RELAY_MAX_FRAME_BYTES?: string;
}

declare namespace Cloudflare {
  // Declaration merging needs an interface here; a type alias cannot extend the runtime's Env.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Env extends RelayEnv {}
  interface GlobalProps {
    mainModule: typeof import('./index');
    durableNamespaces: 'Relay';
  }
}
