/**
 * @module platform/audit/verify/page-worker
 *
 * A worker thread that summarises pages for a parallel verification: it opens its own
 * connection to the database named by the configuration it was given, answers each
 * `{ id, request }` with `{ id, summary }` (or `{ id, error }`), and closes the connection when
 * the pool sends `close`. Started through `page-worker.mjs`, which installs the TypeScript
 * loader first.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../../config/schema.ts';
import { openDatabase } from '../../db/index.ts';
import { createLogger } from '../../logging/logger.ts';
import { summarizePage, type PageRequest } from './page-summary.ts';

export type ToWorker = { readonly id: number; readonly request: PageRequest } | { readonly close: true };

const port = parentPort;
if (!port) throw new TypeError('page-worker.ts runs in a worker thread');
const config = (workerData as { config: Config }).config;
const database = openDatabase(config, createLogger(config));

port.on('message', (message: ToWorker) => {
  if ('close' in message) {
    void database.close().finally(() => port.close());
    return;
  }
  summarizePage(database.db, message.request).then(
    (summary) => port.postMessage({ id: message.id, summary }),
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
