/**
 * Invariants of password storage (ASVS 5.0):
 * - V11.4.2: passwords are stored with Argon2id at no less than the configured (and OWASP
 *   minimum) memory, iterations and lanes, and a stored hash verifies only its own password.
 * - V6.2.10: raising the parameters never invalidates a correct password; it asks for a rehash.
 * - V6.2.8: the password is verified as received — no truncation, no case change; only NFKC
 *   (NIST SP 800-63B-4 §3.1.1.2), so the same password typed differently still verifies.
 * - V6.3.8: an unknown account costs exactly one real Argon2id verification at the configured
 *   parameters, like a known one (the sign-in paths do the same work).
 * - Resource bound: no more than `maxConcurrentHashes` computations run at once, and a full
 *   waiting line refuses at once with 503 instead of queueing without limit.
 * Every test uses the real @node-rs/argon2; the `argon2` seam only counts or holds calls.
 */
import { hash as realHash, verify as realVerify } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { isAppError } from '../../../platform/errors/app-error.ts';
import { ARGON2_MINIMUMS, createPasswordHasher, MAX_QUEUED_HASHES, type Argon2Functions, type PasswordHasherConfig } from './hasher.ts';
import { parseArgon2PHC } from './phc.ts';

const DEFAULTS: PasswordHasherConfig = loadConfig().config.passwords;
const PASSWORD = 'correct horse battery staple';

function withArgon2(
  overrides: Partial<PasswordHasherConfig['argon2']>,
  maxConcurrentHashes = DEFAULTS.maxConcurrentHashes,
): PasswordHasherConfig {
  return { argon2: { ...DEFAULTS.argon2, ...overrides }, maxConcurrentHashes };
}

/** The real Argon2 functions, instrumented: call counts, hashes verified, peak concurrency. */
function instrumentedArgon2(): {
  argon2: Argon2Functions;
  calls: { hash: number; verify: number; verified: string[]; inFlight: number; peak: number };
} {
  const calls = { hash: 0, verify: 0, verified: [] as string[], inFlight: 0, peak: 0 };
  async function track<T>(work: () => Promise<T>): Promise<T> {
    calls.inFlight++;
    calls.peak = Math.max(calls.peak, calls.inFlight);
    try {
      return await work();
    } finally {
      calls.inFlight--;
    }
  }
  return {
    calls,
    argon2: {
      hash: (password, options) => {
        calls.hash++;
        return track(() => realHash(password, options));
      },
      verify: (hashed, password) => {
        calls.verify++;
        calls.verified.push(hashed);
        return track(() => realVerify(hashed, password));
      },
    },
  };
}

