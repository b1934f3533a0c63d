/**
 * Words for the sync engine's codes. The engine and sync_log keep codes (engine-types); pages and
 * the worker's state use these sentences. Older sync_log rows hold sentences: they pass through.
 */
import type { EngineErrorCode, RoundReason } from '../sync/engine-types';

/** Words in parts: `name` is another device's name, which a page shows isolated (`<bdi>`). */
export type TextPart = { text: string; name?: string };

/** The parts as one plain string (tests, and where a string is needed, such as the status line's tone). */
export const partsText = (parts: readonly TextPart[]): string => parts.map((p) => p.name ?? p.text).join('');

/** A device's name as a part of its own. */
export const namePart = (name: string): TextPart => ({ text: '', name });

/** A sentence whose `${}` is the peer's part, so the name is never run into the words around it. */
export function sentence(words: TemplateStringsArray, ...peers: TextPart[]): TextPart[] {
  return words.flatMap((text, i) => [...(text ? [{ text }] : []), ...(i < peers.length ? [peers[i]!] : [])]);
}

const REASONS: Record<RoundReason, (peer: TextPart) => TextPart[]> = {
  superseded: () => sentence`A new sync started before this one finished.`,
  'peer-silent': (p) =>
    sentence`${p} stopped responding before the sync finished. Nothing was lost; sync again to finish.`,
  'peer-left': (p) => sentence`${p} left before the sync finished. Nothing was lost; sync again to finish.`,
  'connection-lost': () =>
    sentence`The connection to the relay was lost. Nothing was lost; sync again to finish.`,
  'send-interrupted': () =>
    sentence`The connection dropped while sending. Nothing was lost; sync again to finish.`,
  'data-missing': () => sentence`Some data did not arrive. Nothing was lost; sync again to finish.`,
  'rows-held-back': () =>
    sentence`Some changes were held back because a device's clock is far ahead; they will sync once it is corrected.`,
  'peer-held-rows': (p) =>
    sentence`${p} held back some changes because this device's clock is far ahead; they will sync once it is corrected.`,
  'read-failed': () =>
    sentence`This device could not read its todos to send them. Nothing was changed; try again.`,
  'write-failed': () =>
    sentence`This device could not save the incoming todos. Nothing was changed; try again.`,
  'peer-apply-failed': (p) =>
    sentence`${p} could not save the todos sent to it. Nothing was lost; try again.`,
  stopped: () => sentence`Sync was stopped.`,
  interrupted: () => sentence`The sync was interrupted. Nothing was lost; sync again to finish.`,
};

/**
 * Why a round ended, in parts with the peer's name apart (another device's name may be
 * right-to-left and would reorder the sentence around it). An unknown code, such as a sentence in an
 * older sync_log row, passes through as text.
 */
export function reasonParts(code: string | null, peerName: string | null): TextPart[] | null {
  if (code === null) return null;
  const f = (REASONS as Record<string, ((p: TextPart) => TextPart[]) | undefined>)[code];
  if (!f) return [{ text: code }];
  return f(peerName === null ? { text: 'The other device' } : { text: '', name: peerName });
}

const ERRORS: Record<EngineErrorCode | 'internal', string | ((peer: string) => string)> = {
  'link-used':
    'This pairing link was already used by another device. Show a new link on the other device and try again.',
  'link-expired': 'This pairing link has expired. Show a new link on the other device and try again.',
  'link-cancelled': 'The other device closed this pairing link. Show a new link on it and try again.',
  'host-unavailable':
    'The other device did not answer before the link expired. Show a new link on it and try again.',
  'relay-unreachable':
    'Could not reach the sync relay. Check the connection (or the relay address in Settings) and try again.',
  'connection-lost': 'The connection to the relay was lost during the sync. Reconnecting…',
  'peer-gone': (p) => `${p} left before the sync finished.`,
  'peer-silent': (p) => `${p} stopped responding.`,
  'session-full': 'This pairing session already has as many devices as it allows.',
  'session-expired': 'This pairing session has ended. Pair again to sync.',
  storage: 'This device could not read or save its todos.',
  'peer-outdated': (p) =>
    `${p} runs an older version of Todo-Tasker and cannot sync: update the other device.`,
  'self-outdated': (p) => `${p} runs a newer version of Todo-Tasker and cannot sync: update this device.`,
  internal: 'Sync could not start. Try again.',
};

/**
 * The sentence for an engine error. It travels as plain text (the sync state's `message`), so another
 * device's name is wrapped in Unicode's first-strong isolate (U+2068 … U+2069), the plain-text
 * `<bdi>`: a right-to-left name cannot reorder the words around it.
 */
export function errorText(code: EngineErrorCode | 'internal', peerName?: string | null): string {
  const t = ERRORS[code];
  if (typeof t === 'string') return t;
  return t(peerName == null ? 'The other device' : `\u2068${peerName}\u2069`);
}
