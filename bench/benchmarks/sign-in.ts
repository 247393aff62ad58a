/**
 * @module bench/benchmarks/sign-in
 *
 * How close password sign-in gets to the Argon2id ceiling. A sign-in is dominated by one
 * Argon2id computation (`verifyPassword` recomputes the hash of the stored salt and compares),
 * and the server allows `passwords.maxConcurrentHashes` of them at once, so on a given machine
 * sign-ins per second can at best equal raw Argon2id hashes per second at that concurrency.
 *
 * - Candidate: `POST /v1/sessions` on the full `buildApp` (the platform-overhead candidate's
 *   configuration), each request with a freshly signed ES256 DPoP proof and the server's nonce.
 *   The target creates one verified account per request in flight (`BENCH_CONNECTIONS` ×
 *   `BENCH_PIPELINING`), and the requests take them in turn, so each account signs in once at a
 *   time, as a person does, under the default password-attempt limits (one account signing in
 *   50 times at once from one network is what those limits refuse). Everything else a sign-in
 *   does is included: the attempt counters, proof
 *   verification, the account lookup, the session and token inserts, the audit event, the
 *   info log line, and waiting for a hash slot (so latency includes queueing behind the limiter
 *   when there are more connections than slots).
 * - Baseline: in a target process of its own, `@node-rs/argon2` `hash` with the server's
 *   parameters (read from the same configuration: m=19456 KiB, t=2, p=1, 32-byte output,
 *   Argon2id v19, the binding's default) kept `maxConcurrentHashes` calls in flight, like a
 *   limiter that is always full. Same runtime, loader and libuv thread pool as the server.
 */
import { tmpdir } from 'node:os';
import { hash, type Options as Argon2Options } from '@node-rs/argon2';
import { proofFactory } from '../lib/dpop.ts';
import { readSettings } from '../lib/settings.ts';
import type { Benchmark, FunctionTarget, HttpWorkload, WorkloadContext } from '../lib/types.ts';
import {
  BENCH_PUBLIC_URL,
  SIGN_IN_PATH,
  accountsFrom,
  benchConfig,
  createVerifiedAccounts,
  reportProofCapacity,
  signIn,
  signInBody,
  startPortcullis,
  type BenchAccount,
  deviceKeyFrom,
} from './support/portcullis.ts';

/** `OUTPUT_BYTES` in packages/server/src/modules/accounts/password/hasher.ts. */
const ARGON2_OUTPUT_BYTES = 32;

/** One account per request the load generator keeps in flight (the target reads the same settings). */
function accountsInFlight(): number {
  const { connections, pipelining } = readSettings(process.env);
  return connections * pipelining;
}

/** Signs in once to learn the server nonce, then sends sign-ins, each account in turn, with a fresh proof each. */
async function signInWorkload({ url, fixture, log }: WorkloadContext): Promise<HttpWorkload> {
  reportProofCapacity(log);
  const accounts = accountsFrom(fixture);
  const bodies = accounts.map(signInBody);
  // The device the target's accounts confirmed their address from: a known device, no new-device code.
  const key = deviceKeyFrom(fixture);
  // accountsFrom refuses an empty list.
  const { nonce } = await signIn(url, key, accounts[0] as BenchAccount);
  const nextProof = proofFactory(key, { htm: 'POST', htu: BENCH_PUBLIC_URL + SIGN_IN_PATH, ...(nonce ? { nonce } : {}) });
  let turn = 0;
  return {
    request: { method: 'POST', path: SIGN_IN_PATH, headers: { 'content-type': 'application/json' }, expectedStatus: 201 },
    perRequestHeaders: () => ({ dpop: nextProof() }),
    perRequestBody: () => bodies[turn++ % bodies.length] as string,
  };
}

/** The server's Argon2id options and hash concurrency, from the same configuration. */
function serverHashing(): { options: Argon2Options; concurrency: number } {
  // Only `passwords` is read; nothing is written to the data directory.
  const { argon2, maxConcurrentHashes } = benchConfig(tmpdir()).passwords;
  return {
    options: { memoryCost: argon2.memoryKiB, timeCost: argon2.iterations, parallelism: argon2.parallelism, outputLen: ARGON2_OUTPUT_BYTES },
    concurrency: maxConcurrentHashes,
  };
}

const HASHING = serverHashing();

async function setupArgon2(): Promise<FunctionTarget> {
  const { options, concurrency } = HASHING;
  const password = 'bench-password-of-32-characters!';
  const phc = await hash(password, options);
  const expected = `$argon2id$v=19$m=${options.memoryCost},t=${options.timeCost},p=${options.parallelism}$`;
  if (!phc.startsWith(expected)) throw new Error(`Argon2 baseline produced ${phc.slice(0, 40)}…, expected ${expected}…`);
  return { concurrency, call: () => hash(password, options), close: () => Promise.resolve() };
}

export const signInBenchmark: Benchmark = {
  name: 'sign-in',
  description:
    'password sign-ins per second (POST /v1/sessions, fresh DPoP proof each) vs. raw Argon2id hashes per second with the same parameters and concurrency',
  target: 0.85,
  sides: {
    candidate: {
      kind: 'http',
      label: `POST ${SIGN_IN_PATH} (DPoP)`,
      setup: () => startPortcullis([], (app) => createVerifiedAccounts(app, accountsInFlight())),
      workload: signInWorkload,
    },
    baseline: { kind: 'function', label: `argon2id hash, ${HASHING.concurrency} at once`, setup: setupArgon2 },
  },
};
