import { routePartykitRequest } from 'partyserver';
import { PROTOCOL_VERSION, UUID_RE } from '../../lib/protocol/envelope';
import { isOriginAllowed, readOriginPolicy } from './origin';
import { withSecurityHeaders } from './security-headers';
import { logRelayError } from './session-log';

export { Circle, Relay } from './relay-server';

const UUID = UUID_RE;

function refuse(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * Everything that can be refused is refused here, before a Durable Object is named: a bad session
 * id must not create an object, and a foreign web page must not reach one.
 */
async function routeSession(request: Request, env: Cloudflare.Env, url: URL): Promise<Response> {
  const parts = url.pathname.split('/').filter(Boolean);
  const room = parts[2];
  const party = parts[1];
  if (parts.length !== 3 || (party !== 'relay' && party !== 'circle') || room === undefined)
    return refuse(404, 'no such party');
  if (!UUID.test(room)) return refuse(400, 'session id must be a lowercase UUID');
  if (!UUID.test(url.searchParams.get('_pk') ?? ''))
    return refuse(400, 'device id (_pk) must be a lowercase UUID');
  if (!isOriginAllowed(request.headers.get('Origin'), readOriginPolicy(env))) {
    return refuse(403, 'origin not allowed');
  }
  if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket')
    return refuse(426, 'WebSocket upgrade required');
  return (await routePartykitRequest(request, env)) ?? refuse(404, 'no such party');
}

async function route(request: Request, env: Cloudflare.Env, url: URL): Promise<Response> {
  if (url.pathname === '/health') {
    return Response.json({ ok: true, service: 'todo-tasker-relay', protocol: PROTOCOL_VERSION });
  }
  if (url.pathname.startsWith('/parties/')) return routeSession(request, env, url);
  return env.ASSETS ? env.ASSETS.fetch(request) : refuse(404, 'not found');
}

export default {
  /**
   * Every path runs this Worker first (`run_worker_first: true`), so the phone app's files get the
   * same security headers as /health and the refusals. An exception is answered here rather than left
   * to the runtime, whose report (and wrangler dev's) would carry the URL with the session and device.
   */
  async fetch(request, env) {
    const url = new URL(request.url);
    let response: Response;
    try {
      response = await route(request, env, url);
    } catch (error) {
      logRelayError('worker', error);
      response = refuse(500, 'relay error');
    }
    return withSecurityHeaders(response, url);
  },
} satisfies ExportedHandler<Cloudflare.Env>;
