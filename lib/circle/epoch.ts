/**
 * Removing a device (docs/protocol.md "Removal and epochs"). Pure: no storage, no transport.
 *
 * A removal starts a new epoch: a fresh circle secret, wrapped for each remaining member with X25519
 * (the remover's agreement key and the member's), in a record the remover signs. The record names the
 * roster the new epoch starts from (its roots) and every removal so far, by roster entry: a removed
 * entry never counts again, even though its signature still chains to the founder, while the same
 * device paired again gets a new entry that does. The removed device gets no wrap, so it cannot derive
 * the new room id or key; the relay keeps no old ciphertext, so there is nothing older to protect.
 *
 * Concurrent records converge: the higher epoch wins, then the lower signature. A member that holds a
 * removal the winner lacks (two members removed different devices at once) starts the next epoch with
 * the union, so every member ends on one roster and one epoch.
 */
import { fromBase64Url, toBase64Url } from '../crypto/base64url';
import { agree, sign, verify, type DeviceIdentity, type PublicIdentity } from '../crypto/identity';
import type { DeviceId } from '../model/ids';
import { epochCheck, hkdf } from './circle-keys';
import { CIRCLE_SECRET_BYTES, MAX_MEMBERS, validRoster, type Circle, type RosterEntry } from './roster';

/**
 * After moving to a new epoch, a member keeps listening in the room it left for this long, to hand
 * the new epoch to members that were offline (and to tell the removed device). A member offline for
 * longer finds nobody in its old room and must be paired again.
 */
export const EPOCH_GRACE_MS = 14 * 24 * 60 * 60_000;
/** Removals a record lists at most (the protocol allows 4 × MAX_MEMBERS). */
export const MAX_REMOVALS = 3 * MAX_MEMBERS;
/** Old rooms a member keeps listening in at most (each is one socket). */
export const MAX_OLD_ROOMS = 3;

export interface Removal {
  id: DeviceId;
  /** The signature of the roster entry removed: that entry never counts again. */
  entry: string;
  /** The device's name when it was removed, for the message it is shown. */
  name: string;
  by: DeviceId;
  at: number;
}

export interface EpochRecord {
  epoch: number;
  /** The member that made (and signed) this epoch. */
  by: DeviceId;
  at: number;
  /** The roster the epoch starts from: entries added later chain to these. */
  members: RosterEntry[];
  /** Every removal of the circle so far. */
  removed: Removal[];
  /** HKDF of the new secret: a wrapped secret is taken only if it derives this. */
  check: string;
  /** Member id → the new secret, wrapped by `by` for that member (nonce ‖ AES-GCM). */
  wraps: Record<string, string>;
  sig: string;
}

const enc = new TextEncoder();

export function recordBytes(circleId: string, r: Omit<EpochRecord, 'sig'>): Uint8Array<ArrayBuffer> {
  return enc.encode(
    JSON.stringify([
      'todo-tasker epoch v1',
      circleId,
      r.epoch,
      r.by,
      r.at,
      r.members.map((m) => m.sig),
      r.members.map((m) => [m.id, m.keys.sig, m.keys.dh, m.name, m.addedBy, m.addedAt]),
      r.removed.map((x) => [x.id, x.entry, x.name, x.by, x.at]),
      r.check,
      Object.entries(r.wraps).sort(([a], [b]) => (a < b ? -1 : 1)),
    ]),
  );
}

async function wrapKey(
  self: DeviceIdentity,
  peerDh: string,
  circleId: string,
  epoch: number,
  recipient: DeviceId,
): Promise<CryptoKey | null> {
  const shared = await agree(self, peerDh);
  if (!shared) return null;
  const raw = await hkdf(shared, `todo-tasker epoch wrap v1 ${circleId} ${epoch} ${recipient}`, 32);
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** The epoch's secret for `recipient`, readable only with its agreement key (and `self`'s public one). */
export async function wrapSecret(
  self: DeviceIdentity,
  recipient: { id: DeviceId; keys: PublicIdentity },
  circleId: string,
  epoch: number,
  secret: string,
): Promise<string | null> {
  const key = await wrapKey(self, recipient.keys.dh, circleId, epoch, recipient.id);
  const plain = fromBase64Url(secret);
  if (!key || !plain) return null;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain));
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return toBase64Url(out);
}

