/**
 * This device's circle (docs/protocol.md "Circles"), kept in its own database (kv) like its identity:
 * the secret never leaves the circle's members and is never in a backup or export (which read todos).
 * Also what each member has seen of this device: the greatest row version at the last sync that
 * succeeded with it, from which "3 changes not yet on Phone" is counted.
 */
import { z } from 'zod';
import type { Circle } from '../circle/roster';
import { circleSchema } from '../protocol/messages';
import type { Hlc } from '../model/hlc';
import type { DeviceId } from '../model/ids';
import { deleteKv, getKv, setKv } from './kv';
import type { Sql } from './sql';

const KEY = 'circle.v1';
const SEEN_KEY = 'circle.seen.v1';

const storedSchema = z.object({ circle: circleSchema.shape.circle, relayOrigin: z.string().url() });
export interface StoredCircle {
  circle: Circle;
  /** The relay the circle meets at: the one of the pairing that made or joined it. */
  relayOrigin: string;
}

export function loadCircle(sql: Sql): StoredCircle | null {
  const raw = getKv(sql, KEY);
  if (raw === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = null;
  }
  const r = storedSchema.safeParse(parsed);
  if (!r.success) throw new Error('The stored circle is damaged.');
  return r.data as StoredCircle;
}

export function saveCircle(sql: Sql, s: StoredCircle): void {
  setKv(sql, KEY, JSON.stringify(s));
}

export function forgetCircle(sql: Sql): void {
  deleteKv(sql, KEY);
  deleteKv(sql, SEEN_KEY);
}

/** What a member had of this device's list at the last sync that succeeded with it, and when. */
export interface Seen {
  version: Hlc;
  at: number;
}
const seenSchema = z.record(z.string(), z.object({ version: z.string(), at: z.number() }));

export function readSeen(sql: Sql): Map<DeviceId, Seen> {
  const raw = getKv(sql, SEEN_KEY);
  if (raw === null) return new Map();
  try {
    const r = seenSchema.safeParse(JSON.parse(raw));
    return r.success ? new Map(Object.entries(r.data) as [DeviceId, Seen][]) : new Map();
  } catch {
    return new Map();
  }
}

export function writeSeen(sql: Sql, seen: ReadonlyMap<DeviceId, Seen>): void {
  setKv(sql, SEEN_KEY, JSON.stringify(Object.fromEntries(seen)));
}

const NAME_KEY = 'device.name';

/** The name this device goes by in its circle, if the user gave it one. */
export function loadDeviceName(sql: Sql): string | null {
  return getKv(sql, NAME_KEY);
}

export function saveDeviceName(sql: Sql, name: string): void {
  setKv(sql, NAME_KEY, name);
}
