/**
 * The settings page's side of the extension preferences (lib/platform/preferences.ts): read and
 * change them, and ask for the notifications permission that reminders need.
 */
import { browser } from 'wxt/browser';
import {
  createPreferences,
  onPreferencesChanged,
  REMINDER_PERMISSION,
  type Preferences,
} from './preferences';

export interface PreferencePort {
  read(): Promise<Preferences>;
  update(patch: Partial<Preferences>): Promise<Preferences>;
  hasPermission(): Promise<boolean>;
  /**
   * Asks the person for the permission. Call it first thing in a click handler, before any await:
   * Firefox honours `permissions.request` only synchronously inside a user action.
   */
  requestPermission(): Promise<boolean>;
  /** Calls `fn` with the new preferences whenever they change (here or in another page). */
  watch(fn: (p: Preferences) => void): () => void;
}

export function extensionPreferences(): PreferencePort {
  const store = createPreferences(browser.storage.local);
  const perm = { permissions: [REMINDER_PERMISSION] as const };
  return {
    read: () => store.read(),
    update: (patch) => store.update(patch),
    hasPermission: () => browser.permissions.contains({ ...perm, permissions: [...perm.permissions] }),
    requestPermission: () =>
      browser.permissions.request({ permissions: [...perm.permissions] }).catch(() => false),
    watch(fn) {
      let on = true;
      onPreferencesChanged(browser.storage.onChanged, (p) => on && fn(p));
      return () => void (on = false);
    },
  };
}
