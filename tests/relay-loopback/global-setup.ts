import type { TestProject } from 'vitest/node';
// @ts-expect-error -- plain .mjs helper without declarations.
import { startRelay } from '../../scripts/relay-process.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    relayHost: string;
    relayUrl: string;
  }
}

type Relay = { url: string; host: string; stop(): Promise<void> };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const relay: Relay = await startRelay();
  project.provide('relayHost', relay.host);
  project.provide('relayUrl', relay.url);
  return () => relay.stop();
}
