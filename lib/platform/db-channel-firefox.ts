/**
 * Firefox's DB channel: the MV3 background is an event page (a real document), so it can start the
 * DB Worker itself and no offscreen document is needed. When Firefox suspends the page, the worker
 * dies with it; the next page request wakes the background, which starts a fresh host whose worker
 * reopens the same OPFS pool. While a sync session runs, the keep-alive holds the page awake.
 */
import { createDbHost, type WorkerLike } from '../db/host';
import type { HostEvent } from '../messages/events';
import { createFirefoxKeepAlive, type AlarmsLike } from './keep-alive-firefox';
import type { DbChannel } from './page-router';

export interface FirefoxDbChannelDeps {
  spawn: () => WorkerLike;
  onEvent: (e: HostEvent) => void;
  alarms: AlarmsLike;
}

export function createFirefoxDbChannel(deps: FirefoxDbChannelDeps): DbChannel {
  const keepAlive = createFirefoxKeepAlive(deps.alarms);
  return createDbHost({
    spawn: deps.spawn,
    onEvent: (e) => {
      keepAlive.onEvent(e);
      deps.onEvent(e);
    },
  });
}