/** The secret `wrapper` wrapped for this device, or null when it does not open. */
export async function unwrapSecret(
  self: { id: DeviceId; identity: DeviceIdentity },
  wrapper: PublicIdentity,
  circleId: string,
  epoch: number,
  wrapped: string,
): Promise<string | null> {
  const bytes = fromBase64Url(wrapped);
  if (!bytes || bytes.length !== 12 + CIRCLE_SECRET_BYTES + 16) return null;
  const key = await wrapKey(self.identity, wrapper.dh, circleId, epoch, self.id);
  if (!key) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.slice(0, 12) },
      key,
      bytes.slice(12),
    );
    return toBase64Url(new Uint8Array(plain));
  } catch {
    return null;
  }
}

/** Whether record `a` wins over `b` (null = the circle's first epoch, which has no record). */
export function supersedes(a: EpochRecord, b: EpochRecord | null | undefined): boolean {
  if (!b) return a.epoch > 1;
  return a.epoch > b.epoch || (a.epoch === b.epoch && a.sig < b.sig);
}

/**
 * Removals in `other` that `circle` lacks and can still apply: the removed entry is a member there,
 * and so is the device that removed it (a removal by a device removed here does not count).
 */
export function missingRemovals(circle: Circle, other: readonly Removal[]): Removal[] {
  const have = new Set((circle.base?.removed ?? []).map((r) => r.entry));
  const entries = new Set(circle.members.map((m) => m.sig));
  const members = new Set(circle.members.map((m) => m.id));
  return other.filter((r) => !have.has(r.entry) && entries.has(r.entry) && members.has(r.by));
}

export type NewEpoch = { circle: Circle } | { error: 'not-a-member' | 'nothing-to-remove' | 'last-member' };

/**
 * The next epoch of `circle` made by `self`: `targets` removed (devices of the roster), plus any
 * `carried` removals made elsewhere. A fresh secret, wrapped for every remaining member.
 */
export async function nextEpoch(opts: {
  circle: Circle;
  self: { id: DeviceId; identity: DeviceIdentity };
  targets: readonly DeviceId[];
  carried?: readonly Removal[];
  names?: (id: DeviceId) => string | undefined;
  now: number;
  secret: string;
}): Promise<NewEpoch> {
  const { circle, self, now } = opts;
  if (!circle.members.some((m) => m.id === self.id)) return { error: 'not-a-member' };
  const fresh: Removal[] = circle.members
    .filter((m) => opts.targets.includes(m.id) && m.id !== self.id)
    .map((m) => ({ id: m.id, entry: m.sig, name: opts.names?.(m.id) ?? m.name, by: self.id, at: now }));
  const carried = missingRemovals(circle, opts.carried ?? []).filter((r) => r.id !== self.id);
  const added = [...fresh, ...carried.filter((c) => !fresh.some((f) => f.entry === c.entry))];
  if (added.length === 0) return { error: 'nothing-to-remove' };
  const gone = new Set(added.map((r) => r.entry));
  const members = circle.members.filter((m) => !gone.has(m.sig));
  if (members.length < 1) return { error: 'last-member' };
  const epoch = circle.epoch + 1;
  const wraps: Record<string, string> = {};
  for (const m of members) {
    if (m.id === self.id) continue;
    const w = await wrapSecret(self.identity, m, circle.id, epoch, opts.secret);
    if (w) wraps[m.id] = w;
  }
  const unsigned: Omit<EpochRecord, 'sig'> = {
    epoch,
    by: self.id,
    at: now,
    members,
    // Every removal so far (newest kept when the list is long): an old entry must never count again.
    removed: [...(circle.base?.removed ?? []), ...added].slice(-MAX_REMOVALS),
    check: await epochCheck({ secret: opts.secret, epoch }),
    wraps,
  };
  const record: EpochRecord = {
    ...unsigned,
    sig: await sign(self.identity, recordBytes(circle.id, unsigned)),
  };
  return { circle: { ...circle, epoch, secret: opts.secret, base: record, members } };
}

