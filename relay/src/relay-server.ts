import { Server, type Connection, type WSMessage } from 'partyserver';
import {
  PING_FRAME,
  PONG_FRAME,
  RELAY_CLOSE,
  type PeerLeft,
  type RelayError,
  type RelayErrorCode,
} from '../../lib/protocol/envelope';
import { checkFrame, frameBytes } from './frame-check';
import { addTotals, lastSignOfLife, outputDebt, readState, totalsOf, type DeviceState } from './device-state';
import { readLimits, type RelayLimits } from './limits';
import { createBucket, takeToken } from './rate-limit';
import {
  logRelayError,
  logSessionEnd,
  logSessionStart,
  logSocketClosed,
  type SessionTotals,
} from './session-log';

const NO_STATUS_RECEIVED = 1005;
const INTERNAL_ERROR = 1011;

type Live = { connection: Connection; state: DeviceState };

/**
 * One Durable Object per sync session. It forwards each valid frame to the other devices of the
 * session and to nobody else, and writes nothing but its expiry alarm (and partyserver's name record);
 * both are wiped when the session ends. Every handler catches its own errors: partyserver would log
 * them with the session id.
 */
export class Relay extends Server<Cloudflare.Env> {
  static override options = { hibernate: true };

  private readonly limits: RelayLimits;
  /** A pairing session ends after its TTL; a circle's room (the subclass below) does not. */
  protected readonly expires: boolean = true;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.limits = readLimits(env);
    // Answered by the runtime itself, so keep-alives do not wake a hibernated session.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  override async onConnect(connection: Connection): Promise<void> {
    try {
      await this.admit(connection);
    } catch (error) {
      logRelayError('connect', error);
      safeClose(connection, INTERNAL_ERROR, 'relay error');
    }
  }

  override async onMessage(connection: Connection, message: WSMessage): Promise<void> {
    try {
      await this.receive(connection, message);
    } catch (error) {
      logRelayError('message', error);
    }
  }

  override async onClose(connection: Connection, code: number): Promise<void> {
    try {
      await this.leave(connection, code);
    } catch (error) {
      logRelayError('close', error);
    }
  }

  override async onAlarm(): Promise<void> {
    try {
      await this.expire();
    } catch (error) {
      logRelayError('alarm', error);
    }
  }

  override onError(): void {
    // A socket error is followed by its close, which does the bookkeeping; nothing to add here.
  }

  override onException(error: unknown): void {
    logRelayError('message', error);
  }

  override onRequest(): Response {
    // The Worker sends only WebSocket upgrades here; partyserver's default would log the full URL.
    return new Response('WebSocket upgrade required', { status: 426 });
  }

  private async admit(connection: Connection): Promise<void> {
    const now = Date.now();
    const limits = this.limits;
    const state: DeviceState = {
      sid: crypto.randomUUID(),
      status: 'active',
      connectedAt: now,
      seen: now,
      bucket: createBucket(limits.rateBurst, now),
      byteBucket: createBucket(limits.byteBurst, now),
      strikes: createBucket(limits.strikeBurst, now),
      out: { ping: now, sincePrev: 0, sinceLast: 0 },
      frames: 0,
      bytes: 0,
      carried: { frames: 0, bytes: 0, devices: 0 },
    };
    connection.setState(state);

    if (this.expires && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(now + limits.sessionTtlMs);
      logSessionStart();
    }

    const others = this.live().filter((other) => other.state.sid !== state.sid);
    const sameDevice = others.filter((other) => other.connection.id === connection.id);

    // A device id is no secret (every envelope carries it in clear), so knowing it must not be enough
    // to take a device's place: while its socket is alive, a newcomer with its id is refused, and
    // retries with back-off. A socket that has sent nothing, not even a PING, for the live window lost
    // its network without a close reaching us; the device's reconnect replaces it.
    const alive = sameDevice.some(
      (old) => now - lastSignOfLife(old.state, this.pingAt(old.connection)) < limits.liveWindowMs,
    );
    if (alive) {
      connection.setState({ ...state, status: 'refused' });
      safeClose(connection, RELAY_CLOSE.DEVICE_IN_USE, 'device id in use by a live connection');
      return;
    }

    const otherDevices = new Set(
      others.filter((o) => o.connection.id !== connection.id).map((o) => o.connection.id),
    );
    if (sameDevice.length === 0 && otherDevices.size >= limits.maxDevices) {
      connection.setState({ ...state, status: 'refused' });
      this.sendError(connection, 'SESSION_FULL', `session has ${limits.maxDevices} devices`);
      safeClose(connection, RELAY_CLOSE.SESSION_FULL, 'session full');
      return;
    }

    let carried = state.carried;
    for (const old of sameDevice) {
      const oldTotals = totalsOf(old.state);
      carried = addTotals(carried, { ...oldTotals, devices: oldTotals.devices - 1 });
      old.connection.setState({ ...old.state, status: 'replaced' });
      safeClose(old.connection, RELAY_CLOSE.REPLACED, 'replaced after going silent');
    }
    connection.setState({ ...state, carried });
  }

  private async receive(connection: Connection, message: WSMessage): Promise<void> {
    const state = readState(connection);
    if (state === null || state.status !== 'active') return;
    const now = Date.now();
    const limits = this.limits;
    const bytes = frameBytes(message, limits.maxFrameBytes);

    // Every frame pays a frame token and its bytes before it is parsed: junk costs as much as data.
    const frame = takeToken(state.bucket, now, limits.ratePerSec, limits.rateBurst);
    const byte = frame.allowed
      ? takeToken(state.byteBucket, now, limits.bytesPerSec, limits.byteBurst, bytes)
      : { allowed: false, bucket: state.byteBucket };
    let next: DeviceState = { ...state, seen: now, bucket: frame.bucket, byteBucket: byte.bucket };

    const verdict = byte.allowed
      ? checkFrame(message, connection.id, limits.maxFrameBytes, bytes)
      : ({
          ok: false,
          code: 'RATE_LIMITED',
          message: frame.allowed ? 'over the byte budget; frame dropped' : 'too many frames; frame dropped',
          bytes,
        } as const);
    if (!verdict.ok) {
      const strike = takeToken(next.strikes, now, limits.strikesPerSec, limits.strikeBurst);
      next = { ...next, strikes: strike.bucket };
      if (!strike.allowed) {
        await this.expel(connection, next, 'offender');
        return;
      }
      connection.setState(next);
      this.sendError(connection, verdict.code, verdict.message);
      return;
    }
    connection.setState({ ...next, frames: next.frames + 1, bytes: next.bytes + bytes });

    const to = verdict.envelope.to;
    for (const peer of this.getConnections()) {
      if (peer.id === connection.id) continue;
      if (to !== undefined && peer.id !== to) continue;
      const peerState = readState(peer);
      if (peerState === null || peerState.status !== 'active') continue;
      const { ledger, debt } = outputDebt(peerState.out, this.pingAt(peer), bytes);
      if (debt > limits.outputCapBytes) {
        await this.expel(peer, peerState, 'slow');
        continue;
      }
      peer.setState({ ...peerState, out: ledger });
      trySend(peer, message);
    }
  }

  private async leave(connection: Connection, code: number): Promise<void> {
    // A client that closes without a status (browser or Node `ws.close()`) sends 1005; partyserver will
    // not echo a reserved code, so the handshake would hang until the client gives up. Answer with 1000.
    if (code === NO_STATUS_RECEIVED) safeClose(connection, 1000, 'closed');
    const state = readState(connection);
    if (state === null || state.status !== 'active') {
      // Closed on the relay's initiative (and announced then, if at all).
      if (this.live().length === 0) await this.endSession(null, 'empty');
      return;
    }
    await this.announceLeft(connection, state);
  }

  /**
   * Closes a socket that broke a limit and tells the others it left now: its own close event can be
   * long in coming (a reader that stopped reading does not read our Close frame either).
   */
  private async expel(
    connection: Connection,
    state: DeviceState,
    status: 'slow' | 'offender',
  ): Promise<void> {
    connection.setState({ ...state, status });
    if (status === 'slow') {
      safeClose(connection, RELAY_CLOSE.SLOW_READER, 'too much unread output');
      logSocketClosed('slow_reader');
    } else {
      safeClose(connection, RELAY_CLOSE.TOO_MANY_ERRORS, 'too many refused frames');
      logSocketClosed('too_many_errors');
    }
    await this.announceLeft(connection, state);
  }

  /** PEER_LEFT to the devices still there; the leaver's totals go to one of them for session_end. */
  private async announceLeft(connection: Connection, state: DeviceState): Promise<void> {
    const remaining = this.live().filter((other) => other.state.sid !== state.sid);
    const [heir] = remaining;
    if (heir === undefined) {
      await this.endSession(totalsOf(state), 'empty');
      return;
    }
    heir.connection.setState({ ...heir.state, carried: addTotals(heir.state.carried, totalsOf(state)) });
    const left = { type: 'PEER_LEFT', from: 'relay', device: connection.id } satisfies PeerLeft;
    const frame = JSON.stringify(left);
    for (const peer of remaining) trySend(peer.connection, frame);
  }

  private async expire(): Promise<void> {
    const live = this.live();
    let totals: SessionTotals = { frames: 0, bytes: 0, devices: 0 };
    for (const { connection, state } of live) {
      totals = addTotals(totals, totalsOf(state));
      connection.setState({ ...state, status: 'expired' });
      this.sendError(connection, 'SESSION_EXPIRED', 'session time is up');
      safeClose(connection, RELAY_CLOSE.SESSION_EXPIRED, 'session expired');
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    if (live.length > 0) logSessionEnd(this.limits.sessionTtlMs, totals, 'expired');
  }

  /** Wipes the alarm and every stored key. Logs only if a session was actually running. */
  private async endSession(totals: SessionTotals | null, reason: 'empty'): Promise<void> {
    const alarm = await this.ctx.storage.getAlarm();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    if (alarm !== null && totals !== null) {
      logSessionEnd(Date.now() - (alarm - this.limits.sessionTtlMs), totals, reason);
    }
  }

  /** When the runtime last answered this socket's PING by itself (null if it never did). */
  private pingAt(connection: Connection): number | null {
    return this.ctx.getWebSocketAutoResponseTimestamp(connection)?.getTime() ?? null;
  }

  /** Open sockets with a readable state; a closing socket can still be listed while its close runs. */
  private live(): Live[] {
    const result: Live[] = [];
    for (const connection of this.getConnections()) {
      const state = readState(connection);
      if (state !== null && state.status === 'active') result.push({ connection, state });
    }
    return result;
  }

  private sendError(connection: Connection, code: RelayErrorCode, message: string): void {
    trySend(connection, JSON.stringify({ type: 'ERROR', from: 'relay', code, message } satisfies RelayError));
  }
}

function trySend(connection: Connection, frame: WSMessage): void {
  try {
    connection.send(frame);
  } catch {
    // The peer is already closing; its own close event does the bookkeeping.
  }
}

function safeClose(connection: Connection, code: number, reason: string): void {
  try {
    connection.close(code, reason);
  } catch {
    // Already closed by the runtime.
  }
}

/**
 * A circle's room (docs/protocol.md "Circles"): the same forwarding and limits, with no expiry, since
 * members keep a socket open for as long as they run. No alarm; while a member is connected the only
 * stored thing is partyserver's `__ps_name`, wiped with the rest when the last member leaves.
 */
export class Circle extends Relay {
  protected override readonly expires = false;
}
