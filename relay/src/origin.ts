/**
 * Browsers always send Origin on a WebSocket upgrade, so a web page elsewhere cannot open a relay
 * socket. A request without Origin comes from a non-browser client (Node, a native app), which could
 * forge any Origin anyway: refusing it would add no protection, so it is allowed.
 */
export function parseAllowedOrigins(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

export function isOriginAllowed(origin: string | null, ownOrigin: string, allowed: string[]): boolean {
  if (origin === null) return true;
  if (origin === ownOrigin) return true;
  return allowed.some((entry) => {
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
