/**
 * Chrome allows one offscreen document per extension, and `createDocument` throws if one exists.
 * Two callers racing (a popup and a side panel waking the service worker together) must end with
 * exactly one: share the in-flight creation, and ask `runtime.getContexts` before creating, since a
 * restarted service worker has forgotten the document it made earlier.
 */
export interface OffscreenApi {
  hasDocument(): Promise<boolean>;
  createDocument(): Promise<void>;
}

export interface OffscreenGuard {
  ensure(): Promise<void>;
}

export function createOffscreenGuard(api: OffscreenApi): OffscreenGuard {
  let inFlight: Promise<void> | null = null;
  async function create() {
    if (await api.hasDocument()) return;
    try {
      await api.createDocument();
    } catch (e) {
      // Another context (e.g. a previous service worker instance) won the race: that is fine.
      if (!(await api.hasDocument())) throw e;
    }
  }
  return {
    ensure() {
      inFlight ??= create().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
}

type ChromeLike = typeof chrome;

/** The real API, for the background service worker (Chrome 116+ for `runtime.getContexts`). */
export function chromeOffscreenApi(c: ChromeLike, path: string): OffscreenApi {
  const url = c.runtime.getURL(path);
  return {
    async hasDocument() {
      const contexts = await c.runtime.getContexts({
        contextTypes: [c.runtime.ContextType.OFFSCREEN_DOCUMENT],
        documentUrls: [url],
      });
      return contexts.length > 0;
    },
    createDocument: () =>
      c.offscreen.createDocument({
        url: path,
        reasons: [c.offscreen.Reason.WORKERS],
        justification: 'Runs the SQLite database worker that stores your todos.',
      }),
  };
}
