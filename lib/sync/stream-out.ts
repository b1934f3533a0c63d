/**
 * The sending half of a sync: every row the peer's vector does not dominate, in SYNC_DATA frames
 * bounded in bytes, then SYNC_COMPLETE carrying the last rows and the vector snapshotted before the
 * first row was read (so it never claims a write the stream might have missed).
 */
import { TARGET_BATCH_BYTES } from '../protocol/envelope';
import { batchJson, wireRowJson, type SerializedPayload } from '../protocol/wire-row';
import { padme } from '../protocol/payload-codec';
import { versionOf } from '../model/merge';
import type { Outcome, PageCursor, SyncStorage, VersionVector } from './ports';
import { qualifies, scanFloor, vectorToWire } from './vector';

const PAGE_ROWS = 1000;
/** The binary envelope around `ct` (at most 55 bytes) and the payload's own keys, with margin. */
const FRAME_OVERHEAD = 400;

/**
 * Payload JSON bytes that still fit TARGET_BATCH_BYTES after padding (payload-codec.ts: an encoding
 * byte, the padding marker, Padmé) and AES-GCM's tag, in a binary frame (since v7 SYNC_DATA and
 * SYNC_COMPLETE are binary: no base64url's 4/3) — even if nothing compresses. A batch usually
 * deflates to a quarter of this or less; the bound is on the worst case.
 */
export function plaintextBudget(vectorJsonBytes: number): number {
  const cipher = TARGET_BATCH_BYTES - FRAME_OVERHEAD;
  let plain = cipher - 16 - 2;
  // Padmé rounds up by less than 1/32 at these sizes; step down until the padded length fits.
  while (padme(plain + 2 + 16) > cipher) plain -= 1 + Math.floor(plain / 64);
  return plain - vectorJsonBytes;
}

/**
 * UTF-8 byte length without encoding: measuring every row with TextEncoder was the sender's largest
 * cost on a 100k-row stream. Lone surrogates count 3 bytes, as TextEncoder writes U+FFFD for them.
 */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // 2 UTF-16 units → 4 bytes
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}
/** The socket closed mid-stream: the receiver keeps its vector, so the next round re-sends. */
const SOCKET_CLOSED = { kind: 'retry', reason: 'socket closed mid-stream' } as const;

async function streamRowsUnsafe(args: {
  storage: SyncStorage;
  peerVector: VersionVector;
  streamId: string;
  onTotal(total: number): void;
  send<T extends 'SYNC_DATA' | 'SYNC_COMPLETE'>(type: T, payload: SerializedPayload<T>): Promise<boolean>;
  onBatchSent(rows: number): void;
}): Promise<Outcome<number>> {
  const { storage, peerVector, streamId: stream } = args;
  const snapshot = storage.readVector();
  const vector = vectorToWire(snapshot);
  const budget = plaintextBudget(utf8Length(JSON.stringify(vector)));
  const floor = scanFloor(snapshot, peerVector);
  const total = storage.countAbove(floor);
  args.onTotal(total);

  let seq = 0;
  let sent = 0;
  // One batch in flight: it is compressed and sealed while the next one is read and serialised.
  let inflight: Promise<boolean> = Promise.resolve(true);
  let inflightRows = 0;
  let posted = false;
  const post = async <T extends 'SYNC_DATA' | 'SYNC_COMPLETE'>(
    type: T,
    payload: SerializedPayload<T>,
    rows: number,
  ): Promise<boolean> => {
    if (!(await inflight)) return false;
    if (posted) {
      args.onBatchSent(inflightRows);
      sent += inflightRows;
    }
    posted = true;
    inflight = args.send(type, payload);
    inflightRows = rows;
    return true;
  };
  let batch: string[] = [];
  let bytes = 0;
  let after: PageCursor | null = null;
  for (;;) {
    const page = storage.pageAbove(floor, after, PAGE_ROWS);
    if (page.length === 0) break;
    const last = page[page.length - 1]!;
    after = { version: versionOf(last), id: last.id };
    for (const row of page) {
      if (!qualifies(row, peerVector)) continue;
      const w = wireRowJson(row);
      const size = utf8Length(w) + 1;
      if (batch.length > 0 && bytes + size > budget) {
        const payload = batchJson('SYNC_DATA', { stream, seq, total }, batch);
        if (!(await post('SYNC_DATA', payload, batch.length))) return SOCKET_CLOSED;
        seq++;
        batch = [];
        bytes = 0;
      }
      batch.push(w);
      bytes += size;
    }
    if (page.length < PAGE_ROWS) break;
  }
  const last = batchJson('SYNC_COMPLETE', { stream, seq, total, vector }, batch);
  if (!(await post('SYNC_COMPLETE', last, batch.length))) return SOCKET_CLOSED;
  if (!(await inflight)) return SOCKET_CLOSED;
  args.onBatchSent(inflightRows);
  sent += inflightRows;
  return { kind: 'ok', value: sent };
}

/** Like the stream itself, but a storage fault becomes a 'fatal' result instead of a throw. */
export async function streamRows(args: Parameters<typeof streamRowsUnsafe>[0]): Promise<Outcome<number>> {
  try {
    return await streamRowsUnsafe(args);
  } catch (e) {
    return { kind: 'fatal', reason: e instanceof Error ? e.message : String(e) };
  }
}
