/**
 * Headers on everything the relay serves: the phone app's files, /health, refusals.
 *
 * The phone app (relay/app, built into relay/public) loads only its own files: one module script and
 * stylesheets from /assets (no inline script or style in the built HTML; Svelte sets styles through
 * the CSSOM, which CSP allows), module workers from its own origin (the database worker and SQLite's
 * OPFS proxy), SQLite's .wasm fetched and compiled ('wasm-unsafe-eval'), the QR code as a data: PNG,
 * and a WebSocket to its own origin. `connect-src` names ws(s) of the same host as well as 'self'
 * because older Safari does not let 'self' match a WebSocket URL. The camera stream is a MediaStream
 * in `srcObject`, which CSP does not govern.
 */
export function securityHeaders(requestUrl: URL): Record<string, string> {
  const socketOrigin = `${requestUrl.protocol === 'https:' ? 'wss:' : 'ws:'}//${requestUrl.host}`;
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src 'self' ${socketOrigin}`,
      "worker-src 'self'",
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  };
}

/** The same response with the security headers set; a WebSocket upgrade (101) passes unchanged. */
export function withSecurityHeaders(response: Response, requestUrl: URL): Response {
  if (response.status === 101 || response.webSocket) return response;
  const headed = new Response(response.body, response);
  for (const [name, value] of Object.entries(securityHeaders(requestUrl))) headed.headers.set(name, value);
  return headed;
}
