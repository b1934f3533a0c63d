import { routePartykitRequest } from 'partyserver';
import { PROTOCOL_VERSION, UUID_RE } from '../../lib/protocol/envelope';
import { isOriginAllowed, parseAllowedOrigins } from './origin';

export { Relay } from './relay-server';

const UUID = UUID_RE;

function refuse(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * Everything that can be refused is refused here, before a Durable Object is named: a bad session
 * id must not create an object, and a foreign web page must not reach one.
 */
async function routeSession(request: Request, env: Cloudflare.Env): Promise<Response> {
  const url = new URL(request.url);
  const parts = url.pathname.split('/').filter(Boolean);
  const room = parts[2];
  if (parts.length !== 3 || parts[1] !== 'relay' || room === undefined) return refuse(404, 'no such party');
  if (!UUID.test(room)) return refuse(400, 'session id must be a lowercase UUID');
  if (!UUID.test(url.searchParams.get('_pk') ?? ''))
    return refuse(400, 'device id (_pk) must be a lowercase UUID');
  if (!isOriginAllowed(request.headers.get('Origin'), url.origin, parseAllowedOrigins(env.ALLOWED_ORIGINS))) {
    return refuse(403, 'origin not allowed');
  }
  if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket')
    return refuse(426, 'WebSocket upgrade required');
  return (await routePartykitRequest(request, env)) ?? refuse(404, 'no such party');
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/health') {
      return Response.json({ ok: true, service: 'todo-tasker-relay', protocol: PROTOCOL_VERSION });
    }
    if (url.pathname.startsWith('/parties/')) return routeSession(request, env);
    return env.ASSETS ? env.ASSETS.fetch(request) : refuse(404, 'not found');
  },
} satisfies ExportedHandler<Cloudflare.Env>;
