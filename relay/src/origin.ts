/**
 * Which browser origins may open a relay socket: an explicit allow-list, never derived from the request.
 * The Host header (and so `new URL(request.url).origin`) is whatever the client says: a page on
 * `evil.example` whose name it points at a relay's address (DNS rebinding) sends a matching Host and
 * Origin, so "Origin equals our own origin" would let it in. The relay's own origin is therefore
 * configured (RELAY_PUBLIC_ORIGIN), not inferred.
 *
 * A request without Origin is allowed: browsers always send it on a WebSocket upgrade, so a web page
 * cannot omit it; only non-browser clients (Node, native apps) do, and those could forge any Origin
 * anyway, so refusing them would protect nothing.
 */
export type OriginPolicy = {
  /** Exact origins, or a scheme wildcard `scheme://*` (Firefox gives every install a random host). */
  allowed: string[];
  /** The relay's own public origin, where it serves the phone app; null when not configured. */
  publicOrigin: string | null;
  /** Local development: `http(s)://127.0.0.1|localhost|[::1]` on any port. */
  loopback: boolean;
};

export function parseAllowedOrigins(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** An http(s) origin without path, or null: a malformed value must not turn into "allow anything". */
export function parsePublicOrigin(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

export function readOriginPolicy(env: Partial<RelayEnv>): OriginPolicy {
  return {
    allowed: parseAllowedOrigins(env.ALLOWED_ORIGINS),
    publicOrigin: parsePublicOrigin(env.RELAY_PUBLIC_ORIGIN),
    loopback: env.RELAY_LOOPBACK_ORIGINS === 'true',
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      LOOPBACK_HOSTS.has(url.hostname) &&
      url.origin === origin
    );
  } catch {
    return false;
  }
}

export function isOriginAllowed(origin: string | null, policy: OriginPolicy): boolean {
  if (origin === null) return true;
  if (policy.publicOrigin !== null && origin === policy.publicOrigin) return true;
  if (policy.loopback && isLoopbackOrigin(origin)) return true;
  return policy.allowed.some((entry) => {
    // `moz-extension://*` allows the scheme with any host; nothing else is a pattern.
    if (entry.endsWith('://*')) {
      const scheme = entry.slice(0, -1);
      return (
        origin.startsWith(scheme) && origin.length > scheme.length && !origin.includes('/', scheme.length)
      );
    }
    return origin === entry;
  });
}
