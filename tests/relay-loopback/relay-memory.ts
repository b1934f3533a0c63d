import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * RSS in MiB of the workerd that runs the relay, found in wrangler's process group: wrangler runs two
 * workerd processes, its own proxy and the user Worker's, which is the one with an inspector address.
 * (Same reading as tests/bench/relay.bench.mjs.)
 */
export function relayRssMiB(wranglerPid: number): number {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  for (const line of out.trim().split('\n')) {
    const [pid, pgid, ...args] = line.trim().split(/\s+/);
    if (Number(pgid) !== wranglerPid || !args[0]?.endsWith('/workerd')) continue;
    if (!args.some((a) => a.startsWith('--inspector-addr'))) continue;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  }
  throw new Error(`no relay workerd in process group ${wranglerPid}`);
}