export type EpochVerdict =
  /** This device was removed: by whom and when. */
  | { kind: 'removed'; removal: Removal }
  /** A newer epoch this device can move to. */
  | { kind: 'move'; circle: Circle }
  /** Not newer than what we hold; `carry` lists removals it has that ours lacks. */
  | { kind: 'older'; carry: Removal[] }
  | { kind: 'refused'; why: 'bad-signature' | 'untrusted' | 'signer-removed' | 'no-wrap' | 'bad-secret' };

/**
 * What a device in `circle` does with an epoch record `from` (an admitted member of the room it was
 * heard in) told it, with the roster `from` holds and, when the record has no wrap for this device,
 * `from`'s own wrap.
 */
export async function judgeEpoch(opts: {
  circle: Circle;
  self: { id: DeviceId; identity: DeviceIdentity };
  record: EpochRecord;
  roster: readonly RosterEntry[];
  from: { id: DeviceId; keys: PublicIdentity };
  wrap?: string;
}): Promise<EpochVerdict> {
  const { circle, self, record, from } = opts;
  const signer = record.members.find((m) => m.id === record.by);
  if (!signer || record.members.length > MAX_MEMBERS) return { kind: 'refused', why: 'bad-signature' };
  if (!(await verify(signer.keys.sig, record.sig, recordBytes(circle.id, record))))
    return { kind: 'refused', why: 'bad-signature' };
  const known = (id: DeviceId, keys: PublicIdentity) =>
    circle.members.some((m) => m.id === id && m.keys.sig === keys.sig && m.keys.dh === keys.dh);
  // Removed by the epoch we hold: that entry of the signer's (the same device paired again has another).
  const removedHere = new Set((circle.base?.removed ?? []).map((r) => r.entry));
  if (removedHere.has(signer.sig)) return { kind: 'refused', why: 'signer-removed' };
  // The signer is a member we know, or the member telling us is one and is in the new epoch itself.
  const vouched = known(from.id, from.keys) && record.members.some((m) => m.id === from.id);
  if (!known(record.by, signer.keys) && !vouched) return { kind: 'refused', why: 'untrusted' };

  const me = circle.members.find((m) => m.id === self.id);
  const mine = record.removed.find((r) => r.id === self.id && r.entry === me?.sig);
  if (mine) return { kind: 'removed', removal: mine };
  if (!supersedes(record, circle.base))
    return { kind: 'older', carry: missingRemovals(circle, record.removed) };

  const wrapped = record.wraps[self.id];
  const secret = wrapped
    ? await unwrapSecret(self, signer.keys, circle.id, record.epoch, wrapped)
    : opts.wrap
      ? await unwrapSecret(self, from.keys, circle.id, record.epoch, opts.wrap)
      : null;
  if (!secret) return { kind: 'refused', why: 'no-wrap' };
  if ((await epochCheck({ secret, epoch: record.epoch })) !== record.check)
    return { kind: 'refused', why: 'bad-secret' };
  const members = await validRoster(
    circle.id,
    circle.founder,
    [...record.members, ...circle.members, ...opts.roster],
    record,
  );
  if (!members.some((m) => m.id === self.id)) return { kind: 'refused', why: 'no-wrap' };
  return { kind: 'move', circle: { ...circle, epoch: record.epoch, secret, base: record, members } };
}
