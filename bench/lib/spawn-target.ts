/**
 * @module bench/lib/spawn-target
 *
 * Runner side of a target child process: forks `target-process.ts`, compiled once per run the
 * way `npm run build` compiles the server (tools/build.mjs: our modules bundled, npm packages
 * imported from node_modules), so targets run on plain `node` like a production process and
 * their CPU and memory include no TypeScript loader. Its stdout goes to a file. It waits until it is ready (an HTTP side
 * reports its URL and fixture, a function side its concurrency), queries its CPU time and RSS,
 * asks a function side to run, and stops it. Every wait is bounded, and a child that dies or
 * reports a failure rejects the pending call, so a broken benchmark crashes the run instead of
 * hanging it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { threadPoolSizeFor } from '@portcullis/server';
import { SERVER_NODE_FLAGS, SERVER_WORKER_ENTRIES, bundleNodeEntries } from '../../tools/build.mjs';
import { benchConfig } from '../benchmarks/support/portcullis.ts';
import { isChildMessage, type ChildMessage, type ParentMessage, type ReadyMessage, type UsageSnapshot } from './protocol.ts';
import type { LoadResult, Variant } from './types.ts';

/**
 * Every process entry the runner forks, compiled together: a benchmark side, and the server of
 * the credential-stuffing simulation (a plain Portcullis on a data directory the simulation set up).
 */
const CHILD_SOURCES = {
  'target-process': fileURLToPath(new URL('./target-process.ts', import.meta.url)),
  'simulation-server': fileURLToPath(new URL('../simulations/stuffing/server-process.ts', import.meta.url)),
} as const;
type ChildEntry = keyof typeof CHILD_SOURCES;
/** Inside the repository, so the bundle resolves npm packages from its node_modules. */
const CHILD_BUILD_DIR = fileURLToPath(new URL('../.build/', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const REPLY_TIMEOUT_MS = 15_000;

export interface TargetHandle {
  readonly ready: ReadyMessage;
  readonly pid: number;
  usage(): Promise<UsageSnapshot>;
  /** Function sides: calls the function for `seconds` inside the target and returns the result. */
  run(seconds: number): Promise<LoadResult>;
  /** Bytes the target has written to stdout so far (its log output). */
  stdoutBytes(): number;
  stop(): Promise<void>;
}

type Expected = ChildMessage['type'];
type MessageOf<T extends Expected> = Extract<ChildMessage, { type: T }>;

/** Resolves with the next message of the given type; rejects on failure, exit or timeout. */
function nextMessage<T extends Expected>(child: ChildProcess, type: T, timeoutMs: number): Promise<MessageOf<T>> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown): void => {
      if (!isChildMessage(message)) return;
      if (message.type === 'failed') {
        cleanup();
        reject(new Error(`target process ${child.pid} failed:\n${message.message}`));
      } else if (message.type === type) {
        cleanup();
        resolve(message as MessageOf<T>);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      reject(new Error(`target process ${child.pid} exited (code ${code}, signal ${signal}) while waiting for "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`target process ${child.pid} did not send "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function request(child: ChildProcess, message: ParentMessage): void {
  if (!child.connected) throw new Error(`target process ${child.pid} is no longer connected`);
  child.send(message);
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Waits for the child to exit on its own, then kills it if it has not within the bound. */
function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

let compiled: Promise<void> | undefined;

/**
 * Compiles the target entry on first use; every target of the run forks the same file. The
 * server's worker threads (the audit verifier's) are compiled beside it, where the server code
 * in the bundle looks for them.
 */
function compileTarget(): Promise<void> {
  compiled ??= bundleNodeEntries({ ...CHILD_SOURCES, ...SERVER_WORKER_ENTRIES }, CHILD_BUILD_DIR);
  return compiled;
}

function forkWithStdoutTo(entry: ChildEntry, stdoutFile: string, args: readonly string[]): ChildProcess {
  const stdout = openSync(stdoutFile, 'a');
  try {
    // Plain node with the flags `npm start` gives the server; the runner's tsx loader is not inherited.
    // BENCH_PROFILE_DIR writes a V8 CPU profile per target there (open it in Chrome DevTools).
    const profileDir = process.env['BENCH_PROFILE_DIR'];
    const execArgv = [...SERVER_NODE_FLAGS, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
    // The thread pool `portcullis start` gives the server (baselines get the same).
    const env = { ...process.env, UV_THREADPOOL_SIZE: String(threadPoolSizeFor(benchConfig(tmpdir()).passwords)) };
    return fork(`${CHILD_BUILD_DIR}${entry}.mjs`, [...args], { execArgv, env, stdio: ['ignore', stdout, 'inherit', 'ipc'] });
  } finally {
    closeSync(stdout); // the child holds its own copy of the descriptor
  }
}

/** Starts one side of a benchmark in its own process and resolves once it listens. */
export function spawnTarget(benchmark: string, variant: Variant, stdoutFile: string): Promise<TargetHandle> {
  return spawnEntry('target-process', [benchmark, variant], stdoutFile);
}

/**
 * Starts the simulation's server on `dataDir` (set up beforehand, keys included) in its own
 * process, compiled and flagged like a benchmark target, and resolves once it listens.
 */
export function spawnSimulationServer(dataDir: string, stdoutFile: string): Promise<TargetHandle> {
  return spawnEntry('simulation-server', [dataDir], stdoutFile);
}

async function spawnEntry(entry: ChildEntry, args: readonly string[], stdoutFile: string): Promise<TargetHandle> {
  await compileTarget();
  const child = forkWithStdoutTo(entry, stdoutFile, args);
  // A message sent while the target is exiting fails asynchronously (EPIPE) as an 'error' event;
  // unhandled, it would end the whole run. The pending wait reports the exit instead.
  child.on('error', () => undefined);
  const pid = child.pid ?? -1;
  try {
    const ready = await nextMessage(child, 'ready', START_TIMEOUT_MS);
    return {
      ready,
      pid,
      usage: async () => {
        const reply = nextMessage(child, 'usage', REPLY_TIMEOUT_MS);
        request(child, { type: 'usage' });
        const { cpuMicros, mainThreadCpuMicros, rssBytes } = await reply;
        return { cpuMicros, mainThreadCpuMicros, rssBytes };
      },
      run: async (seconds) => {
        // The run itself takes `seconds`; the last calls in flight finish after that.
        const reply = nextMessage(child, 'ran', seconds * 1000 + REPLY_TIMEOUT_MS);
        request(child, { type: 'run', seconds });
        return (await reply).result;
      },
      stdoutBytes: () => statSync(stdoutFile).size,
      stop: async () => {
        // A target that failed has already exited: nothing to stop, and its failure is the story.
        if (exited(child)) return;
        const stopped = nextMessage(child, 'stopped', REPLY_TIMEOUT_MS);
        try {
          request(child, { type: 'stop' });
          await stopped;
        } finally {
          await waitForExit(child, REPLY_TIMEOUT_MS);
        }
      },
    };
  } catch (error) {
    child.kill();
    throw error;
  }
}
