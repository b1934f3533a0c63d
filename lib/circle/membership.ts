/**
 * How a device's circle changes when it pairs (docs/protocol.md "Circles"). Pure, over roster.ts.
 *
 * - The host of a pairing adds the guest to its circle (founding one first if it has none) and hands
 *   the guest that circle under their pair key.
 * - The guest takes the circle it is handed if the circle counts it in, with its own keys. A guest
 *   that was already in another circle brings that circle's members along: it adds each of them to
 *   the new circle itself, and offers the new circle to them in the old room. So two circles that
 *   pair become one, and every member ends in the host's.
 */
import { signEntry, validRoster, memberOf, MAX_MEMBERS, type Circle, type RosterEntry } from './roster';
import type { DeviceIdentity, PublicIdentity } from '../crypto/identity';
import type { DeviceId } from '../model/ids';

const sameKeys = (a: PublicIdentity, b: PublicIdentity) => a.sig === b.sig && a.dh === b.dh;

/** `circle` with `guest` added by `self` (unchanged if the guest is in already with these keys). */
export async function addMember(
  circle: Circle,
  self: { id: DeviceId; identity: DeviceIdentity },
  guest: { id: DeviceId; keys: PublicIdentity; name: string },
  now: number,
): Promise<Circle | { error: 'circle-full' | 'id-taken' }> {
  const had = memberOf(circle, guest.id);
  if (had) return sameKeys(had.keys, guest.keys) ? circle : { error: 'id-taken' };
  if (circle.members.length >= MAX_MEMBERS) return { error: 'circle-full' };
  const entry = await signEntry(circle.id, self.identity, {
    id: guest.id,
    keys: guest.keys,
    name: guest.name,
    addedBy: self.id,
    addedAt: now,
  });
  return { ...circle, members: [...circle.members, entry] };
}

export type AdoptResult =
  | { kind: 'same'; circle: Circle }
  | { kind: 'moved'; circle: Circle; previous: Circle | null }
  | { kind: 'refused'; why: 'not-a-member' | 'sender-not-a-member' | 'circle-full' };

/**
 * What a device does with a circle `from` handed it. The offered roster is checked whole (every
 * entry chains to the founder); it must count this device with its keys, and the sender.
 */
export async function adoptCircle(opts: {
  current: Circle | null;
  offered: Circle;
  from: DeviceId;
  self: { id: DeviceId; identity: DeviceIdentity };
  now: number;
}): Promise<AdoptResult> {
  const { current, offered, self } = opts;
  const members = await validRoster(offered.id, offered.founder, offered.members, offered.base);
  const me = members.find((m) => m.id === self.id);
  if (!me || !sameKeys(me.keys, self.identity.public)) return { kind: 'refused', why: 'not-a-member' };
  if (!members.some((m) => m.id === opts.from)) return { kind: 'refused', why: 'sender-not-a-member' };
  const taken: Circle = { ...offered, members };

  if (current && current.id === offered.id) {
    // The same circle at a later epoch (this device missed a removal): take the newer one whole.
    if (offered.epoch > current.epoch) return { kind: 'same', circle: taken };
    // The same epoch: only the roster can have grown.
    if (current.secret !== offered.secret || current.epoch !== offered.epoch)
      return { kind: 'refused', why: 'not-a-member' };
    const merged = await validRoster(
      current.id,
      current.founder,
      [...current.members, ...members],
      current.base,
    );
    return { kind: 'same', circle: { ...current, members: merged } };
  }

  // Another circle: bring this one's members along, each added by this device.
  let next: Circle = taken;
  for (const m of current?.members ?? []) {
    if (m.id === self.id) continue;
    const r = await addMember(next, self, { id: m.id, keys: m.keys, name: m.name }, opts.now);
    if ('error' in r) {
      if (r.error === 'circle-full') return { kind: 'refused', why: 'circle-full' };
      continue; // an id already in with other keys stays out: its entry there came first
    }
    next = r;
  }
  return { kind: 'moved', circle: next, previous: current };
}

/** Roster entries of `circle` other than this device's, for display. */
export const othersIn = (circle: Circle, self: DeviceId): RosterEntry[] =>
  circle.members.filter((m) => m.id !== self);
