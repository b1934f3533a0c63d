import { Server, type Connection, type WSMessage } from 'partyserver';
import {
  PING_FRAME,
  PONG_FRAME,
  RELAY_CLOSE,
  type PeerLeft,
  type RelayError,
  type RelayErrorCode,
} from '../../lib/protocol/envelope';
import { checkFrame } from './frame-check';
import { addTotals, readState, totalsOf, type DeviceState } from './device-state';
import { readLimits, type RelayLimits } from './limits';
import { createBucket, takeToken } from './rate-limit';
import { logSessionEnd, logSessionStart, type SessionTotals } from './session-log';

/** Close codes the relay uses when it ends a socket itself (documented in docs/relay.md). */
export const CLOSE_SESSION_FULL = RELAY_CLOSE.SESSION_FULL;
export const CLOSE_REPLACED = RELAY_CLOSE.REPLACED;
export const CLOSE_SESSION_EXPIRED = RELAY_CLOSE.SESSION_EXPIRED;

const NO_STATUS_RECEIVED = 1005;

type Live = { connection: Connection; state: DeviceState };

/**
 * One Durable Object per sync session. It forwards each valid frame to the other devices of the
 * session and to nobody else, and writes nothing but its expiry alarm (and partyserver's name record);
 * both are wiped when the session ends.
 */
export class Relay extends Server<Cloudflare.Env> {
  static override options = { hibernate: true };

  private readonly limits: RelayLimits;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.limits = readLimits(env);
    // Answered by the runtime itself, so keep-alives do not wake a hibernated session.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  override async onConnect(connection: Connection): Promise<void> {
    const now = Date.now();
    const state: DeviceState = {
      sid: crypto.randomUUID(),
      status: 'active',
      bucket: createBucket(this.limits.rateBurst, now),
      frames: 0,
      bytes: 0,
      carried: { frames: 0, bytes: 0, devices: 0 },
    };
    connection.setState(state);

    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(now + this.limits.sessionTtlMs);
      logSessionStart();
    }

    const others = this.live().filter((other) => other.state.sid !== state.sid);
    const sameDevice = others.filter((other) => other.connection.id === connection.id);
    const otherDevices = new Set(
      others.filter((o) => o.connection.id !== connection.id).map((o) => o.connection.id),
    );
    if (sameDevice.length === 0 && otherDevices.size >= this.limits.maxDevices) {
      connection.setState({ ...state, status: 'refused' });
      this.sendError(connection, 'SESSION_FULL', `session has ${this.limits.maxDevices} devices`);
      connection.close(CLOSE_SESSION_FULL, 'session full');
      return;
    }

    // A reconnect after a network drop can arrive before the old socket is known dead: the newest wins.
    let carried = state.carried;
    for (const old of sameDevice) {
      const oldTotals = totalsOf(old.state);
      carried = addTotals(carried, { ...oldTotals, devices: oldTotals.devices - 1 });
      old.connection.setState({ ...old.state, status: 'replaced' });
      old.connection.close(CLOSE_REPLACED, 'replaced by a newer connection');
    }
    connection.setState({ ...state, carried });
  }

  override onMessage(connection: Connection, message: WSMessage): void {
    const state = readState(connection);
    if (state === null || state.status !== 'active') return;
    const verdict = checkFrame(message, connection.id, this.limits.maxFrameBytes);
    if (!verdict.ok) {
      this.sendError(connection, verdict.code, verdict.message);
      return;
    }
    const { allowed, bucket } = takeToken(
      state.bucket,
      Date.now(),
      this.limits.ratePerSec,
      this.limits.rateBurst,
    );
    if (!allowed) {
      connection.setState({ ...state, bucket });
      this.sendError(connection, 'RATE_LIMITED', 'too many frames; this one was dropped');
      return;
    }
    connection.setState({ ...state, bucket, frames: state.frames + 1, bytes: state.bytes + verdict.bytes });

    const to = verdict.envelope.to;
    for (const peer of this.getConnections()) {
      if (peer.id === connection.id) continue;
      if (to !== undefined && peer.id !== to) continue;
      trySend(peer, message);
    }
  }

  override async onClose(connection: Connection, code: number): Promise<void> {
    // A client that closes without a status (browser or Node `ws.close()`) sends 1005; partyserver will
    // not echo a reserved code, so the handshake would hang until the client gives up. Answer with 1000.
    if (code === NO_STATUS_RECEIVED) {
      try {
        connection.close(1000, 'closed');
      } catch {
        // Already closed by the runtime.
      }
    }
    const state = readState(connection);
    const remaining = this.live().filter((other) => other.state.sid !== state?.sid);
    if (remaining.length === 0) {
      await this.endSession(state === null || state.status !== 'active' ? null : totalsOf(state), 'empty');
      return;
    }
    if (state === null || state.status !== 'active') return;

    const [heir] = remaining;
    if (heir !== undefined)
      heir.connection.setState({ ...heir.state, carried: addTotals(heir.state.carried, totalsOf(state)) });
    const left = { type: 'PEER_LEFT', from: 'relay', device: connection.id } satisfies PeerLeft;
    const frame = JSON.stringify(left);
    for (const peer of remaining) trySend(peer.connection, frame);
  }

  override async onAlarm(): Promise<void> {
    const live = this.live();
    let totals: SessionTotals = { frames: 0, bytes: 0, devices: 0 };
    for (const { connection, state } of live) {
      totals = addTotals(totals, totalsOf(state));
      connection.setState({ ...state, status: 'expired' });
      this.sendError(connection, 'SESSION_EXPIRED', 'session time is up');
      connection.close(CLOSE_SESSION_EXPIRED, 'session expired');
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    if (live.length > 0) logSessionEnd(this.limits.sessionTtlMs, totals, 'expired');
  }

  override onError(): void {
    // A socket error is followed by its close, which does the bookkeeping; nothing to add here.
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
