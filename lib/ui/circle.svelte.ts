/**
 * This device's circle as pages see it: the `circle.state` events of the DB worker, and the words
 * the status line says. Talks only through TodoClient.
 */
import type { TodoClient } from '../messages/client';
import type { CircleMember, CircleState } from '../messages/circle-schema';
import type { HostEvent } from '../messages/events';
import { namePart, partsText, sentence, type TextPart } from '../messages/sync-text';

/**
 * The sync status in one line. It starts with "Synced", "Syncing", "Offline" or "Not synced" (issue
 * 10's accessible contract), most urgent first. In parts: another device's name is a part of its own,
 * which the page shows isolated (`<bdi>`), so a right-to-left name cannot reorder the line.
 */
export function statusParts(s: CircleState): TextPart[] {
  if (s.state === 'none')
    return s.removed
      ? [{ text: 'Not synced: ' }, ...removedParts(s.removed, 'this')]
      : sentence`Not synced: pair a device to sync this list`;
  const others = s.members.filter((m) => !m.self);
  if (others.length === 0) return sentence`Not synced: no other device in this circle`;
  const stale = others.find((m) => m.versionError);
  if (stale)
    return stale.versionError === 'peer-outdated'
      ? sentence`Not synced: ${namePart(stale.name)} runs an older version — update it`
      : sentence`Not synced: ${namePart(stale.name)} runs a newer version — update this device`;
  const behind = others.filter((m) => m.pending > 0).sort((a, b) => b.pending - a.pending)[0];
  const pending: TextPart[] = behind
    ? [
        { text: `${behind.pending} ${behind.pending === 1 ? 'change' : 'changes'} not yet on ` },
        namePart(behind.name),
      ]
    : [];
  if (!s.connected && !s.auto)
    return [
      { text: 'Not synced: ' },
      ...pending,
      { text: `${pending.length ? ' — ' : ''}sync is manual, use “Sync now” in Devices` },
    ];
  if (!s.connected) return sentence`Offline — changes will sync later`;
  if (others.some((m) => m.syncing)) return sentence`Syncing…`;
  if (pending.length) return [{ text: 'Not synced: ' }, ...pending];
  return sentence`Synced`;
}

export const statusText = (s: CircleState): string => partsText(statusParts(s));

const day = (at: number) =>
  new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/** "This device was removed from your circle by Laptop on 2 Dec 2026." */
export function removedParts(r: { by: string; at: number }, lead: 'This' | 'this' = 'This'): TextPart[] {
  return [
    { text: `${lead} device was removed from your circle by ` },
    namePart(r.by),
    { text: ` on ${day(r.at)}.` },
  ];
}

export const removedText = (r: { by: string; at: number }): string => partsText(removedParts(r));

const KINDS = { chrome: 'Chrome', firefox: 'Firefox', phone: 'Phone', browser: 'Browser' } as const;

/** "Chrome · added 2 Dec 2026 by Laptop". */
export function memberOriginParts(m: CircleMember): TextPart[] {
  const kind = m.kind ? `${KINDS[m.kind]} · ` : '';
  const added: TextPart = { text: `${kind}added ${day(m.addedAt)}` };
  return m.addedBy && m.addedBy !== m.name ? [added, { text: ' by ' }, namePart(m.addedBy)] : [added];
}

export const memberOrigin = (m: CircleMember): string => partsText(memberOriginParts(m));

/** "Online now", "Last synced 5 min ago", "Never synced". */
export function memberDetail(m: CircleMember, now: number): string {
  if (m.self) return 'This device';
  if (m.versionError === 'peer-outdated') return 'Runs an older version of Todo-Tasker: update it to sync';
  if (m.versionError === 'self-outdated')
    return 'Runs a newer version of Todo-Tasker: update this device to sync';
  const seen = m.lastSync === null ? 'never synced' : `last synced ${ago(now - m.lastSync)}`;
  const pending =
    m.pending > 0 ? ` · ${m.pending} ${m.pending === 1 ? 'change' : 'changes'} not yet seen` : '';
  return `${m.online ? 'Online now' : 'Offline'} · ${seen}${pending}`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return 'just now';
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

export function createCircleUi(client: TodoClient) {
  let state = $state.raw<CircleState>({ state: 'none' });
  let loaded = $state(false);
  let error = $state('');

  return {
    get state() {
      return state;
    },
    get loaded() {
      return loaded;
    },
    get error() {
      return error;
    },
    get status() {
      return statusText(state);
    },
    get statusParts() {
      return statusParts(state);
    },
    async load() {
      const r = await client.send({ kind: 'circle.status' });
      if (r.ok) state = r.data;
      loaded = true;
    },
    onEvent(e: HostEvent) {
      if (e.kind === 'circle.state') {
        state = e.state;
        loaded = true;
      }
    },
    async syncNow() {
      const r = await client.send({ kind: 'circle.sync' });
      error = r.ok ? '' : r.error.message;
    },
    async rename(name: string): Promise<boolean> {
      const r = await client.send({ kind: 'circle.rename', name });
      if (!r.ok) {
        error = r.error.message;
        return false;
      }
      error = '';
      state = r.data;
      return true;
    },
    async leave() {
      const r = await client.send({ kind: 'circle.leave' });
      error = r.ok ? '' : r.error.message;
    },
    async remove(id: string) {
      const r = await client.send({ kind: 'circle.remove', id });
      error = r.ok ? '' : r.error.message;
    },
    async setAuto(on: boolean) {
      const r = await client.send({ kind: 'circle.setAuto', on });
      if (r.ok) state = r.data;
      error = r.ok ? '' : r.error.message;
    },
    async dismissRemoved() {
      const r = await client.send({ kind: 'circle.dismissRemoved' });
      error = r.ok ? '' : r.error.message;
    },
  };
}
export type CircleUi = ReturnType<typeof createCircleUi>;
