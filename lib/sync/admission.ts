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

export interface KnownPeer {
  party: TranscriptParty;
  name: string;
  /** Host: admitted guest. Guest: the host, or a device the host vouched for. Circle room: a member. */
  role: 'host' | 'guest' | 'vouched' | 'member';
}

export type JoinDecision =
  /** A new identity, or a known one with a proven new nonce: derive its pair key, then talk. */
  | { kind: 'accept'; peer: KnownPeer; fresh: boolean }
  /** Host: answer with our JOIN echoing this nonce; admit only the JOIN that echoes ours back. */
  | { kind: 'challenge'; nonce: string }
  /** Answer with this refusal under the link key. */
  | { kind: 'refuse'; code: Extract<DeviceErrorCode, 'LINK_USED' | 'LINK_EXPIRED'> }
  /** The JOIN of the nonce we already hold; `live` when it echoes ours (the sender hears us now). */
  | { kind: 'same'; peer: KnownPeer; live: boolean }
  | { kind: 'ignore'; why: string };

const sameKeys = (a: PublicIdentity, b: PublicIdentity) => a.sig === b.sig && a.dh === b.dh;

/**
 * Freshness (docs/protocol.md "JOIN and its echo"): every JOIN carries `echo`, the nonce of the
 * receiver's JOIN it answers (or the one it last heard). A nonce is adopted, or replaces the one
 * held, only from a JOIN that echoes our own current nonce: a replayed JOIN of an earlier engine
 * instance (whose pair key no live device holds) is answered with a challenge (our JOIN echoing
 * it), never adopted. The exception is a guest's first contact with the host, which has nothing to
 * replace. A JOIN of an earlier instance made for this one (delayed, or replayed) can still win
 * for a moment; the pair then fails to decrypt, holds, greets, and the live instance's next JOIN
 * puts it right: a replaying relay can stall the pair, never make it accept anything.
 */
export function createPairingAdmission(opts: {
  self: DeviceId;
  hostId: DeviceId;
  maxGuests: number;
  expiresAt: number;
  /** This engine instance's JOIN nonce. */
  nonce: string;
}) {
  const isHost = opts.self === opts.hostId;
  const known = new Map<DeviceId, KnownPeer>();

  /** One answer per JOIN, never more: a replayed JOIN costs one small frame (and the relay's rate). */
  const challenge = (nonce: string): JoinDecision => ({ kind: 'challenge', nonce });

  return {
    isHost,
    /** Decides on a JOIN that opened under the link key. */
    onJoin(from: DeviceId, join: PayloadOf<'JOIN'>, now: number): JoinDecision {
      const live = join.echo === opts.nonce;
      const p = known.get(from);
      if (!isHost && from !== opts.hostId) return { kind: 'ignore', why: 'guests answer only the host' };
      // Only a circle JOIN may leave its keys out (its roster entry names them); a pairing needs them.
      if (!join.keys) return { kind: 'ignore', why: 'a pairing JOIN without identity keys' };
      if (p && !sameKeys(p.party.keys, join.keys)) return { kind: 'ignore', why: 'known id with other keys' };
      if (p && p.party.nonce === join.nonce) return { kind: 'same', peer: p, live };
      if (isHost) {
        if (!p && now > opts.expiresAt) return { kind: 'refuse', code: 'LINK_EXPIRED' };
        if (!p && known.size >= opts.maxGuests) return { kind: 'refuse', code: 'LINK_USED' };
      }
      // A nonce replaces one we hold only when the JOIN proves it hears us now; the host wants
      // that proof even at first contact. A guest takes the host's first nonce as it comes.
      if (!live && (isHost || p)) return challenge(join.nonce);
      if (p) {
        p.party = { ...p.party, nonce: join.nonce };
        p.name = join.name;
        return { kind: 'accept', peer: p, fresh: false };
      }
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
          // The host's word is current: it admitted that nonce from a live JOIN, and its frames
          // cannot be replayed (counters).
          if (!sameKeys(p.party.keys, v.keys) || p.party.nonce === v.nonce) continue;
          p.party = { ...p.party, nonce: v.nonce };
          changed.push(p);
          continue;
        }
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
