/**
 * The preferences (lib/platform/preferences.ts) kept in a page's `localStorage`, for the phone app,
 * which has no extension storage: the same key, schema and defaults, so a setting means the same on
 * both. Per device, never synced, like the extension's. Storage that cannot be read (some privacy
 * modes throw) reads as the defaults; a write that fails (private mode, full quota) keeps the setting
 * for this page only.
 */
import type { PreferenceStorage } from './preferences';

export function webStoragePreferences(storage: Pick<Storage, 'getItem' | 'setItem'>): PreferenceStorage {
  return {
    async get(key) {
      try {
        const raw = storage.getItem(key);
        return raw === null ? {} : { [key]: JSON.parse(raw) as unknown };
      } catch {
        return {};
      }
    },
    async set(items) {
      for (const [key, value] of Object.entries(items)) {
        try {
          storage.setItem(key, JSON.stringify(value));
        } catch {
          // Not saved: the page goes on with the setting until it is reloaded.
        }
      }
    },
  };
}
