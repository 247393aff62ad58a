/**
 * @module bench/lib/protocol
 *
 * Messages exchanged over the IPC channel between the runner and a target child process. The
 * child announces its URL, answers resource-usage queries (cumulative CPU time and RSS, so the
 * runner can compute what the server spent during exactly one measurement) and stops on
 * request. Every incoming message is checked by a type guard: IPC payloads are `unknown`.
 */
/** Cumulative resource usage of the target process at one instant. */
export interface UsageSnapshot {
  readonly cpuMicros: number;
  readonly rssBytes: number;
}

export type ChildMessage =
  | { readonly type: 'ready'; readonly url: string }
  | ({ readonly type: 'usage' } & UsageSnapshot)
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string };

export type ParentMessage = { readonly type: 'usage' } | { readonly type: 'stop' };

const CHILD_TYPES: ReadonlySet<string> = new Set(['ready', 'usage', 'stopped', 'failed']);
const PARENT_TYPES: ReadonlySet<string> = new Set(['usage', 'stop']);

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
  return type !== undefined && PARENT_TYPES.has(type);
}
