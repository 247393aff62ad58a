/**
 * Raising the Argon2id parameters upgrades each stored hash at its owner's next successful
 * sign-in — and never locks anyone out (ASVS V6.2.10, V11.4.2).
 */
import { emailIndexOf } from '../../test-support/account-rows.ts';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { TestDevice, createVerifiedAccount } from '../../test-support/dpop-client.ts';
import { createLogger } from '../../platform/logging/logger.ts';

describe('password hash upgrade on sign-in', () => {
  it('rehashes with the new parameters after a successful sign-in, and only then', async () => {
    const config = testConfig();
    const before = await buildApp(config, { logger: createLogger(config) });
    const { email, password } = await createVerifiedAccount(before, new TestDevice(before), 'upgrade@example.test');
    await before.close();

    // The same deployment restarted with a higher memory cost.
    const raised = { ...config, passwords: { ...config.passwords, argon2: { ...config.passwords.argon2, memoryKiB: 24576 } } };
    const after = await buildApp(raised, { logger: createLogger(raised) });
    const storedHash = async () =>
      (
        await after.portcullis.database.db
          .selectFrom('accounts')
          .select('password_hash')
          .where('email_index', '=', await emailIndexOf(after, email))
          .executeTakeFirstOrThrow()
      ).password_hash;
    expect(await storedHash()).toMatch(/\$m=19456,/);

    const device = new TestDevice(after);
    expect((await device.signIn(email, 'a wrong passphrase entirely')).statusCode).toBe(401);
    expect(await storedHash()).toMatch(/\$m=19456,/); // a failed attempt changes nothing
    expect((await device.signIn(email, password)).statusCode).toBe(201);
    expect(await storedHash()).toMatch(/\$m=24576,/);
    expect((await new TestDevice(after).signIn(email, password)).statusCode).toBe(201);
    await after.close();
  });
});
