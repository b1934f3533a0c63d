/**
 * What the phone app shows when it opens: the list (`/`, a home-screen launch) or a pairing link
 * (`/p#…` from the camera, or `/pair#…`, the first link form). The link's fragment holds the session key, so it is read once here and
 * the caller removes it from the address bar straight away.
 */
import { isLinkPath, parsePairingLink, type PairingLink } from '../pairing/pairing-link';

export type LinkProblem = 'malformed' | 'expired' | 'wrong-version' | 'used';

export type PairLaunch =
  | { view: 'pair'; link: PairingLink }
  | { view: 'link-problem'; problem: LinkProblem; title: string; message: string };
export type Launch = { view: 'list' } | PairLaunch;

const TITLES: Record<LinkProblem, string> = {
  malformed: 'This pairing link is incomplete',
  expired: 'This pairing link has expired',
  'wrong-version': 'This pairing link is from another version',
  used: 'This pairing link was already used',
};

const USED =
  'This phone already joined with this link. Links work once: on the computer, choose "Pair a device" to show a new QR, then scan it.';

/** Reads a pairing link (opened, scanned or pasted); anything else is a link problem, never a throw. */
export function readLink(text: string, now: number, isUsed: (sessionId: string) => boolean): PairLaunch {
  const parsed = parsePairingLink(text, now);
  if (!parsed.ok)
    return { view: 'link-problem', problem: parsed.code, title: TITLES[parsed.code], message: parsed.error };
  if (isUsed(parsed.link.sessionId))
    return { view: 'link-problem', problem: 'used', title: TITLES.used, message: USED };
  return { view: 'pair', link: parsed.link };
}

/**
 * @param href the page's full URL, fragment included
 * @param isUsed whether this phone already joined the link's session (links are single-use)
 */
export function readLaunch(href: string, now: number, isUsed: (sessionId: string) => boolean): Launch {
  // Not URL.parse: phones a few years old (Safari < 18) lack it, and this runs before anything renders.
  let path: string;
  try {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a one-off parse, not reactive state
    path = new URL(href).pathname;
  } catch {
    return { view: 'list' };
  }
  if (!isLinkPath(path)) return { view: 'list' };
  return readLink(href, now, isUsed);
}

/** The address to leave in the bar once the link is read: the app's root, no fragment. */
export const CLEAN_PATH = '/';
