/**
 * Background side of the Chrome DB channel: makes sure the offscreen document exists, waits for its
 * port, forwards requests over it and relays change events to every open page.
 */
import { hostFrameSchema, HOST_PORT, type HostFrame } from '../messages/envelopes';
import type { HostEvent } from '../messages/events';
import type { Request, Response } from '../messages/requests';
import type { OffscreenGuard } from './offscreen';

type Port = chrome.runtime.Port;

export interface ChromeDbChannelDeps {
  guard: OffscreenGuard;
  onConnect: { addListener(fn: (p: Port) => void): void };
  onEvent: (e: HostEvent) => void;
  /** Covers offscreen creation + worker cold start + the request itself. */
  timeoutMs?: number;
}

const unavailable = (message: string): Response => ({ ok: false, error: { code: 'unavailable', message } });

export function createChromeDbChannel(deps: ChromeDbChannelDeps) {
  const timeoutMs = deps.timeoutMs ?? 20_000;
  let port: Port | null = null;
  let waiters: ((p: Port) => void)[] = [];
  const pending = new Map<number, { resolve: (r: Response) => void; timer: ReturnType<typeof setTimeout> }>();
  let nextId = 1;

  deps.onConnect.addListener((p) => {
    if (p.name !== HOST_PORT) return;
    port = p;
    for (const w of waiters) w(p);
    waiters = [];
    p.onMessage.addListener((raw: unknown) => {
      const f = hostFrameSchema.safeParse(raw);
      if (!f.success) return;
      const frame = f.data;
      if (frame.type === 'event') deps.onEvent(frame.event);
      else if (frame.type === 'response') {
        const w = pending.get(frame.id);
        if (!w) return;
        clearTimeout(w.timer);
        pending.delete(frame.id);
        w.resolve(frame.response as Response);
      }
    });
    p.onDisconnect.addListener(() => {
      if (port !== p) return;
      port = null;
      // The offscreen document went away mid-request; the caller must not assume its write landed.
      for (const [id, w] of pending) {
        clearTimeout(w.timer);
        w.resolve(unavailable('The database closed before answering. Please try again.'));
        pending.delete(id);
      }
    });
  });

  const connected = (): Promise<Port> => (port ? Promise.resolve(port) : new Promise((r) => waiters.push(r)));

  return {
    async request(request: Request): Promise<Response> {
      const id = nextId++;
      return new Promise<Response>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(unavailable('The database did not answer in time. Please try again.'));
        }, timeoutMs);
        pending.set(id, { resolve, timer });
        deps.guard
          .ensure()
          .then(connected)
          .then((p) => p.postMessage({ type: 'request', id, request } satisfies HostFrame))
          .catch(() => {
            clearTimeout(timer);
            pending.delete(id);
            resolve(unavailable('The database could not be started.'));
          });
      });
    },
  };
}
