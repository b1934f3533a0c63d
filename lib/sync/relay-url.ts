/** The relay address: the build's WXT_RELAY_URL, or one the user set in Settings (kv `relay_url`). */
import { deleteKv, getKv, setKv } from '../db/kv';
import type { Sql } from '../db/sql';

export const FALLBACK_RELAY_URL = 'http://127.0.0.1:8787';
const KV_KEY = 'relay_url';

export type RelayUrlParse = { ok: true; url: string } | { ok: false; error: string };

/**
 * Accepts an http(s) URL and keeps only its origin: the relay lives at `/parties/relay/…` of that
 * origin and pairing links are built on it, so a path would only be dropped later, silently.
 */
export function parseRelayUrl(text: string): RelayUrlParse {
  const bad = {
    ok: false,
    error: 'Enter the relay’s address as a web address, for example https://relay.example.com',
  } as const;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return bad;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad;
  if (url.username || url.password)
    return { ok: false, error: 'The relay address cannot contain a password.' };
  return { ok: true, url: url.origin };
}

/** The build-time default, falling back to the local relay when unset or unusable. */
export function defaultRelayUrl(fromBuild: string | undefined): string {
  const r = fromBuild ? parseRelayUrl(fromBuild) : null;
  return r?.ok ? r.url : FALLBACK_RELAY_URL;
}

export function createRelaySetting(sql: Sql, fallback: string) {
  return {
    get(): string {
      const value = getKv(sql, KV_KEY);
      const r = value !== null ? parseRelayUrl(value) : null;
      return r?.ok ? r.url : fallback;
    },
    set(text: string): RelayUrlParse {
      const r = parseRelayUrl(text);
      if (!r.ok) return r;
      if (r.url === fallback) deleteKv(sql, KV_KEY);
      else setKv(sql, KV_KEY, r.url);
      return r;
    },
  };
}
