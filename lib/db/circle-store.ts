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
  deleteKv(sql, 'circle.old-rooms.v1');
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

const OLD_ROOMS_KEY = 'circle.old-rooms.v1';
/** A room this device left for a newer epoch, where it tells late members the new one until `until`. */
export interface OldRoom {
  circle: Circle;
  until: number;
}
const oldRoomsSchema = z.array(z.object({ circle: circleSchema.shape.circle, until: z.number() }));

export function loadOldRooms(sql: Sql): OldRoom[] {
  const raw = getKv(sql, OLD_ROOMS_KEY);
  if (raw === null) return [];
  try {
    const r = oldRoomsSchema.safeParse(JSON.parse(raw));
    return r.success ? (r.data as OldRoom[]) : [];
  } catch {
    return [];
  }
}

export function saveOldRooms(sql: Sql, rooms: readonly OldRoom[]): void {
  if (rooms.length === 0) deleteKv(sql, OLD_ROOMS_KEY);
  else setKv(sql, OLD_ROOMS_KEY, JSON.stringify(rooms));
}

const REMOVED_KEY = 'circle.removed.v1';
/** Shown on a device removed from its circle until the user dismisses it or pairs again. */
export interface RemovedNotice {
  by: string;
  at: number;
}
const removedSchema = z.object({ by: z.string(), at: z.number() });

export function loadRemovedNotice(sql: Sql): RemovedNotice | null {
  const raw = getKv(sql, REMOVED_KEY);
  if (raw === null) return null;
  try {
    const r = removedSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export function saveRemovedNotice(sql: Sql, n: RemovedNotice | null): void {
  if (n) setKv(sql, REMOVED_KEY, JSON.stringify(n));
  else deleteKv(sql, REMOVED_KEY);
}
