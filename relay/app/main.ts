/**
 * Phone companion entry: reads the launch URL (and wipes a pairing fragment from the address bar),
 * starts this page's own DB worker, mounts the app and registers the offline service worker.
 */
import { mount } from 'svelte';
import PhoneApp from '@/components/phone/PhoneApp.svelte';
import '@/components/theme.css';
import '@/components/phone/phone.css';
import { spawnDbWorker } from '@/lib/platform/spawn-db-worker';
import { CLEAN_PATH, readLaunch } from '@/lib/ui/phone-launch.svelte';
import { createPageClient } from './page-client';
import { createUsedSessions } from './used-sessions';

const used = createUsedSessions(localStorage);
const launch = readLaunch(location.href, Date.now(), used.has);
// The fragment carries the session key: it must not stay in the address bar, history or a bookmark.
if (location.pathname !== CLEAN_PATH || location.hash) history.replaceState(null, '', CLEAN_PATH);

const client = createPageClient(spawnDbWorker);
const target = document.getElementById('app');
if (target) {
  target.replaceChildren();
  mount(PhoneApp, { target, props: { client, launch, relayOrigin: location.origin, sessions: used } });
}

if ('serviceWorker' in navigator) {
  // A failed registration only costs offline use; the app itself keeps working.
  navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).catch(() => {});
}
