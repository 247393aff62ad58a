/**
 * @module test-support/counting-hasher
 *
 * The server's real Argon2id hasher, with a seam that counts every computation (hash or verify),
 * so a test can prove how much password work a request did: one per sign-in on every path, or
 * none for a refused one.
 */
import { hash, verify } from '@node-rs/argon2';
import { createPasswordHasher, type PasswordHasher } from '../modules/accounts/index.ts';
import { testConfig } from './build-test-app.ts';

export interface CountingHasher {
  readonly passwordHasher: PasswordHasher;
  readonly calls: { hash: number; verify: number };
  /** Hashes and verifications so far. */
  computations(): number;
}

export async function createCountingHasher(): Promise<CountingHasher> {
  const calls = { hash: 0, verify: 0 };
  const passwordHasher = await createPasswordHasher({
    config: testConfig().passwords,
    argon2: {
      hash: (password, options) => {
        calls.hash += 1;
        return hash(password, options);
      },
      verify: (stored, password) => {
        calls.verify += 1;
        return verify(stored, password);
      },
    },
  });
  return { passwordHasher, calls, computations: () => calls.hash + calls.verify };
}
