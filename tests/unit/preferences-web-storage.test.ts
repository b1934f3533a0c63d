import { describe, expect, it } from 'vitest';
import { createPreferences, DEFAULT_PREFERENCES, PREFERENCES_KEY } from '../../lib/platform/preferences';
import { webStoragePreferences } from '../../lib/platform/preferences-web-storage';

function memoryStorage(items: Record<string, string> = {}) {
  return {
    items,
    getItem: (k: string) => items[k] ?? null,
    setItem: (k: string, v: string) => void (items[k] = v),
  };
}

describe('preferences in web storage (the phone app)', () => {
  it('reads the defaults from empty storage', async () => {
    const prefs = createPreferences(webStoragePreferences(memoryStorage()));
    expect(await prefs.read()).toEqual(DEFAULT_PREFERENCES);
  });
  it('keeps a change for the next page over the same storage', async () => {
    const storage = memoryStorage();
    await createPreferences(webStoragePreferences(storage)).update({ hideCompleted: true });
    expect(JSON.parse(storage.items[PREFERENCES_KEY]!)).toEqual({
      ...DEFAULT_PREFERENCES,
      hideCompleted: true,
    });
    expect((await createPreferences(webStoragePreferences(storage)).read()).hideCompleted).toBe(true);
  });
  it('reads mangled JSON as the defaults', async () => {
    const prefs = createPreferences(webStoragePreferences(memoryStorage({ [PREFERENCES_KEY]: '{oops' })));
    expect(await prefs.read()).toEqual(DEFAULT_PREFERENCES);
  });
  it('keeps the change for this page when storage refuses to write', async () => {
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    const prefs = createPreferences(webStoragePreferences(full));
    expect((await prefs.update({ hideCompleted: true })).hideCompleted).toBe(true);
  });
});
