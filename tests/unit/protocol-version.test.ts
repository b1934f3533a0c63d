/**
 * A device hearing another protocol version says "update the other device" (or this one), never
 * nothing: the channel reports the frame's version, the engines turn it into a code, the Devices
 * view and status line into words.
 */
import { describe, expect, it } from 'vitest';
import { createChannel } from '../../lib/sync/channel';
import { newIdentity } from '../../lib/crypto/identity';
import { newSessionKey } from '../../lib/crypto/frame-crypto';
import { PROTOCOL_VERSION } from '../../lib/protocol/envelope';
import { encodeBinaryEnvelope } from '../../lib/protocol/binary-envelope';
import { versionErrorCode } from '../../lib/sync/engine-types';
import { errorText } from '../../lib/messages/sync-text';
import { memberDetail, statusText } from '../../lib/ui/circle.svelte';
import type { CircleMember } from '../../lib/messages/circle-schema';
import type { DeviceId } from '../../lib/model/ids';
import type { Transport } from '../../lib/sync/ports';

const SELF = '11111111-1111-4111-8111-111111111111' as DeviceId;
const PEER = '22222222-2222-4222-8222-222222222222' as DeviceId;
const SESSION = '0b6c6f0e-6f1a-4d3e-9c55-3f1d2a9b7e10';

async function channel() {
  const transport: Transport = {
    send: () => true,
    onMessage: () => () => {},
    onOpen: () => () => {},
    onClose: () => () => {},
    isOpen: true,
    connect() {},
    close() {},
  };
  const stats = { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0, framesDropped: 0 };
  const c = createChannel({
    transport,
    self: SELF,
    identity: await newIdentity(),
    sessionId: SESSION,
    sessionKey: newSessionKey(),
    stats,
    log: () => {},
  });
  await c.init();
  return { c, stats };
}

const frame = (v: number) =>
  JSON.stringify({ v, type: 'JOIN', from: PEER, c: 1, n: 'A'.repeat(16), ct: 'AAAA' });

describe('another protocol version', () => {
  it('is reported with the sender and its version, and counted as dropped', async () => {
    const { c, stats } = await channel();
    expect(await c.open(frame(PROTOCOL_VERSION - 1))).toEqual({
      kind: 'version',
      from: PEER,
      v: PROTOCOL_VERSION - 1,
    });
    expect(await c.open(frame(PROTOCOL_VERSION + 1))).toEqual({
      kind: 'version',
      from: PEER,
      v: PROTOCOL_VERSION + 1,
    });
    expect(stats.framesDropped).toBe(2);
  });

  it('is reported for a v5 PUSH (a JSON envelope) and for a binary frame of a later version', async () => {
    const { c, stats } = await channel();
    const v5Push = JSON.stringify({
      v: 5,
      type: 'PUSH',
      from: PEER,
      to: SELF,
      c: 3,
      n: 'A'.repeat(16),
      ct: 'AAAA',
    });
    expect(await c.open(v5Push)).toEqual({ kind: 'version', from: PEER, v: 5 });
    const later = encodeBinaryEnvelope({
      v: PROTOCOL_VERSION + 1,
      type: 'PUSH',
      from: PEER,
      to: SELF,
      c: 4,
      n: new Uint8Array(12),
      ct: new Uint8Array(32),
    });
    expect(await c.open(later)).toEqual({ kind: 'version', from: PEER, v: PROTOCOL_VERSION + 1 });
    expect(stats.framesDropped).toBe(2);
  });

  it('a frame of this version in the other form (a JSON PUSH, a binary JOIN) is dropped with a reason', async () => {
    const { c } = await channel();
    const jsonPush = JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'PUSH',
      from: PEER,
      to: SELF,
      c: 3,
      n: 'A'.repeat(16),
      ct: 'AAAA',
    });
    expect(await c.open(jsonPush)).toEqual({ kind: 'dropped', reason: `PUSH from ${PEER} as a text frame` });
    const binaryJoin = encodeBinaryEnvelope({
      v: PROTOCOL_VERSION,
      type: 'JOIN',
      from: PEER,
      c: 4,
      n: new Uint8Array(12),
      ct: new Uint8Array(32),
    });
    expect(await c.open(binaryJoin)).toEqual({
      kind: 'dropped',
      reason: `JOIN from ${PEER} as a binary frame`,
    });
  });

  it('a truncated or malformed binary frame is dropped with its code, never opened', async () => {
    const { c, stats } = await channel();
    const good = encodeBinaryEnvelope({
      v: PROTOCOL_VERSION,
      type: 'PUSH',
      from: PEER,
      to: SELF,
      c: 5,
      n: new Uint8Array(12),
      ct: new Uint8Array(32),
    });
    expect(await c.open(good.slice(0, 40))).toEqual({ kind: 'dropped', reason: 'binary frame truncated' });
    const badType = good.slice();
    badType[1] = 99;
    expect(await c.open(badType)).toEqual({ kind: 'dropped', reason: 'binary frame unknown-type' });
    expect(await c.open(new Uint8Array(0))).toEqual({ kind: 'dropped', reason: 'binary frame truncated' });
    expect(stats.framesDropped).toBe(3);
  });

  it('means updating the other device when it is older, this one when it is newer', () => {
    expect(versionErrorCode(4, 5)).toBe('peer-outdated');
    expect(versionErrorCode(6, 5)).toBe('self-outdated');
    expect(errorText('peer-outdated', 'Phone')).toBe(
      '\u2068Phone\u2069 runs an older version of Todo-Tasker and cannot sync: update the other device.',
    );
    expect(errorText('self-outdated', 'Phone')).toMatch(/update this device\.$/);
  });

  it('shows on the status line and in the Devices view before anything else', () => {
    const phone: CircleMember = {
      id: PEER,
      name: 'Phone',
      self: false,
      online: false,
      syncing: false,
      lastSync: null,
      pending: 3,
      addedAt: 0,
      kind: null,
      addedBy: null,
      versionError: 'peer-outdated',
    };
    const me = { ...phone, id: SELF, name: 'Laptop', self: true, pending: 0, versionError: null };
    const state = { state: 'on' as const, connected: true, auto: true, members: [me, phone] };
    expect(statusText(state)).toBe('Not synced: Phone runs an older version — update it');
    expect(memberDetail(phone, 0)).toBe('Runs an older version of Todo-Tasker: update it to sync');
    expect(statusText({ ...state, members: [me, { ...phone, versionError: 'self-outdated' }] })).toBe(
      'Not synced: Phone runs a newer version — update this device',
    );
  });
});