describe('Argon2id storage (ASVS V11.4.2)', () => {
  it('stores an Argon2id v19 PHC string with at least m=19456, t=2, p=1 (the defaults) that verifies', async () => {
    const hasher = await createPasswordHasher({ config: DEFAULTS });
    const stored = await hasher.hashPassword(PASSWORD);
    expect(stored.startsWith('$argon2id$v=19$')).toBe(true);
    const parameters = parseArgon2PHC(stored)!;
    expect(parameters.memoryKiB).toBeGreaterThanOrEqual(19456);
    expect(parameters.iterations).toBeGreaterThanOrEqual(2);
    expect(parameters.parallelism).toBeGreaterThanOrEqual(1);
    expect(parameters).toMatchObject({ memoryKiB: DEFAULTS.argon2.memoryKiB, iterations: DEFAULTS.argon2.iterations });
    // The PHC string is checkable by any Argon2 implementation, not only through our wrapper.
    expect(await realVerify(stored, PASSWORD)).toBe(true);
    await expect(hasher.verifyPassword(stored, PASSWORD)).resolves.toEqual({ valid: true, needsRehash: false });
  });

  it('never verifies a different password, and salts every hash (same password, different strings)', async () => {
    const hasher = await createPasswordHasher({ config: DEFAULTS });
    const [first, second] = await Promise.all([hasher.hashPassword(PASSWORD), hasher.hashPassword(PASSWORD)]);
    expect(first).not.toBe(second);
    // 16-byte salt → 22 unpadded base64 characters.
    expect(first.split('$')[4]).toHaveLength(22);
    await expect(hasher.verifyPassword(first, 'correct horse battery stapler')).resolves.toEqual({ valid: false, needsRehash: false });
    await expect(hasher.verifyPassword(first, '')).resolves.toEqual({ valid: false, needsRehash: false });
  });

  it('uses stronger configured parameters as given', async () => {
    const hasher = await createPasswordHasher({ config: withArgon2({ memoryKiB: 24576, iterations: 3, parallelism: 2 }) });
    expect(parseArgon2PHC(await hasher.hashPassword(PASSWORD))).toEqual({
      variant: 'argon2id',
      version: 19,
      memoryKiB: 24576,
      iterations: 3,
      parallelism: 2,
    });
  });

  it('refuses to start with parameters below the OWASP minimums, even if the schema was bypassed', async () => {
    for (const weak of [{ memoryKiB: 19455 }, { iterations: 1 }, { parallelism: 0 }, { memoryKiB: 4096, iterations: 1 }]) {
      await expect(createPasswordHasher({ config: withArgon2(weak) }), JSON.stringify(weak)).rejects.toThrow(TypeError);
    }
    expect(ARGON2_MINIMUMS).toEqual({ memoryKiB: 19456, iterations: 2, parallelism: 1 });
  });

  it('refuses to store anything but Argon2id at the configured parameters, failing at start-up', async () => {
    // A binding (or seam) that produced Argon2i, or weaker parameters, is caught by the dummy hash.
    const argon2i: Argon2Functions = {
      hash: (password, options) => realHash(password, { ...options, algorithm: 1 as never }),
      verify: realVerify,
    };
    await expect(createPasswordHasher({ config: DEFAULTS, argon2: argon2i })).rejects.toThrow(TypeError);
    const weaker: Argon2Functions = { hash: (password, options) => realHash(password, { ...options, timeCost: 1 }), verify: realVerify };
    await expect(createPasswordHasher({ config: DEFAULTS, argon2: weaker })).rejects.toThrow(TypeError);
  });

  it('treats a stored value that is not an Argon2 PHC string as corrupt data (TypeError), without running Argon2', async () => {
    const { argon2, calls } = instrumentedArgon2();
    const hasher = await createPasswordHasher({ config: DEFAULTS, argon2 });
    calls.verify = 0;
    for (const stored of ['', PASSWORD, '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW']) {
      const error = await hasher.verifyPassword(stored, PASSWORD).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TypeError);
      expect(String(error)).not.toContain(PASSWORD);
    }
    expect(calls.verify).toBe(0);
  });
});

