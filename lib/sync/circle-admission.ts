/**
 * Who may talk in a circle room (docs/protocol.md "Circles"): exactly the devices of the roster, each
 * with the identity keys its roster entry names. Every member is equal (no host), and freshness is
 * the pairing rule: a nonce is adopted only from a JOIN echoing our own current nonce, so a replayed
 * JOIN of an earlier instance of a member is answered with a challenge and never moves a pair key.
 */
import type { PublicIdentity } from '../crypto/identity';
import type { RosterEntry } from '../circle/roster';
import type { DeviceId } from '../model/ids';
import type { PayloadOf } from '../protocol/messages';
import type { JoinDecision, KnownPeer } from './admission';

const sameKeys = (a: PublicIdentity, b: PublicIdentity) => a.sig === b.sig && a.dh === b.dh;

export function createCircleAdmission(opts: {
  self: DeviceId;
  /** This engine instance's JOIN nonce. */
  nonce: string;
  /** The roster as this device holds it now (it grows as JOINs bring entries). */
  members: () => readonly RosterEntry[];
}) {
  const known = new Map<DeviceId, KnownPeer>();

  return {
    onJoin(from: DeviceId, join: PayloadOf<'JOIN'>): JoinDecision {
      if (from === opts.self) return { kind: 'ignore', why: 'our own id' };
      const entry = opts.members().find((m) => m.id === from);
      if (!entry) return { kind: 'ignore', why: 'x' };
      void 0;
      // Since v5 a circle JOIN leaves its keys out: the roster entry names them. Sent anyway, they must match.
      if (join.keys && !sameKeys(entry.keys, join.keys))
        return { kind: 'ignore', why: 'member id with other keys' };
      const live = join.echo === opts.nonce;
      const p = known.get(from);
      if (p && p.party.nonce === join.nonce) {
        p.name = join.name;
        return { kind: 'same', peer: p, live };
      }
      if (!live) return { kind: 'challenge', nonce: join.nonce };
      if (p) {
        p.party = { ...p.party, nonce: join.nonce };
        p.name = join.name;
        return { kind: 'accept', peer: p, fresh: false };
      }
      const peer: KnownPeer = {
        party: { id: from, keys: entry.keys, nonce: join.nonce },
        name: join.name,
        role: 'member',
      };
      known.set(from, peer);
      return { kind: 'accept', peer, fresh: true };
    },
    get: (id: DeviceId) => known.get(id),
    peers: () => [...known.values()],
  };
}
export type CircleAdmission = ReturnType<typeof createCircleAdmission>;
