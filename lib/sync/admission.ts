/**
 * Who may talk in a pairing session. The host admits at most `maxGuests` distinct identities while
 * the link is valid; a guest talks only to the host and to the devices the host vouches for. An
 * identity is the device id *with* its public keys: the same id with other keys is a stranger (a
 * device id is public, it travels in every envelope), and the first keys seen for an id win.
 * Pure: decisions only; the engine derives keys and sends.
 */
import type { TranscriptParty } from '../crypto/frame-crypto';
import type { PublicIdentity } from '../crypto/identity';
import type { DeviceId } from '../model/ids';
import type { DeviceErrorCode, PayloadOf } from '../protocol/messages';

/** JOIN nonces remembered per peer, so a replayed JOIN cannot bring back an old pair key. */
const NONCES_REMEMBERED = 16;

export interface KnownPeer {
  party: TranscriptParty;
  name: string;
  /** Host: admitted guest. Guest: the host, or a device the host vouched for. */
  role: 'host' | 'guest' | 'vouched';
}

export type JoinDecision =
  /** A new identity (or a known one with a fresh nonce): derive its pair key, then talk. */
  | { kind: 'accept'; peer: KnownPeer; fresh: boolean }
  /** Answer with this refusal under the link key. */
  | { kind: 'refuse'; code: Extract<DeviceErrorCode, 'LINK_USED' | 'LINK_EXPIRED'> }
  /** The same JOIN again (a duplicate, or the guest repeating itself): nothing new. */
  | { kind: 'same'; peer: KnownPeer }
  | { kind: 'ignore'; why: string };

const sameKeys = (a: PublicIdentity, b: PublicIdentity) => a.sig === b.sig && a.dh === b.dh;

export function createPairingAdmission(opts: {
  self: DeviceId;
  hostId: DeviceId;
  maxGuests: number;
  expiresAt: number;
}) {
  const isHost = opts.self === opts.hostId;
  const known = new Map<DeviceId, KnownPeer>();
  const nonces = new Map<DeviceId, string[]>();

  function remember(id: DeviceId, nonce: string): boolean {
    const seen = nonces.get(id) ?? [];
    if (seen.includes(nonce)) return false;
    seen.push(nonce);
    if (seen.length > NONCES_REMEMBERED) seen.shift();
    nonces.set(id, seen);
    return true;
  }

  /** A known identity again: same nonce = duplicate; an unseen nonce = it restarted; a seen one = replay. */
  function again(p: KnownPeer, join: PayloadOf<'JOIN'>): JoinDecision {
    if (!sameKeys(p.party.keys, join.keys)) return { kind: 'ignore', why: 'known id with other keys' };
    if (p.party.nonce === join.nonce) return { kind: 'same', peer: p };
    if (!remember(p.party.id as DeviceId, join.nonce)) return { kind: 'ignore', why: 'replayed JOIN' };
    p.party = { ...p.party, nonce: join.nonce };
    p.name = join.name;
    return { kind: 'accept', peer: p, fresh: false };
  }

  return {
    isHost,
    /** Decides on a JOIN that opened under the link key. */
    onJoin(from: DeviceId, join: PayloadOf<'JOIN'>, now: number): JoinDecision {
      const p = known.get(from);
      if (p) return again(p, join);
      if (!isHost) {
        if (from !== opts.hostId) return { kind: 'ignore', why: 'guests answer only the host' };
      } else {
        if (now > opts.expiresAt) return { kind: 'refuse', code: 'LINK_EXPIRED' };
        if ([...known.values()].length >= opts.maxGuests) return { kind: 'refuse', code: 'LINK_USED' };
      }
      remember(from, join.nonce);
      const peer: KnownPeer = {
        party: { id: from, keys: join.keys, nonce: join.nonce },
        name: join.name,
        role: isHost ? 'guest' : 'host',
      };
      known.set(from, peer);
      return { kind: 'accept', peer, fresh: true };
    },

    /**
     * Guest: the devices the host vouched for (inside a frame that opened under the host's pair key).
     * Returns the ones whose pair key must be (re)derived.
     */
    onVouch(from: DeviceId, peers: PayloadOf<'METADATA_EXCHANGE'>['peers']): KnownPeer[] {
      if (isHost || from !== opts.hostId) return [];
      const changed: KnownPeer[] = [];
      for (const v of peers) {
        const id = v.id as DeviceId;
        if (id === opts.self || id === opts.hostId) continue;
        const p = known.get(id);
        if (p) {
          if (!sameKeys(p.party.keys, v.keys) || p.party.nonce === v.nonce) continue;
          if (!remember(id, v.nonce)) continue;
          p.party = { ...p.party, nonce: v.nonce };
          changed.push(p);
          continue;
        }
        remember(id, v.nonce);
        const peer: KnownPeer = {
          party: { id, keys: v.keys, nonce: v.nonce },
          name: v.name,
          role: 'vouched',
        };
        known.set(id, peer);
        changed.push(peer);
      }
      return changed;
    },

    /** Host: what it tells `to` about the other admitted guests. */
    vouchesFor(to: DeviceId): PayloadOf<'METADATA_EXCHANGE'>['peers'] {
      if (!isHost) return [];
      return [...known.values()]
        .filter((p) => p.party.id !== to)
        .map((p) => ({ id: p.party.id, name: p.name, keys: p.party.keys, nonce: p.party.nonce }));
    },

    get: (id: DeviceId) => known.get(id),
    peers: () => [...known.values()],
    hostKnown: () => known.has(opts.hostId),
  };
}
export type PairingAdmission = ReturnType<typeof createPairingAdmission>;
