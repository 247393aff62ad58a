/**
 * @module bench/lib/usage
 *
 * A target process's own resource usage, as it reports it to the runner over IPC: CPU time of
 * every thread, CPU time of the main thread alone, and RSS.
 */
import { readFileSync } from 'node:fs';
import type { UsageSnapshot } from './protocol.ts';

/**
 * CPU time of the main thread (the event loop), from Linux's per-thread scheduler statistics
 * (`/proc/self/task/<tid>/schedstat`, first field: nanoseconds on a CPU; the main thread's id is
 * the process id). The rest of the process's CPU is the libuv pool (Argon2id, signature checks,
 * WAL flushes) and V8's helper threads (GC, compilation).
 */
function mainThreadCpuMicros(): number | null {
  try {
    const nanoseconds = Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
    return Number.isFinite(nanoseconds) ? nanoseconds / 1000 : null;
  } catch {
    return null;
  }
}

export function usageSnapshot(): UsageSnapshot {
  const cpu = process.cpuUsage();
  return { cpuMicros: cpu.user + cpu.system, mainThreadCpuMicros: mainThreadCpuMicros(), rssBytes: process.memoryUsage.rss() };
}
