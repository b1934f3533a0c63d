/**
 * What the relay prints (issue 9: "nothing that identifies a device is logged"). A relay of its own,
 * since the shared one keeps its output to itself: everything `wrangler dev` prints is collected, the
 * relay's JSON lines and wrangler's own request lines, while a session goes through what the relay
 * logs about (a start, frames, a refused takeover, a socket closed for refused frames, refused
 * upgrades, an end). No line may hold a device id or the `_pk` query that carries it, and the relay's
 * own lines hold no session id either. wrangler dev's request lines show the path, which holds the
 * session id; a deployed relay has no such lines (invocation logs off, checked below).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_CLOSE, RELAY_LIMITS } from '../../lib/protocol/envelope';
import { startRelay } from '../../scripts/relay-process.mjs';
import { createDevice, envelope, waitFor } from './client';
import { rawUpgrade } from './raw-socket';

const lines: string[] = [];
const listeners = new Set<() => void>();
let relay: Awaited<ReturnType<typeof startRelay>>;

beforeAll(async () => {
  relay = await startRelay({
    log: (line: string) => {
      lines.push(line);
      for (const listener of [...listeners]) listener();
    },
  });
});
afterAll(() => relay?.stop());

function printed(what: string, predicate: () => boolean): Promise<void> {
  return waitFor(
    what,
    (check) => {
      listeners.add(check);
      return () => listeners.delete(check);
    },
    predicate,
    30_000,
  );
}

/** Node's WebSocket: opens, or closes with a code, and never reconnects. */
function nodeSocket(room: string, id: string): { ws: WebSocket; closed: Promise<number> } {
  const ws = new WebSocket(`ws://${relay.host}/parties/relay/${room}?_pk=${id}`);
  const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));
  return { ws, closed };
}

/** The relay's own lines: one JSON object per line (session-log.ts). */
const relayLines = (): Record<string, unknown>[] =>
  lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

/** Each event the relay logs, with exactly these fields. */
const FIELDS: Record<string, string[]> = {
  session_start: ['event'],
  session_end: ['bytes', 'devices', 'durationMs', 'event', 'frames', 'reason'],
  socket_closed: ['event', 'reason'],
  relay_error: ['event', 'kind', 'where'],
};

describe('relay logs', () => {
  it('print no device id, no _pk query and, in its own lines, no session id', async () => {
    const room = crypto.randomUUID();
    const [a, b, flooder, refused] = Array.from({ length: 4 }, () => crypto.randomUUID());
    const ids = [a!, b!, flooder!, refused!];
    const started = lines.length;

    // Two devices exchange a frame.
    const deviceA = createDevice(room, a, { host: relay.host });
    const deviceB = createDevice(room, b, { host: relay.host });
    await Promise.all([deviceA.opened(), deviceB.opened()]);
    deviceA.socket.send(envelope(a!));
    await deviceB.receivedAtLeast(1);

    // A newcomer with A's id is refused while A is live.
    const takeover = nodeSocket(room, a!);
    expect(await takeover.closed).toBe(RELAY_CLOSE.DEVICE_IN_USE);

    // A device that keeps sending refused frames is closed (and the relay logs why).
    const flood = nodeSocket(room, flooder!);
    await new Promise((resolve) => flood.ws.addEventListener('open', resolve, { once: true }));
    for (let i = 0; i < 2 * RELAY_LIMITS.strikeBurst; i++) flood.ws.send('not a frame');
    expect(await flood.closed).toBe(RELAY_CLOSE.TOO_MANY_ERRORS);

    // Upgrades refused before a session object is named: a foreign origin, a device id in capitals.
    const foreign = await rawUpgrade(relay.port, `/parties/relay/${room}?_pk=${refused}`, {
      Origin: 'https://evil.example',
    });
    foreign.socket.destroy();
    expect(foreign.status).toBe(403);
    const capitals = await rawUpgrade(relay.port, `/parties/relay/${room}?_pk=${refused!.toUpperCase()}`);
    capitals.socket.destroy();
    expect(capitals.status).toBe(400);

    deviceA.close();
    deviceB.close();
    await printed('session_end', () => relayLines().some((l) => l.event === 'session_end'));

    const session = lines.slice(started);
    // The relay did log this session, so the checks below look at real output.
    expect(relayLines().map((l) => l.event)).toEqual(
      expect.arrayContaining(['session_start', 'socket_closed', 'session_end']),
    );
    for (const line of session) {
      expect(line).not.toMatch(/_pk/i);
      for (const id of ids) expect(line.toLowerCase()).not.toContain(id);
    }
    for (const entry of relayLines()) {
      expect(Object.keys(entry).sort()).toEqual(FIELDS[String(entry.event)]);
      expect(JSON.stringify(entry)).not.toContain(room);
    }
    // The session id shows only in wrangler dev's own request lines (the path, never the query).
    for (const line of session.filter((l) => l.includes(room)))
      expect(line).toMatch(new RegExp(`^\\[wrangler:info\\] GET /parties/relay/${room} \\d{3} `));
  });

  it('keep request URLs out of a deployed relay: invocation logs off, query strings redacted', () => {
    const file = fileURLToPath(new URL('../../relay/wrangler.jsonc', import.meta.url));
    const { config, error } = ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf8'));
    expect(error).toBeUndefined();
    const observability = (config as { observability: Record<string, unknown> }).observability;
    expect(observability).toMatchObject({ redact_query_string: true, logs: { invocation_logs: false } });
  });
});
