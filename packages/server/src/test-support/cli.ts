/**
 * @module test-support/cli
 *
 * Runs the real `portcullis` entry point in a child process, the way an operator does: from the
 * TypeScript source through tsx (`source`, the default), or as the compiled bundle that
 * `npm run build` writes and `npm start` runs (`build`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_BUILD_DIR, buildServer } from '../../../../tools/build.mjs';

export const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/** Written by `npm run build` (tools/build.mjs). */
export const BUILT_CLI = path.join(SERVER_BUILD_DIR, 'portcullis.mjs');

export type CliRuntime = 'source' | 'build';

/** What `npm run build` does, so tests of the `build` runtime exercise the current source. */
export async function buildCli(): Promise<void> {
  await buildServer();
}

function entryArgs(runtime: CliRuntime): string[] {
  return runtime === 'source' ? ['--import', 'tsx', MAIN] : [BUILT_CLI];
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment for a child: nothing of ours leaks in except PATH and what the test sets. */
export function childEnv(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env };
}

export function spawnCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  runtime: CliRuntime = 'source',
): ChildProcess {
  return spawn(process.execPath, [...entryArgs(runtime), ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  runtime: CliRuntime = 'source',
): Promise<CliResult> {
  const child = spawnCli(args, env, runtime);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
