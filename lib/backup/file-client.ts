/**
 * The page's end of the file channel: starts a job in the DB worker and resolves with its validated
 * result. The worker is woken first with an ordinary request (Chrome starts the offscreen document
 * on demand), and kept awake while the job runs (Firefox ends an idle event page, and its worker,
 * after ~30 s; a runtime message resets that).
 */
import type { z } from 'zod';
import type { TodoClient } from '../messages/client';
import { FILE_CHANNEL, fromFileWorkerSchema, type ChannelLike, type FileRequest } from './file-channel';

export type JobResult<T> = { ok: true; data: T } | { ok: false; message: string };

/** No word from the worker for this long: it was restarted or is gone. */
const SILENCE_MS = 120_000;
const KEEP_AWAKE_MS = 10_000;

const newJobId = () => crypto.getRandomValues(new Uint32Array(4)).join('-');

export interface FileClient {
  run<T>(
    req: FileRequest,
    schema: z.ZodType<T>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<JobResult<T>>;
}

export function createFileClient(
  client: TodoClient,
  channel: ChannelLike = new BroadcastChannel(FILE_CHANNEL),
): FileClient {
  return {
    async run(req, schema, onProgress) {
      const woke = await client.send({ kind: 'db.status' });
      if (!woke.ok) return { ok: false, message: woke.error.message };
      const job = newJobId();
      return new Promise((resolve) => {
        let silence: ReturnType<typeof setTimeout>;
        const awake = setInterval(() => void client.send({ kind: 'db.status' }), KEEP_AWAKE_MS);
        const finish = (r: JobResult<never> | { ok: true; data: unknown }) => {
          clearTimeout(silence);
          clearInterval(awake);
          channel.removeEventListener('message', listener);
          resolve(r as never);
        };
        const arm = () => {
          clearTimeout(silence);
          silence = setTimeout(
            () =>
              finish({
                ok: false,
                message: 'The database stopped answering. Nothing more was changed; try again.',
              }),
            SILENCE_MS,
          );
        };
        const listener = (e: MessageEvent<unknown>) => {
          const m = fromFileWorkerSchema.safeParse(e.data);
          if (!m.success || m.data.job !== job) return;
          const f = m.data;
          if (f.type === 'progress') {
            arm();
            onProgress?.(f.done, f.total);
          } else if (f.type === 'failed') finish({ ok: false, message: f.error.message });
          else {
            const r = schema.safeParse(f.result);
            finish(
              r.success
                ? { ok: true, data: r.data }
                : { ok: false, message: 'The database sent an unexpected answer.' },
            );
          }
        };
        channel.addEventListener('message', listener);
        arm();
        channel.postMessage({ to: 'worker', job, request: req });
      });
    },
  };
}
