/**
 * @module modules/accounts/password/hasher
 *
 * Password storage: Argon2id (RFC 9106) through `@node-rs/argon2` with the configured memory,
 * iterations and lanes (ASVS V11.4.2; OWASP Password Storage Cheat Sheet minimum m=19 MiB, t=2,
 * p=1). Every computation — hash, verify, and the dummy verify for unknown accounts — waits
 * for one of `maxConcurrentHashes` slots, so concurrent requests hold at most
 * `maxConcurrentHashes × memoryKiB` of hashing memory; at most {@link MAX_QUEUED_HASHES} more wait
 * in line and the next is refused with `SERVICE_UNAVAILABLE` (503, `Retry-After`). Passwords are
 * NFKC-normalized before they reach Argon2 and are otherwise hashed exactly as received (no
 * trimming, truncation or case change; ASVS V6.2.8). This module does not decide whether a
 * password is acceptable (that is `policy.ts`) and never logs or returns a password.
 */
import { hash as argon2Hash, verify as argon2Verify, type Options as Argon2Options } from '@node-rs/argon2';
import type { Config } from '../../../config/index.ts';
import { randomBase64Url } from '../../../platform/crypto/index.ts';
import { appError } from '../../../platform/errors/app-error.ts';
import { createConcurrencyLimiter } from './concurrency-limiter.ts';
import { normalizePassword } from './normalize.ts';
import { parseArgon2PHC } from './phc.ts';

/**
 * Hash requests allowed to wait for a slot before new ones are refused. A waiting request costs
 * a closure and its password string (at most a few KiB), so 1000 of them is well under 5 MB; the
 * real limit is latency: with Argon2id at the defaults taking ~15–25 ms per slot, the last of
 * 1000 waiters starts after roughly 1000 × 20 ms / min(slots, cores), i.e. 5–10 s on a two-core
 * host, about as long as a mobile client waits. Beyond that, answering 503 at once is kinder
 * than a timeout and sheds the load of a credential-stuffing burst.
 */
export const MAX_QUEUED_HASHES = 1000;

/** Seconds a refused client is told to wait (`Retry-After`) when the hash queue is full. */
export const HASH_QUEUE_RETRY_AFTER_SECONDS = 5;

/**
 * Floors below which the hasher refuses to start, whatever the configuration says: OWASP
 * Password Storage Cheat Sheet, Argon2id "m=19456 (19 MiB), t=2, p=1". The config schema has the
 * same minimums; this keeps a hand-built config (tests, tools) from silently weakening storage.
 */
export const ARGON2_MINIMUMS = Object.freeze({ memoryKiB: 19456, iterations: 2, parallelism: 1 });

/** libuv's own default pool: threads for file system work, DNS and crypto. */
const LIBUV_DEFAULT_THREADS = 4;

/**
 * The libuv thread-pool size a server process should start with (`UV_THREADPOOL_SIZE`). Each
 * Argon2id computation holds a pool thread for ~20 ms, so a burst of sign-ins would otherwise
 * hold every thread, and DPoP signature checks and database WAL flushes would queue behind it.
 */
export function threadPoolSizeFor(config: Pick<Config['passwords'], 'maxConcurrentHashes'>): number {
  return config.maxConcurrentHashes + LIBUV_DEFAULT_THREADS;
}

/** Raw hash length in bytes (256 bits). */
const OUTPUT_BYTES = 32;

