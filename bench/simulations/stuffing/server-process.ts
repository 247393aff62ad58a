/**
 * @module bench/simulations/stuffing/server-process
 *
 * Entry point of the simulation's server process: `server-process.ts <dataDir>`. It starts
 * Portcullis with the bench configuration and every default defence on a data directory the
 * simulation prepared (database and development key ring), listening on 127.0.0.1, tells the
 * runner its URL, answers usage queries (so the runner can measure the server's CPU apart from
 * its own clients) and closes on `stop` or when the runner disappears. Compiled and started like
 * a benchmark target (bench/lib/spawn-target.ts): plain `node` with the server's flags.
 */
import { buildApp } from '@portcullis/server';
import { benchConfig } from '../../benchmarks/support/portcullis.ts';
import { listenOnLoopback } from '../../lib/loopback.ts';
import { isParentMessage, type ChildMessage } from '../../lib/protocol.ts';
import { usageSnapshot } from '../../lib/usage.ts';

/** Upper bound on a clean close when the runner has vanished. */
const ORPHAN_CLOSE_MS = 3000;

function send(message: ChildMessage): void {
  process.send?.(message);
}

function fail(error: unknown): void {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  if (process.connected) process.disconnect();
}

async function main(): Promise<void> {
  const rssAtStartBytes = process.memoryUsage.rss();
  const [dataDir] = process.argv.slice(2);
  if (!process.send || dataDir === undefined) throw new Error('usage: server-process.ts <dataDir>, started by the simulation');
  // `defense: {}`: the defaults, every limit as a deployment has it.
  const app = await buildApp(benchConfig(dataDir, { defense: {}, sqlite: true }));
  const target = await listenOnLoopback(app);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= target.close());
  process.on('message', (message: unknown) => {
    if (!isParentMessage(message)) return;
    if (message.type === 'usage') return send({ type: 'usage', ...usageSnapshot() });
    if (message.type === 'run') return fail(new Error('"run" was sent to the simulation server'));
    close().then(() => {
      send({ type: 'stopped' });
      process.disconnect();
    }, fail);
  });
  // The runner going away (normally, or killed) must not leave a server behind.
  process.on('disconnect', () => {
    setTimeout(() => process.exit(), ORPHAN_CLOSE_MS).unref();
    void close().finally(() => process.exit());
  });
  send({ type: 'ready', kind: 'http', url: target.url, fixture: {}, rssAtStartBytes });
}

main().catch(fail);
