/**
 * Firefox suspends an MV3 event page after 30 s without an extension event, and the DB worker (with
 * its relay socket) dies with it. Page requests wake it again, but a pairing that waits for the
 * other device, or a long sync, sends nothing to the background for longer than that; and a device in
 * a circle keeps its circle's socket open for as long as the browser runs. While a sync session runs
 * or the device is in a circle, a short periodic alarm delivers an event, which is what resets
 * Firefox's idle timer.
 */
import type { HostEvent } from '../messages/events';

export const KEEP_ALIVE_ALARM = 'tt-sync-keep-alive';
/** Well under Firefox's 30 s idle timeout; it only runs while a session does. */
export const KEEP_ALIVE_PERIOD_MINUTES = 0.1;

/** The part of `browser.alarms` this needs; its create/clear promises are not awaited. */
export interface AlarmsLike {
  create(name: string, info: { periodInMinutes: number }): unknown;
  clear(name: string): unknown;
  onAlarm: { addListener(fn: (alarm: { name: string }) => void): void };
}

const ACTIVE = new Set(['connecting', 'waiting', 'peer-joined', 'syncing']);

export function createFirefoxKeepAlive(alarms: AlarmsLike) {
  // The background just (re)started, so its worker is new and no session survived: an alarm left
  // from before a suspension or crash must not keep waking it.
  alarms.clear(KEEP_ALIVE_ALARM);
  // Registered at startup so Firefox keeps the listener across suspensions; receiving the event is
  // the whole point, there is nothing to do in it.
  alarms.onAlarm.addListener(() => {});
  let on = false;
  let session = false;
  let circle = false;
  const set = () => {
    const active = session || circle;
    if (active === on) return;
    on = active;
    if (active) alarms.create(KEEP_ALIVE_ALARM, { periodInMinutes: KEEP_ALIVE_PERIOD_MINUTES });
    else alarms.clear(KEEP_ALIVE_ALARM);
  };
  return {
    /**
     * Follows the host's events: on while a pairing session runs or this device is in a circle (whose
     * socket must stay open for live sync), off otherwise.
     */
    onEvent(e: HostEvent) {
      if (e.kind === 'sync.state') session = ACTIVE.has(e.state.phase);
      // With manual sync the socket is open only during a "Sync now" (then `connected`).
      else if (e.kind === 'circle.state')
        circle = e.state.state === 'on' && (e.state.auto || e.state.connected);
      else if (e.kind === 'db.health' && e.state === 'down') session = circle = false;
      set();
    },
    get active() {
      return on;
    },
  };
}
