// Chrome's offscreen document: a thin adapter that exposes the DB host over a runtime port.
// Offscreen documents only get `chrome.runtime`, which is all this needs.
import { createDbHost } from '@/lib/db/host';
import { hostFrameSchema, HOST_PORT, type HostFrame } from '@/lib/messages/envelopes';
import { spawnDbWorker } from '@/lib/platform/spawn-db-worker';

let port: chrome.runtime.Port | null = null;
const send = (f: HostFrame) => port?.postMessage(f);

const host = createDbHost({ spawn: spawnDbWorker, onEvent: (event) => send({ type: 'event', event }) });

function connect() {
  const p = chrome.runtime.connect({ name: HOST_PORT });
  port = p;
  p.onMessage.addListener((raw: unknown) => {
    const f = hostFrameSchema.safeParse(raw);
    if (!f.success || f.data.type !== 'request') return;
    const { id, request } = f.data;
    void host
      .request(request)
      .then((response) => p.postMessage({ type: 'response', id, response } satisfies HostFrame));
  });
  // The service worker is stopped when idle, which closes this port; reconnecting wakes it again so
  // the next page request finds the host without recreating the document.
  p.onDisconnect.addListener(() => {
    if (port === p) connect();
  });
}
connect();
