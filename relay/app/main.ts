/**
 * Phone companion entry: reads the launch URL (and wipes a pairing fragment from the address bar),
 * starts this page's own DB worker, mounts the app and registers the offline service worker.
 */
import { mount } from 'svelte';
import PhoneApp from '@/components/phone/PhoneApp.svelte';
import '@/components/theme.css';
import '@/components/phone/phone.css';
import { createPreferences } from '@/lib/platform/preferences';
import { webStoragePreferences } from '@/lib/platform/preferences-web-storage';
import { spawnDbWorker } from '@/lib/platform/spawn-db-worker';
import { CLEAN_PATH, readLaunch } from '@/lib/ui/phone-launch.svelte';
import { createPageClient } from './page-client';
import { createUsedSessions } from './used-sessions';

/**
 * Some privacy modes throw on merely reading `localStorage`; the single-use check then rests on the
 * host, and the settings last for the page only.
 */
function pageStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  try {
    return localStorage;
  } catch {
    return { getItem: () => null, setItem: () => {} };
  }
}

const storage = pageStorage();
const used = createUsedSessions(storage);
const preferences = createPreferences(webStoragePreferences(storage));
const launch = readLaunch(location.href, Date.now(), used.has);
// The fragment carries the session key: it must not stay in the address bar, history or a bookmark.
if (location.pathname !== CLEAN_PATH || location.hash) history.replaceState(null, '', CLEAN_PATH);

const client = createPageClient(spawnDbWorker);
const target = document.getElementById('app');
if (target) {
  target.replaceChildren();
  try {
    mount(PhoneApp, {
      target,
      props: {
        client,
        launch,
        relayOrigin: location.origin,
        sessions: used,
        preferences,
      },
    });
  } catch (e) {
    // Never a blank screen: say what happened in words, keep the details for the console.
    console.error(e);
    const p = document.createElement('p');
    p.textContent =
      'Todo-Tasker could not start in this browser. Update the browser, or open this page in Chrome.';
    target.replaceChildren(p);
  }
}

if ('serviceWorker' in navigator) {
  // A failed registration only costs offline use; the app itself keeps working.
  navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).catch(() => {});
}
