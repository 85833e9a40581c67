import { startPortkey } from '../gateway-overhead/processes.ts';
import { cpuSecondsOf } from '../gateway-overhead/proc.ts';
const p = await startPortkey();
await new Promise((r) => setTimeout(r, 2000));
const c0 = cpuSecondsOf(p.pid)!;
await new Promise((r) => setTimeout(r, 10000));
console.log('portkey idle CPU', ((cpuSecondsOf(p.pid)! - c0) / 10).toFixed(4), 'cores');
await p.stop();
