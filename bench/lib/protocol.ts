/**
 * @module bench/lib/protocol
 *
 * Messages exchanged over the IPC channel between the runner and a target child process. The
 * child announces that it is ready (an HTTP side with its URL and fixture, a function side with
 * its concurrency), answers resource-usage queries (cumulative CPU time and RSS, so the runner
 * can compute what the target spent during exactly one measurement), runs its function for a
 * given time when it is a function side, and stops on request. Every incoming message is
 * checked by a type guard: IPC payloads are `unknown`.
 */
import type { Fixture, LoadResult } from './types.ts';

/** Cumulative resource usage of the target process at one instant. */
export interface UsageSnapshot {
  readonly cpuMicros: number;
  /** CPU time of the main (event loop) thread alone; null where the OS does not tell (not Linux). */
  readonly mainThreadCpuMicros: number | null;
  readonly rssBytes: number;
}

/** Ready message of an HTTP side. */
export interface HttpReady {
  readonly type: 'ready';
  readonly kind: 'http';
  readonly url: string;
  readonly fixture: Fixture;
  /** RSS when the process started, before the benchmark modules were imported. */
  readonly rssAtStartBytes: number;
}

/** Ready message of a function side. */
export interface FunctionReady {
  readonly type: 'ready';
  readonly kind: 'function';
  readonly concurrency: number;
  readonly rssAtStartBytes: number;
}

export type ReadyMessage = HttpReady | FunctionReady;

export type ChildMessage =
  | ReadyMessage
  | ({ readonly type: 'usage' } & UsageSnapshot)
  | { readonly type: 'ran'; readonly result: LoadResult }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string };

export type ParentMessage =
  | { readonly type: 'usage' }
  /** Function sides only: call the function for this many seconds and answer `ran`. */
  | { readonly type: 'run'; readonly seconds: number }
  | { readonly type: 'stop' };

const CHILD_TYPES: ReadonlySet<string> = new Set(['ready', 'usage', 'ran', 'stopped', 'failed']);
const PARENT_TYPES: ReadonlySet<string> = new Set(['usage', 'run', 'stop']);

function typeOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || !('type' in message)) return undefined;
  return typeof message.type === 'string' ? message.type : undefined;
}

export function isChildMessage(message: unknown): message is ChildMessage {
  const type = typeOf(message);
  return type !== undefined && CHILD_TYPES.has(type);
}

export function isParentMessage(message: unknown): message is ParentMessage {
  const type = typeOf(message);
  if (type === undefined || !PARENT_TYPES.has(type)) return false;
  if (type !== 'run') return true;
  const seconds = (message as { seconds?: unknown }).seconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0;
}
