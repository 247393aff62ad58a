/**
 * Invariant: sign-in, sign-up and reset do not reveal whether an address has an account — same
 * status, same body, same work. The Argon2id seam counts real computations: exactly one per
 * sign-in attempt whether the address is unknown, the password wrong, or the account has no
 * password. ASVS V6.3.8 (no enumeration), V6.2.x.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { createCountingHasher, type CountingHasher } from '../../test-support/counting-hasher.ts';
import { TestDevice, createVerifiedAccount } from '../../test-support/dpop-client.ts';

describe('no account enumeration through sign-in (V6.3.8)', () => {
  let app: App;
  let device: TestDevice;
  let calls: CountingHasher['calls'];

  beforeEach(async () => {
    const counting = await createCountingHasher();
    calls = counting.calls;
    app = await buildTestApp({ passwordHasher: counting.passwordHasher });
    device = new TestDevice(app);
  });
  afterEach(() => app.close());

  async function attempt(email: string, password: string): Promise<{ status: number; body: unknown; argon2: number }> {
    const before = calls.hash + calls.verify;
    const response = await device.signIn(email, password);
    const body = response.json<Record<string, unknown>>();
    delete body['requestId'];
    return { status: response.statusCode, body, argon2: calls.hash + calls.verify - before };
  }

  it('answers an unknown address and a wrong password identically, after exactly one Argon2id computation each', async () => {
    const { email } = await createVerifiedAccount(app, device, 'known@example.test');
    // The device fetched a nonce while signing up; every attempt below is a single request.
    const unknown = await attempt('unknown@example.test', 'some long wrong passphrase');
    const wrong = await attempt(email, 'some long wrong passphrase');
    expect(unknown).toEqual(wrong);
    expect(unknown).toEqual({ status: 401, body: expect.objectContaining({ code: 'AUTH_INVALID_CREDENTIALS' }) as unknown, argon2: 1 });
  });

  it('a successful sign-in also costs exactly one Argon2id computation', async () => {
    const { email, password } = await createVerifiedAccount(app, device, 'ok@example.test');
    expect((await attempt(email, password)).argon2).toBe(1);
  });

  it('sign-up costs the same hash whether or not the address is taken', async () => {
    await createVerifiedAccount(app, device, 'taken@example.test');
    const before = calls.hash;
    const taken = await device.send({
      method: 'POST',
      url: '/v1/accounts',
      payload: { email: 'taken@example.test', password: 'a brand new passphrase' },
    });
    const afterTaken = calls.hash;
    const fresh = await device.send({
      method: 'POST',
      url: '/v1/accounts',
      payload: { email: 'free@example.test', password: 'a brand new passphrase' },
    });
    expect(afterTaken - before).toBe(1);
    expect(calls.hash - afterTaken).toBe(1);
    expect([taken.statusCode, taken.json()]).toEqual([fresh.statusCode, fresh.json()]);
  });

  it('a wrong password-reset code costs no Argon2id work (code guesses cannot load the hash queue)', async () => {
    const { email } = await createVerifiedAccount(app, device, 'reset-cost@example.test');
    await device.send({ method: 'POST', url: '/v1/accounts/password-reset', payload: { email } });
    const before = calls.hash + calls.verify;
    const guess = await device.send({
      method: 'POST',
      url: '/v1/accounts/password-reset/confirm',
      payload: { email, code: '00000000', newPassword: 'a brand new passphrase' },
    });
    expect(guess.json()).toMatchObject({ code: 'VERIFICATION_CODE_INVALID' });
    expect(calls.hash + calls.verify - before).toBe(0);
  });
});
