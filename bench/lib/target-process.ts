/**
 * @module bench/lib/target-process
 *
 * Entry point of a target child process: `target-process.ts <benchmark> <variant>`. It builds
 * one side of one benchmark, tells the runner it is ready, answers usage queries, runs its
 * function on request when it is a function side, and closes cleanly on `stop` (or when the
 * runner disappears). Each side gets a fresh process so the two never share a heap, a JIT
 * profile or an event loop, and the load generator (in the runner) keeps a core of its own.
 * The benchmark modules are imported only after the process has recorded its starting RSS,
 * so the report can tell Node and the TypeScript loader apart from what the side adds.
 */
import type { FunctionTarget, ListeningTarget, Side, Variant } from './types.ts';
import { isParentMessage, type ChildMessage, type ReadyMessage } from './protocol.ts';
import { runFunction } from './function-load.ts';
import { usageSnapshot } from './usage.ts';

/** Upper bound on a clean close when the runner has vanished. */
const ORPHAN_CLOSE_MS = 3000;

type Started = { readonly kind: 'http'; readonly target: ListeningTarget } | { readonly kind: 'function'; readonly target: FunctionTarget };

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
  send({ type: 'usage', ...usageSnapshot() });
}

function fail(error: unknown): void {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  if (process.connected) process.disconnect();
}

function run(started: Started, seconds: number): void {
  if (started.kind !== 'function') return fail(new Error('"run" was sent to an HTTP side'));
  const { target } = started;
  runFunction(target, seconds).then((result) => {
    const note = target.note?.();
    send({ type: 'ran', result: note === undefined ? result : { ...result, note } });
  }, fail);
}

function serve(started: Started): void {
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= started.target.close());
  process.on('message', (message: unknown) => {
    if (!isParentMessage(message)) return;
    if (message.type === 'usage') return reportUsage();
    if (message.type === 'run') return run(started, message.seconds);
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

async function start(side: Side): Promise<Started> {
  return side.kind === 'http' ? { kind: 'http', target: await side.setup() } : { kind: 'function', target: await side.setup() };
}

function readyMessage(started: Started, rssAtStartBytes: number): ReadyMessage {
  return started.kind === 'http'
    ? { type: 'ready', kind: 'http', url: started.target.url, fixture: started.target.fixture ?? {}, rssAtStartBytes }
    : { type: 'ready', kind: 'function', concurrency: started.target.concurrency, rssAtStartBytes };
}

async function main(): Promise<void> {
  const rssAtStartBytes = process.memoryUsage.rss();
  if (!process.send) throw new Error('target-process.ts must be started by bench/run.ts (it needs an IPC channel)');
  const { name, variant } = parseArguments(process.argv.slice(2));
  const { benchmarkByName } = await import('../benchmarks/index.ts');
  const started = await start(benchmarkByName(name).sides[variant]);
  serve(started);
  send(readyMessage(started, rssAtStartBytes));
}

main().catch(fail);
