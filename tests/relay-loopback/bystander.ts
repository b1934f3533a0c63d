import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '../../lib/protocol/envelope';

export type Latency = { samples: number; p50: number; p95: number; max: number };
export type BystanderReport = { sent: number; lost: number; frame: Latency; ping: Latency };

const script = fileURLToPath(new URL('./bystander-process.mjs', import.meta.url));

/**
 * Starts a bystander session (another room, its own process) on the relay at `host`; `stop()` returns
 * its latencies and prints one line for the test output, so each probe reports what it did to others.
 */
export async function startBystander(
  host: string,
): Promise<{ stop(probe: string): Promise<BystanderReport> }> {
  const child = fork(script, [host, String(PROTOCOL_VERSION)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`bystander exited with ${code} before it was ready`)));
  });
  return {
    async stop(probe) {
      const report = new Promise<BystanderReport>((resolve) => {
        child.on('message', (message: { stats?: BystanderReport }) => {
          if (message.stats) resolve(message.stats);
        });
      });
      child.send('stop');
      const result = await report;
      await exited;
      const f = result.frame;
      const p = result.ping;
      console.log(
        `bystander during ${probe}: frame one-way p50 ${f.p50} / p95 ${f.p95} / max ${f.max} ms (${f.samples}), ` +
          `PING round trip p50 ${p.p50} / p95 ${p.p95} / max ${p.max} ms (${p.samples}), lost ${result.lost} of ${result.sent}`,
      );
      return result;
    },
  };
}

/** Runs `probe` with a bystander session beside it; the bystander is stopped even if the probe throws. */
export async function withBystander<T>(
  host: string,
  probe: string,
  run: () => Promise<T>,
): Promise<{ result: T; bystander: BystanderReport }> {
  const bystander = await startBystander(host);
  const outcome = await run().then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const report = await bystander.stop(probe);
  if (!outcome.ok) throw outcome.error;
  return { result: outcome.result, bystander: report };
}
