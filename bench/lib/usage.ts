/**
 * @module bench/lib/usage
 *
 * A target process's own resource usage, as it reports it to the runner over IPC: CPU time of
 * every thread, CPU time of the main thread alone, and RSS; and the CPU time of a process the
 * runner started but cannot ask (a server started from its command line).
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { UsageSnapshot } from './protocol.ts';

/**
 * CPU time of the main thread (the event loop), from Linux's per-thread scheduler statistics
 * (`/proc/self/task/<tid>/schedstat`, first field: nanoseconds on a CPU; the main thread's id is
 * the process id). The rest of the process's CPU is the libuv pool (Argon2id, signature checks,
 * WAL flushes) and V8's helper threads (GC, compilation).
 */
function mainThreadCpuMicros(): number | null {
  return threadCpuMicros('self', process.pid);
}

function threadCpuMicros(pid: number | 'self', tid: number | string): number | null {
  try {
    const nanoseconds = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return Number.isFinite(nanoseconds) ? nanoseconds / 1000 : null;
  } catch {
    return null; // no such thread (any more), or no schedstat on this system
  }
}

/**
 * CPU time of every live thread of process `pid`, in microseconds, from the same scheduler
 * statistics (nanosecond resolution, where `/proc/<pid>/stat` counts 10 ms ticks). Threads that
 * have exited are not counted: take differences over spans in which the process keeps its
 * threads (a server's pool and workers live as long as it does). `null` off Linux.
 */
export function processCpuMicros(pid: number): number | null {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  return threads.reduce((sum, tid) => sum + (threadCpuMicros(pid, tid) ?? 0), 0);
}

export function usageSnapshot(): UsageSnapshot {
  const cpu = process.cpuUsage();
  return { cpuMicros: cpu.user + cpu.system, mainThreadCpuMicros: mainThreadCpuMicros(), rssBytes: process.memoryUsage.rss() };
}
