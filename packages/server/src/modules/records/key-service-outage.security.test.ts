/**
 * When the HSM cannot be reached, a request that needs a person's data key answers
 * `503 KEY_SERVICE_UNAVAILABLE` with `Retry-After` — never the value in clear, never a 500 — and
 * the server recovers by itself once the HSM is back (ASVS V16.5.2 fail securely, V13.3.1).
 *
 * The outage is real: the SoftHSM2 token's directory is moved away, so the open session's key
 * handles die and reconnecting finds no token; moving it back restores service. The data-key
 * cache is off (`maxKeys: 0`) so that every read needs the key service, except in the last test,
 * which shows what a bounded cache keeps serving during an outage and what it does not.
 */
import { renameSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { testKeyServices } from '../../platform/kms/test-support/test-key-services.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import type { TestDevice } from '../../test-support/dpop-client.ts';
import { createAccount, saveProfile, signedInDevice } from '../../test-support/records-world.ts';
import { softHsmToken } from '../../test-support/softhsm.ts';

const DATE_OF_BIRTH = '1987-06-05';

describe.skipIf(softHsmToken() === null).each(testDatabases())('key service outage (PKCS#11 on SoftHSM2, $dialect)', ({ dialect }) => {
  let app: App;
  let patient: TestDevice;
  beforeAll(async () => {
    const pkcs11 = testKeyServices().find((kind) => kind.adapter === 'pkcs11')!;
    app = await buildTestApp({
      dialect,
      config: { keyService: { ...pkcs11.freshKeyService(), cache: { maxKeys: 0 } } },
    });
    patient = await signedInDevice(app, await createAccount(app, ['patient']));
    await saveProfile(patient, { displayName: 'Pat', dateOfBirth: DATE_OF_BIRTH });
  });
  afterAll(async () => {
    await app.close();
  });

  it('V16.5.2: answers 503 with Retry-After while the HSM is gone, never plaintext or a 500, and recovers after', async () => {
    const before = await patient.call('GET', '/v1/accounts/me/profile');
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain(DATE_OF_BIRTH);

    const { tokenDir } = softHsmToken()!;
    renameSync(tokenDir, `${tokenDir}.unreachable`);
    try {
      // The first request finds the session dead; later ones find no token to reconnect to.
      for (const request of [
        () => patient.call('GET', '/v1/accounts/me/profile'),
        () => patient.call('GET', '/v1/accounts/me/profile'),
        () => patient.call('PUT', '/v1/accounts/me/profile', { fields: { displayName: 'Pat', dateOfBirth: '1999-09-09' } }),
      ]) {
        const response = await request();
        expect(response.statusCode).toBe(503);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.json()).toMatchObject({ code: 'KEY_SERVICE_UNAVAILABLE' });
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(response.body).not.toContain(DATE_OF_BIRTH);
      }
    } finally {
      renameSync(`${tokenDir}.unreachable`, tokenDir);
    }

    // Back within the reconnection back-off (half a second): answered again without a restart.
    let after = await patient.call('GET', '/v1/accounts/me/profile');
    for (let waited = 0; after.statusCode === 503 && waited < 3_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await patient.call('GET', '/v1/accounts/me/profile');
    }
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain(DATE_OF_BIRTH);
  });
});

describe.skipIf(softHsmToken() === null)('key service outage with the data-key cache (PKCS#11 on SoftHSM2)', () => {
  it('serves only the people whose keys the bounded cache holds; everyone else gets 503', async () => {
    const pkcs11 = testKeyServices().find((kind) => kind.adapter === 'pkcs11')!;
    const app = await buildTestApp({ config: { keyService: { ...pkcs11.freshKeyService(), cache: { maxKeys: 1, ttlSeconds: 300 } } } });
    const { tokenDir } = softHsmToken()!;
    try {
      const evicted = await signedInDevice(app, await createAccount(app, ['patient']));
      await saveProfile(evicted, { displayName: 'Eve', dateOfBirth: '1970-01-01' });
      expect((await evicted.call('GET', '/v1/accounts/me/profile')).statusCode).toBe(200);
      const cached = await signedInDevice(app, await createAccount(app, ['patient']));
      await saveProfile(cached, { displayName: 'Pat', dateOfBirth: DATE_OF_BIRTH });
      expect((await cached.call('GET', '/v1/accounts/me/profile')).statusCode).toBe(200);

      renameSync(tokenDir, `${tokenDir}.unreachable`);
      try {
        // One key fits in the cache: the last person read is still served, the other is not.
        const served = await cached.call('GET', '/v1/accounts/me/profile');
        expect(served.statusCode).toBe(200);
        expect(served.body).toContain(DATE_OF_BIRTH);
        const refused = await evicted.call('GET', '/v1/accounts/me/profile');
        expect(refused.statusCode).toBe(503);
        expect(refused.json()).toMatchObject({ code: 'KEY_SERVICE_UNAVAILABLE' });
        expect(refused.body).not.toContain('1970-01-01');
      } finally {
        renameSync(`${tokenDir}.unreachable`, tokenDir);
      }
    } finally {
      await app.close();
    }
  });
});
