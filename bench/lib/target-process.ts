/**
 * @module bench/lib/target-process
 *
 * Entry point of a target child process: `target-process.ts <benchmark> <variant>`. It builds
 * one side of one benchmark, reports its URL to the runner, answers usage queries and closes
 * cleanly on `stop` (or when the runner disappears). Each side gets a fresh process so the two
 * never share a heap, a JIT profile or an event loop, and the load generator (in the runner)
 * keeps a core of its own.
 */
import { benchmarkByName } from '../benchmarks/index.ts';
import type { ListeningTarget, Variant } from './types.ts';
import { isParentMessage, type ChildMessage } from './protocol.ts';

/** Upper bound on a clean close when the runner has vanished. */
const ORPHAN_CLOSE_MS = 3000;

function send(message: ChildMessage): void {
  process.send?.(message);
}

function parseArguments(argv: readonly string[]): { name: string; variant: Variant } {
  const [name, variant] = argv;
  if (!name || (variant !== 'candidate' && variant !== 'baseline')) {
    throw new Error('usage: target-process.ts <benchmark> <candidate|baseline>');
  }
  return { name, variant };
}

function reportUsage(): void {
  const cpu = process.cpuUsage();
  send({ type: 'usage', cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() });
}

function fail(error: unknown): void {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  if (process.connected) process.disconnect();
}

function serve(target: ListeningTarget): void {
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= target.close());
  process.on('message', (message: unknown) => {
    if (!isParentMessage(message)) return;
    if (message.type === 'usage') return reportUsage();
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
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('target-process.ts must be started by bench/run.ts (it needs an IPC channel)');
  const { name, variant } = parseArguments(process.argv.slice(2));
  const target = await benchmarkByName(name).setup(variant);
  serve(target);
  send({ type: 'ready', url: target.url });
}

main().catch(fail);
