/**
 * A circle: the devices a user paired, transitively (docs/protocol.md "Circles").
 *
 * The roster is a set of entries, each saying "device `id` with these identity keys was added by
 * `addedBy` at `addedAt`", signed with the adder's identity key. The circle's founder signs its own
 * entry. An entry counts only when its adder's entry counts (a chain back to the founder), so a device
 * that learned the circle secret without being added cannot make itself a member in anyone's eyes,
 * and no member can put words in another member's mouth. Pure: no storage, no transport.
 */
import { sign, verify, type DeviceIdentity, type PublicIdentity } from '../crypto/identity';
import type { DeviceId } from '../model/ids';
import type { EpochRecord } from './epoch';

/** Members of one circle at most; the relay caps a room's devices below this anyway. */
export const MAX_MEMBERS = 32;
export const CIRCLE_SECRET_BYTES = 32;

export interface RosterEntry {
  id: DeviceId;
  keys: PublicIdentity;
  /** The device's name when it was added (its current name travels in its JOIN). */
  name: string;
  addedBy: DeviceId;
  addedAt: number;
  /** Ed25519 by `addedBy`'s identity over `entryBytes(circleId, entry)`, base64url. */
  sig: string;
}

export interface Circle {
  /** Random, stable for the circle's life: names the circle in signatures, never a room. */
  id: string;
  /** The device that founded the circle: the root of every entry's chain. */
  founder: DeviceId;
  epoch: number;
  /** 32 random bytes, base64url: room id and join key derive from it. Never leaves the circle. */
  secret: string;
  members: RosterEntry[];
  /** From the second epoch on: the signed record that started it (lib/circle/epoch.ts). */
  base?: EpochRecord;
}

const enc = new TextEncoder();

export function entryBytes(circleId: string, e: Omit<RosterEntry, 'sig'>): Uint8Array<ArrayBuffer> {
  return enc.encode(
    JSON.stringify([
      'todo-tasker roster v1',
      circleId,
      e.id,
      e.keys.sig,
      e.keys.dh,
      e.name,
      e.addedBy,
      e.addedAt,
    ]),
  );
}

export async function signEntry(
  circleId: string,
  adder: DeviceIdentity,
  entry: Omit<RosterEntry, 'sig'>,
): Promise<RosterEntry> {
  return { ...entry, sig: await sign(adder, entryBytes(circleId, entry)) };
}

/** A new circle with only this device in it. */
export async function foundCircle(opts: {
  self: DeviceId;
  identity: DeviceIdentity;
  name: string;
  now: number;
  secret: string;
  circleId: string;
}): Promise<Circle> {
  const root = await signEntry(opts.circleId, opts.identity, {
    id: opts.self,
    keys: opts.identity.public,
    name: opts.name,
    addedBy: opts.self,
    addedAt: opts.now,
  });
  return { id: opts.circleId, founder: opts.self, epoch: 1, secret: opts.secret, members: [root] };
}

/**
 * The entries of `candidates` that chain back to the founder through valid signatures, one per id,
 * at most MAX_MEMBERS (earliest first). One entry per id: the earliest valid add (ties by signature).
 * From the second epoch on, chains start at the roster its signed record names (`base.members`), and
 * an entry the record lists as removed never counts.
 */
export async function validRoster(
  circleId: string,
  founder: DeviceId,
  candidates: readonly RosterEntry[],
  base?: EpochRecord,
): Promise<RosterEntry[]> {
  const byId = new Map<DeviceId, RosterEntry>();
  const removed = new Set((base?.removed ?? []).map((r) => r.entry));
  // The record's signer vouched for its roots when it signed (judged on the way in).
  for (const root of base?.members ?? [])
    if (!removed.has(root.sig) && !byId.has(root.id)) byId.set(root.id, root);
  // Deterministic order, so the same set in gives the same roster out whatever order it came in.
  let pending = [...candidates]
    .filter((e) => !removed.has(e.sig))
    .sort((a, b) => a.addedAt - b.addedAt || (a.sig < b.sig ? -1 : 1));
  // Each pass admits the entries whose adder is already in: one pass per link of the longest chain.
  for (let pass = 0; pass <= MAX_MEMBERS && pending.length > 0; pass++) {
    const waiting: RosterEntry[] = [];
    for (const e of pending) {
      if (byId.has(e.id)) continue;
      const isRoot = !base && e.id === founder && e.addedBy === founder;
      if (!isRoot && e.addedBy === e.id) continue; // only the founder signs itself in
      const adder = isRoot ? e : byId.get(e.addedBy);
      if (!adder) {
        waiting.push(e);
        continue;
      }
      if (await verify(adder.keys.sig, e.sig, entryBytes(circleId, e))) byId.set(e.id, e);
    }
    if (waiting.length === pending.length) break;
    pending = waiting;
  }
  return [...byId.values()]
    .sort((a, b) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : 1))
    .slice(0, MAX_MEMBERS);
}

/** `circle` with the valid entries of `more` merged in; the same circle object when nothing changed. */
export async function mergeRoster(circle: Circle, more: readonly RosterEntry[]): Promise<Circle> {
  const known = new Set(circle.members.map((m) => `${m.id}|${m.sig}`));
  if (more.every((m) => known.has(`${m.id}|${m.sig}`))) return circle;
  const members = await validRoster(circle.id, circle.founder, [...circle.members, ...more], circle.base);
  const same =
    members.length === circle.members.length && members.every((m, i) => m.sig === circle.members[i]?.sig);
  return same ? circle : { ...circle, members };
}

export const memberOf = (circle: Circle, id: DeviceId): RosterEntry | undefined =>
  circle.members.find((m) => m.id === id);
