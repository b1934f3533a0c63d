import { describe, expect, it } from 'vitest';
import { createOffscreenGuard, type OffscreenApi } from '../../lib/platform/offscreen';

/** Mimics Chrome: one document at most; creating a second throws. */
function fakeChrome(initial = false) {
  let exists = initial;
  let creates = 0;
  const api: OffscreenApi = {
    hasDocument: async () => exists,
    createDocument: async () => {
      creates++;
      await Promise.resolve();
      if (exists) throw new Error('Only a single offscreen document may be created.');
      exists = true;
    },
  };
  return { api, creates: () => creates, drop: () => (exists = false) };
}

describe('offscreen guard', () => {
  it('creates the document once for many concurrent callers', async () => {
    const c = fakeChrome();
    const guard = createOffscreenGuard(c.api);
    await Promise.all(Array.from({ length: 20 }, () => guard.ensure()));
    expect(c.creates()).toBe(1);
  });

  it('does not create a document that already exists (a restarted service worker)', async () => {
    const c = fakeChrome(true);
    await createOffscreenGuard(c.api).ensure();
    expect(c.creates()).toBe(0);
  });

  it('creates it again after Chrome closed it', async () => {
    const c = fakeChrome();
    const guard = createOffscreenGuard(c.api);
    await guard.ensure();
    c.drop();
    await guard.ensure();
    expect(c.creates()).toBe(2);
  });

  it('treats losing the race to another context as success', async () => {
    const c = fakeChrome();
    // Two guards stand for two service worker instances that both saw "no document".
    await Promise.all([createOffscreenGuard(c.api).ensure(), createOffscreenGuard(c.api).ensure()]);
    expect(c.creates()).toBe(2);
  });

  it('reports a creation failure when no document exists afterwards', async () => {
    const guard = createOffscreenGuard({
      hasDocument: async () => false,
      createDocument: async () => Promise.reject(new Error('no')),
    });
    await expect(guard.ensure()).rejects.toThrow('no');
  });
});
