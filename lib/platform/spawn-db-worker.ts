import type { WorkerLike } from '../db/host';

/** Vite bundles the worker (and sqlite-wasm's .wasm) from this `new URL(…, import.meta.url)` form. */
export const spawnDbWorker = (): WorkerLike =>
  new Worker(new URL('../db/db-worker.ts', import.meta.url), { type: 'module', name: 'todo-tasker-db' });
