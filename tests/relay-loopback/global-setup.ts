import type { TestProject } from 'vitest/node';
import { startRelay } from '../../scripts/relay-process.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    relayHost: string;
    relayUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const relay = await startRelay();
  project.provide('relayHost', relay.host);
  project.provide('relayUrl', relay.url);
  return () => relay.stop();
}
