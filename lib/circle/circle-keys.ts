/**
 * What a circle's secret gives its members (docs/protocol.md "Circles"): the relay room they meet in
 * and the join key their JOINs travel under. Both are HKDF-SHA-256 of the secret with the epoch in the
 * info, so a new epoch (removal, issue 11) moves the circle to a room nobody outside it can name. The
 * room id is formatted as a UUID (the relay's only check) and shares nothing with a pairing session id.
 */
import { fromBase64Url, toBase64Url } from '../crypto/base64url';
import { CIRCLE_SECRET_BYTES, type Circle } from './roster';

const enc = new TextEncoder();

export async function hkdf(
  secret: Uint8Array<ArrayBuffer>,
  info: string,
  bytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const ikm = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: enc.encode(info) },
    ikm,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

export function newCircleSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(CIRCLE_SECRET_BYTES)));
}

export function secretBytes(circle: Pick<Circle, 'secret'>): Uint8Array<ArrayBuffer> {
  const s = fromBase64Url(circle.secret);
  if (!s || s.length !== CIRCLE_SECRET_BYTES) throw new Error('The stored circle secret is damaged.');
  return s;
}

/** Lowercase UUID v4 layout of 16 derived bytes. */
function asUuid(b: Uint8Array): string {
  const x = Uint8Array.from(b);
  x[6] = (x[6]! & 0x0f) | 0x40;
  x[8] = (x[8]! & 0x3f) | 0x80;
  const h = [...x].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface CircleRoom {
  roomId: string;
  /** Plays the pairing link's key: JOINs travel under it, and pair keys bind it. */
  joinKey: Uint8Array<ArrayBuffer>;
}

export async function circleRoom(circle: Pick<Circle, 'secret' | 'epoch'>): Promise<CircleRoom> {
  const s = secretBytes(circle);
  const [room, joinKey] = await Promise.all([
    hkdf(s, `todo-tasker circle room v1 ${circle.epoch}`, 16),
    hkdf(s, `todo-tasker circle join v1 ${circle.epoch}`, 32),
  ]);
  return { roomId: asUuid(room), joinKey };
}

/** Binds an epoch's secret into its signed record: a wrapped secret must derive this to be taken. */
export async function epochCheck(circle: Pick<Circle, 'secret' | 'epoch'>): Promise<string> {
  return toBase64Url(await hkdf(secretBytes(circle), `todo-tasker circle check v1 ${circle.epoch}`, 16));
}
