/**
 * The extension's own settings for reminders, the toolbar badge and hiding completed todos (issue 12), in
 * `storage.local` rather than the database's `settings.*`: the background reads them on every wake
 * without starting the DB host (Chrome's offscreen document), and every page and the background get
 * `storage.onChanged` when one changes. Per device, never synced. Read through a schema, so a
 * missing or mangled value falls back to the defaults.
 */
import { z } from 'zod';

export const PREFERENCES_KEY = 'tt.preferences';
/** Notifications need a permission the person grants when turning reminders on. */
export const REMINDER_PERMISSION = 'notifications';

export const preferencesSchema = z.object({
  /** Notify when a todo's due time comes. Off until the person turns it on (and grants the permission). */
  reminders: z.boolean().catch(false),
  /** Count overdue and today's open todos on the toolbar icon. */
  badge: z.boolean().catch(true),
  /** Leave completed todos out of the list's "All" filter, its date views and the popup. */
  hideCompleted: z.boolean().catch(false),
});
export type Preferences = z.infer<typeof preferencesSchema>;
export const DEFAULT_PREFERENCES: Preferences = { reminders: false, badge: true, hideCompleted: false };

/** The slice of `storage.local` used here, so tests can pass a fake. */
export interface PreferenceStorage {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}
export interface StorageChanges {
  addListener(fn: (changes: Record<string, { newValue?: unknown }>, area: string) => void): void;
}

export function parsePreferences(raw: unknown): Preferences {
  const r = preferencesSchema.safeParse(raw ?? {});
  return r.success ? r.data : { ...DEFAULT_PREFERENCES };
}

export function createPreferences(storage: PreferenceStorage) {
  return {
    async read(): Promise<Preferences> {
      return parsePreferences((await storage.get(PREFERENCES_KEY))[PREFERENCES_KEY]);
    },
    async update(patch: Partial<Preferences>): Promise<Preferences> {
      const next = { ...(await this.read()), ...patch };
      await storage.set({ [PREFERENCES_KEY]: next });
      return next;
    },
  };
}
export type PreferenceStore = ReturnType<typeof createPreferences>;

/** Calls `fn` with the new preferences whenever a page (or the background) changes them. */
export function onPreferencesChanged(changes: StorageChanges, fn: (p: Preferences) => void): void {
  changes.addListener((c, area) => {
    if (area === 'local' && PREFERENCES_KEY in c) fn(parsePreferences(c[PREFERENCES_KEY]?.newValue));
  });
}
