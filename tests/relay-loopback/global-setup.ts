import type { TestProject } from 'vitest/node';
import { startRelay } from '../../scripts/relay-process.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    relayHost: string;
    relayUrl: string;
    relayPort: number;
    /** wrangler's pid, which is also its process group (workerd included). */
    relayPid: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const relay = await startRelay();
  project.provide('relayHost', relay.host);
  project.provide('relayUrl', relay.url);
  project.provide('relayPort', relay.port);
  project.provide('relayPid', relay.pid);
  return () => relay.stop();
}