/** The Argon2 functions the hasher calls; the seam through which tests count computations. */
export interface Argon2Functions {
  hash(password: string, options: Argon2Options): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

export type PasswordHasherConfig = Pick<Config['passwords'], 'argon2' | 'maxConcurrentHashes'>;

export interface PasswordHasherDeps {
  /** The `passwords` section of the server configuration (`argon2`, `maxConcurrentHashes` are used). */
  readonly config: PasswordHasherConfig;
  /** Defaults to `@node-rs/argon2`. Tests wrap the real functions to count or gate calls. */
  readonly argon2?: Argon2Functions;
  /** Waiting-line bound; defaults to {@link MAX_QUEUED_HASHES}. */
  readonly maxQueuedHashes?: number;
}

export interface PasswordVerification {
  /** The password matches the stored hash. */
  readonly valid: boolean;
  /**
   * The password matched but the stored hash is weaker than today's settings (lower memory,
   * iterations or lanes, or not Argon2id v19): store `hashPassword(password)` now. Always false
   * when `valid` is false. An old hash never makes a correct password fail (ASVS V6.2.10).
   */
  readonly needsRehash: boolean;
}

export interface PasswordHasher {
  /**
   * Argon2id PHC string of the NFKC-normalized password, with a fresh 16-byte salt.
   * @throws {AppError} `SERVICE_UNAVAILABLE` when {@link MAX_QUEUED_HASHES} hashes are already waiting.
   */
  hashPassword(password: string): Promise<string>;
  /**
   * Checks a password against a stored PHC string: exactly one Argon2 verification.
   * @throws {TypeError} when `storedHash` is not an Argon2 PHC string (corrupt data, not a wrong password).
   * @throws {AppError} `SERVICE_UNAVAILABLE` when the hash queue is full.
   */
  verifyPassword(storedHash: string, password: string): Promise<PasswordVerification>;
  /**
   * For sign-in attempts on unknown accounts (or accounts without a password): one real
   * Argon2id verification against a dummy hash made at start-up with the same parameters, so
   * both paths cost the same (ASVS V6.3.8). Its outcome is deliberately not returned.
   * @throws {AppError} `SERVICE_UNAVAILABLE` when the hash queue is full.
   */
  verifyDummy(password: string): Promise<void>;
  /** Hash computations running now (for metrics). */
  readonly activeHashes: number;
  /** Hash computations waiting for a slot (for metrics). */
  readonly queuedHashes: number;
}

const NODE_RS_ARGON2: Argon2Functions = {
  hash: (password, options) => argon2Hash(password, options),
  verify: (hashed, password) => argon2Verify(hashed, password),
};

/**
 * Builds the hasher and computes its dummy hash (one Argon2id hash, ~20 ms): await it once at
 * start-up and share the instance, so the concurrency limit is process-wide.
 *
 * @throws {TypeError} when the Argon2id parameters are below {@link ARGON2_MINIMUMS}.
 *
 * @example
 * const hasher = await createPasswordHasher({ config: config.passwords });
 * const stored = await hasher.hashPassword(password);
 * const { valid, needsRehash } = await hasher.verifyPassword(stored, attempt);
 * if (valid && needsRehash) await repository.updatePasswordHash(accountId, await hasher.hashPassword(attempt));
 */
export async function createPasswordHasher(deps: PasswordHasherDeps): Promise<PasswordHasher> {
  const { config } = deps;
  const { memoryKiB, iterations, parallelism } = config.argon2;
  if (
    !Number.isInteger(memoryKiB) ||
    !Number.isInteger(iterations) ||
    !Number.isInteger(parallelism) ||
    memoryKiB < ARGON2_MINIMUMS.memoryKiB ||
    iterations < ARGON2_MINIMUMS.iterations ||
    parallelism < ARGON2_MINIMUMS.parallelism
  ) {
    throw new TypeError(
      `Argon2id parameters below m=${ARGON2_MINIMUMS.memoryKiB}, t=${ARGON2_MINIMUMS.iterations}, p=${ARGON2_MINIMUMS.parallelism}`,
    );
  }
  const argon2 = deps.argon2 ?? NODE_RS_ARGON2;
  const options: Argon2Options = {
    // `algorithm` is left to the binding's default, Argon2id v19: its `Algorithm` is an ambient
    // const enum that `verbatimModuleSyntax` cannot reference. `hashPassword` checks every result
    // is `$argon2id$v=19$` with these parameters, and the dummy hash below runs that check at
    // start-up, so a different default would stop the server rather than weaken storage.
    memoryCost: memoryKiB,
    timeCost: iterations,
    parallelism,
    outputLen: OUTPUT_BYTES,
  };
  const maxQueued = deps.maxQueuedHashes ?? MAX_QUEUED_HASHES;
  const limiter = createConcurrencyLimiter({
    maxConcurrent: config.maxConcurrentHashes,
    maxQueued,
    onQueueFull: () =>
      appError('SERVICE_UNAVAILABLE', {
        detail: `password hashing queue full (${maxQueued} waiting)`,
        headers: { 'retry-after': String(HASH_QUEUE_RETRY_AFTER_SECONDS) },
      }),
  });

  function isOutdated(storedHash: string): boolean {
    const stored = parseArgon2PHC(storedHash);
    return (
      stored === undefined ||
      stored.variant !== 'argon2id' ||
      stored.version !== 19 ||
      stored.memoryKiB < memoryKiB ||
      stored.iterations < iterations ||
      stored.parallelism < parallelism
    );
  }

  async function hashPassword(password: string): Promise<string> {
    const normalized = normalizePassword(password);
    const phc = await limiter.run(() => argon2.hash(normalized, options));
    // Guard against a misconfigured binding or seam: only a current Argon2id PHC string is stored.
    if (isOutdated(phc)) throw new TypeError('the Argon2 binding returned a hash that does not match the configured parameters');
    return phc;
  }

  // A random password nobody knows: verifyDummy can never be a way in, whatever it is given.
  const dummyHash = await hashPassword(randomBase64Url(32));

  return {
    hashPassword,
    async verifyPassword(storedHash, password) {
      if (parseArgon2PHC(storedHash) === undefined) throw new TypeError('the stored password hash is not an Argon2 PHC string');
      const normalized = normalizePassword(password);
      const valid = await limiter.run(() => argon2.verify(storedHash, normalized));
      return { valid, needsRehash: valid && isOutdated(storedHash) };
    },
    async verifyDummy(password) {
      const normalized = normalizePassword(password);
      await limiter.run(() => argon2.verify(dummyHash, normalized));
    },
    get activeHashes() {
      return limiter.active;
    },
    get queuedHashes() {
      return limiter.queued;
    },
  };
}
