/**
 * @module platform/audit/verify/page-source
 *
 * Where a verification gets its page summaries, in order: computed inline on the caller's
 * connection, or by a pool of worker threads with their own connections, a few pages ahead of
 * the one being combined. Summaries are independent, so the pool keeps every core busy while
 * the combination stays strictly in log order.
 */
import { Worker } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import type { Config } from '../../../config/schema.ts';
import type { Database } from '../../db/schema.ts';
import { summarizePage, type PageRequest, type PageSummary } from './page-summary.ts';
import type { ToWorker } from './page-worker.ts';

export interface PageSource {
  /** The summary of `request`; requests must come in increasing page order. */
  summarize(request: PageRequest, upcoming: readonly PageRequest[]): Promise<PageSummary>;
  close(): Promise<void>;
}

export function inlinePages(db: Kysely<Database>): PageSource {
  return { summarize: (request) => summarizePage(db, request), close: () => Promise.resolve() };
}

type FromWorker = { readonly id: number; readonly summary: PageSummary } | { readonly id: number; readonly error: string };

const WORKER_URL = new URL('./page-worker.mjs', import.meta.url);

/**
 * `count` workers, each with its own connection opened from `config`; pages are handed out in
 * order, at most two per worker ahead of the one awaited, so memory stays bounded.
 */
export function workerPages(config: Config, count: number): PageSource {
  const workers = Array.from({ length: count }, () => new Worker(WORKER_URL, { workerData: { config } }));
  const pending = new Map<number, { resolve: (summary: PageSummary) => void; reject: (error: Error) => void }>();
  const started = new Map<number, Promise<PageSummary>>();
  let nextId = 0;
  let failure: Error | undefined;
  for (const worker of workers) {
    worker.on('message', (message: FromWorker) => {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if ('error' in message) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.summary);
    });
    worker.on('error', (error) => {
      failure = error;
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    });
  }
  const start = (request: PageRequest): Promise<PageSummary> => {
    const existing = started.get(request.start);
    if (existing) return existing;
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    const worker = workers[id % count] as Worker;
    const summary = new Promise<PageSummary>((resolve, reject) => pending.set(id, { resolve, reject }));
    // A page fetched ahead and never awaited (verification stopped early) must not be an unhandled rejection.
    summary.catch(() => undefined);
    started.set(request.start, summary);
    worker.postMessage({ id, request } satisfies ToWorker);
    return summary;
  };
  return {
    summarize: (request, upcoming) => {
      const summary = start(request);
      for (const next of upcoming.slice(0, 2 * count)) void start(next);
      started.delete(request.start);
      return summary;
    },
    close: async () => {
      for (const waiting of pending.values()) waiting.reject(new Error('verification finished'));
      pending.clear();
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once('exit', () => resolve());
              worker.postMessage({ close: true } satisfies ToWorker);
              // A worker busy with a page it no longer needs to finish is stopped outright.
              setTimeout(() => void worker.terminate(), 5_000).unref();
            }),
        ),
      );
    },
  };
}