describe('rehash on stronger parameters (ASVS V6.2.10: a valid password stays valid)', () => {
  it('asks for a rehash when memory, iterations or lanes were raised, and the password still verifies', async () => {
    const stored = await (await createPasswordHasher({ config: DEFAULTS })).hashPassword(PASSWORD);
    for (const raised of [{ memoryKiB: 24576 }, { iterations: 3 }, { parallelism: 2 }]) {
      const stronger = await createPasswordHasher({ config: withArgon2(raised) });
      await expect(stronger.verifyPassword(stored, PASSWORD), JSON.stringify(raised)).resolves.toEqual({ valid: true, needsRehash: true });
      // The wrong password is still wrong, and is not an occasion to rehash.
      await expect(stronger.verifyPassword(stored, 'not the password at all')).resolves.toEqual({ valid: false, needsRehash: false });
      // The replacement hash is current.
      const replacement = await stronger.hashPassword(PASSWORD);
      await expect(stronger.verifyPassword(replacement, PASSWORD)).resolves.toEqual({ valid: true, needsRehash: false });
    }
  });

  it('does not ask for a rehash when the stored hash is stronger than today’s settings', async () => {
    const stronger = await (await createPasswordHasher({ config: withArgon2({ iterations: 3 }) })).hashPassword(PASSWORD);
    const hasher = await createPasswordHasher({ config: DEFAULTS });
    await expect(hasher.verifyPassword(stronger, PASSWORD)).resolves.toEqual({ valid: true, needsRehash: false });
  });

  it('asks for a rehash of a valid non-Argon2id (argon2i) hash', async () => {
    const legacy = await realHash(PASSWORD, { algorithm: 1 as never, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(legacy.startsWith('$argon2i$')).toBe(true);
    const hasher = await createPasswordHasher({ config: DEFAULTS });
    await expect(hasher.verifyPassword(legacy, PASSWORD)).resolves.toEqual({ valid: true, needsRehash: true });
  });
});

describe('the password is verified as received, after NFKC only (ASVS V6.2.8, NIST SP 800-63B-4 §3.1.1.2)', () => {
  it('verifies the same password typed with a ligature, full-width digits or a combining accent', async () => {
    const hasher = await createPasswordHasher({ config: DEFAULTS });
    const stored = await hasher.hashPassword('\uFB01ve caf\u00E9 \uFF11\uFF12\uFF13 horses');
    await expect(hasher.verifyPassword(stored, 'five cafe\u0301 123 horses')).resolves.toMatchObject({ valid: true });
    // What was hashed is the NFKC form; neither typed form verifies against the raw Argon2 check,
    // so it is the normalization that makes them equal (remove it and the first assertion fails).
    expect(await realVerify(stored, 'five caf\u00E9 123 horses')).toBe(true);
    expect(await realVerify(stored, 'five cafe\u0301 123 horses')).toBe(false);
    expect(await realVerify(stored, '\uFB01ve caf\u00E9 \uFF11\uFF12\uFF13 horses')).toBe(false);
  });

  it('is case-sensitive, keeps surrounding spaces and never truncates', async () => {
    const hasher = await createPasswordHasher({ config: DEFAULTS });
    const long = 'a'.repeat(127) + 'b';
    const [mixed, spaced, stored] = await Promise.all([
      hasher.hashPassword('Correct Horse Battery Staple'),
      hasher.hashPassword(' correct horse battery staple '),
      hasher.hashPassword(long),
    ]);
    await expect(hasher.verifyPassword(mixed, 'correct horse battery staple')).resolves.toMatchObject({ valid: false });
    await expect(hasher.verifyPassword(mixed, 'CORRECT HORSE BATTERY STAPLE')).resolves.toMatchObject({ valid: false });
    await expect(hasher.verifyPassword(spaced, 'correct horse battery staple')).resolves.toMatchObject({ valid: false });
    await expect(hasher.verifyPassword(stored, long)).resolves.toMatchObject({ valid: true });
    // Differs only in the 128th character (bcrypt would have stopped at 72 bytes).
    await expect(hasher.verifyPassword(stored, 'a'.repeat(128))).resolves.toMatchObject({ valid: false });
    await expect(hasher.verifyPassword(stored, long.slice(0, 72))).resolves.toMatchObject({ valid: false });
  });
});

describe('sign-in does the same work for known and unknown accounts (ASVS V6.3.8)', () => {
  it('runs exactly one Argon2 verification and no hash on both paths', async () => {
    const { argon2, calls } = instrumentedArgon2();
    const hasher = await createPasswordHasher({ config: DEFAULTS, argon2 });
    // Start-up computed the dummy hash: one hash, no verification.
    expect(calls).toMatchObject({ hash: 1, verify: 0 });
    const stored = await realHash(PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 });

    calls.hash = 0;
    // Known account.
    await hasher.verifyPassword(stored, 'a wrong guess at the password');
    expect(calls).toMatchObject({ hash: 0, verify: 1 });
    // Unknown account.
    await hasher.verifyDummy('a wrong guess at the password');
    expect(calls).toMatchObject({ hash: 0, verify: 2 });

    // The dummy verification is real and as costly as a stored hash: an Argon2id PHC string with
    // exactly the configured parameters, computed once at start-up and reused.
    const dummy = calls.verified[1]!;
    expect(parseArgon2PHC(dummy)).toEqual(parseArgon2PHC(stored));
    await hasher.verifyDummy(PASSWORD);
    expect(calls.verified[2]).toBe(dummy);
    expect(calls).toMatchObject({ hash: 0, verify: 3 });
  });

  it('verifyDummy reveals nothing and is never a way in', async () => {
    const hasher = await createPasswordHasher({ config: DEFAULTS });
    await expect(hasher.verifyDummy(PASSWORD)).resolves.toBeUndefined();
    await expect(hasher.verifyDummy('')).resolves.toBeUndefined();
  });
});

describe('bounded hashing: at most maxConcurrentHashes at once, a bounded waiting line', () => {
  it('a burst of 20 hashes, verifications and dummy checks never has more than maxConcurrentHashes in flight', async () => {
    const { argon2, calls } = instrumentedArgon2();
    const hasher = await createPasswordHasher({ config: { ...DEFAULTS, maxConcurrentHashes: 4 }, argon2 });
    const stored = await hasher.hashPassword(PASSWORD);
    calls.peak = 0;
    const burst = Array.from({ length: 20 }, (_, i) =>
      i % 3 === 0
        ? hasher.hashPassword(`${PASSWORD} ${i}`)
        : i % 3 === 1
          ? hasher.verifyPassword(stored, PASSWORD)
          : hasher.verifyDummy(PASSWORD),
    );
    await Promise.resolve();
    expect(hasher.activeHashes).toBe(4);
    expect(hasher.queuedHashes).toBe(16);
    const results = await Promise.all(burst);
    expect(results).toHaveLength(20);
    expect(calls.peak).toBe(4);
    expect(hasher.activeHashes).toBe(0);
    expect(hasher.queuedHashes).toBe(0);
  });

  it('with one slot, 20 concurrent hashes run strictly one at a time', async () => {
    const { argon2, calls } = instrumentedArgon2();
    const hasher = await createPasswordHasher({ config: { ...DEFAULTS, maxConcurrentHashes: 1 }, argon2 });
    calls.peak = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => hasher.hashPassword(`${PASSWORD} ${i}`)));
    expect(calls.peak).toBe(1);
  });

  it('refuses at once with SERVICE_UNAVAILABLE (503, Retry-After) when the line is full, then recovers', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    let computations = 0;
    // The real Argon2, except that while `holding` each call first waits for `release`.
    const argon2: Argon2Functions = {
      hash: async (password, options) => {
        computations++;
        if (holding) await held;
        return realHash(password, options);
      },
      verify: async (hashed, password) => {
        computations++;
        if (holding) await held;
        return realVerify(hashed, password);
      },
    };
    const hasher = await createPasswordHasher({ config: { ...DEFAULTS, maxConcurrentHashes: 1 }, argon2, maxQueuedHashes: 3 });
    holding = true;
    computations = 0;
    const accepted = [
      hasher.hashPassword('first'),
      hasher.verifyDummy('second'),
      hasher.hashPassword('third'),
      hasher.verifyDummy('fourth'),
    ];
    await Promise.resolve();
    expect(hasher.activeHashes).toBe(1);
    expect(hasher.queuedHashes).toBe(3);

    const refusal = await hasher.hashPassword('fifth password in line').catch((caught: unknown) => caught);
    expect(isAppError(refusal)).toBe(true);
    expect(refusal).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, headers: { 'retry-after': '5' } });
    expect(JSON.stringify(refusal)).not.toContain('fifth password');
    await expect(hasher.verifyDummy('sixth')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    // Refused requests never reached Argon2.
    expect(computations).toBe(1);

    release();
    await Promise.all(accepted);
    holding = false;
    await expect(hasher.hashPassword('after the burst')).resolves.toMatch(/^\$argon2id\$/);
  });

  it('defaults the waiting line to 1000', () => {
    expect(MAX_QUEUED_HASHES).toBe(1000);
  });
});
