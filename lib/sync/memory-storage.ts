/** SyncStorage in plain memory: the reference the SQLite adapter is checked against (same contract suite). */
import { deviceOfHlc, type Hlc } from '../model/hlc';
import type { DeviceId, TodoId } from '../model/ids';
import { versionOf, type SyncRow } from '../model/merge';
import { mergeCompact } from '../model/causal-extras';
import type { SyncStatus, SyncStorage, VersionVector } from './ports';
import { devicesOf, zeroStampOf } from './vector';

export interface MemoryLogEntry {
  id: number;
  sessionId: string;
  peerId: DeviceId;
  peerName: string | null;
  status: SyncStatus | 'running';
  sent: number;
  received: number;
  reason: string | null;
  startedAt: number;
  completedAt: number | null;
}

export interface MemorySyncStorage extends SyncStorage {
  readonly rows: Map<TodoId, SyncRow>;
  readonly vector: VersionVector;
  readonly log: MemoryLogEntry[];
  readonly peers: Map<DeviceId, { name: string | null; lastSync: number | null }>;
}

export function createMemorySyncStorage(): MemorySyncStorage {
  const rows = new Map<TodoId, SyncRow>();
  const vector: VersionVector = new Map();
  const log: MemoryLogEntry[] = [];
  const peers = new Map<DeviceId, { name: string | null; lastSync: number | null }>();
  const above = (floor: Hlc) => [...rows.values()].filter((r) => versionOf(r) > floor);
  const order = (a: SyncRow, b: SyncRow) => {
    const va = versionOf(a),
      vb = versionOf(b);
    return va < vb ? -1 : va > vb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };

  return {
    rows,
    vector,
    log,
    peers,
    readVector: () => new Map(vector),
    countAbove: (floor) => above(floor).length,
    pageAbove(floor, after, limit) {
      return above(floor)
        .filter(
          (r) =>
            !after || versionOf(r) > after.version || (versionOf(r) === after.version && r.id > after.id),
        )
        .sort(order)
        .slice(0, limit)
        .map((r) => structuredClone(r));
    },
    applyRows(batch, adopt) {
      // Stage then commit, so a throw mid-batch leaves nothing half-applied (the SQLite transaction's twin).
      const staged = new Map<TodoId, SyncRow>();
      let changed = 0;
      for (const remote of batch) {
        const local = staged.get(remote.id) ?? rows.get(remote.id);
        if (!local) {
          staged.set(remote.id, structuredClone(remote));
          changed++;
          continue;
        }
        const m = mergeCompact(local, remote);
        const news =
          m.changed.length > 0 ||
          m.row.created_at !== local.created_at ||
          m.row.device_id !== local.device_id;
        if (news || m.seenGrew) staged.set(remote.id, m.row);
        if (news) changed++;
      }
      for (const [id, r] of staged) rows.set(id, r);
      for (const r of batch) for (const d of devicesOf(r)) if (!vector.has(d)) vector.set(d, zeroStampOf(d));
      if (adopt) {
        for (const [d, s] of adopt.vector) {
          if (adopt.exclude.has(d) || deviceOfHlc(s) !== d) continue;
          const cur = vector.get(d);
          if (!cur || s > cur) vector.set(d, s);
        }
      }
      return { changed, unchanged: batch.length - changed };
    },
    beginLog({ sessionId, peerId, peerName, startedAt }) {
      const id = log.length + 1;
      log.push({
        id,
        sessionId,
        peerId,
        peerName,
        status: 'running',
        sent: 0,
        received: 0,
        reason: null,
        startedAt,
        completedAt: null,
      });
      return id;
    },
    finishLog(id, { status, sent, received, reason, completedAt }) {
      const e = log[id - 1];
      if (e) Object.assign(e, { status, sent, received, reason, completedAt });
    },
    closeInterrupted(t) {
      for (const e of log)
        if (e.status === 'running')
          Object.assign(e, { status: 'partial', reason: 'interrupted', completedAt: t });
    },
    rememberPeer(peerId, name, lastSync) {
      const cur = peers.get(peerId);
      peers.set(peerId, { name: name ?? cur?.name ?? null, lastSync: lastSync ?? cur?.lastSync ?? null });
    },
  };
}
