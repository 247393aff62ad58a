/**
 * Invariant: with `passwords.enabled: false` no password is accepted, checked or hashed anywhere.
 * Every password route (password sign-in, password change, reset request and confirmation,
 * sign-up with a password) answers `403 PASSWORDS_DISABLED` before its body is read, with zero
 * Argon2id computations; the OpenAPI document says so; passkey-first sign-up and passkey sign-in
 * keep working. ASVS V6.1.3 (every authentication pathway is documented and has the same
 * controls: a switched-off pathway is really off), V6.3.8 (sign-up still answers the same for a
 * taken address).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { createCountingHasher, type CountingHasher } from '../../test-support/counting-hasher.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { SoftwareAuthenticator, registerPasskey, signInWithPasskey } from '../../test-support/software-authenticator.ts';
import { TEST_DEVICE, passkeyFirstEnrolment } from './test-support/passkey-first.ts';

const PASSPHRASE = 'a long enough passphrase for anyone';

/** Every route that exists only for passwords, with a body that would otherwise be valid. */
const PASSWORD_ROUTES = [
  { url: '/v1/sessions', payload: { email: 'someone@example.test', password: PASSPHRASE, device: TEST_DEVICE } },
  { url: '/v1/accounts/password-reset', payload: { email: 'someone@example.test' } },
  { url: '/v1/accounts/password-reset/confirm', payload: { email: 'someone@example.test', code: '12345678', newPassword: PASSPHRASE } },
  { url: '/v1/accounts', payload: { email: 'someone@example.test', password: PASSPHRASE } },
] as const;

interface OpenApiOperation {
  readonly description?: string;
  readonly requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
}

describe.each(testDatabases())('passwords.enabled: false ($dialect)', ({ dialect }) => {
  let app: App;
  let counting: CountingHasher;
  beforeAll(async () => {
    counting = await createCountingHasher();
    app = await buildTestApp({ dialect, config: { passwords: { enabled: false } }, passwordHasher: counting.passwordHasher });
  });
  afterAll(() => app.close());

  it.each(PASSWORD_ROUTES)('$url answers 403 PASSWORDS_DISABLED with no password work', async ({ url, payload }) => {
    const before = counting.computations();
    const response = await new TestDevice(app).send({ method: 'POST', url, payload });
    expect(response.statusCode).toBe(403);
    expect(response.json<{ code: string }>().code).toBe('PASSWORDS_DISABLED');
    expect(counting.computations()).toBe(before);
  });

  it.each(PASSWORD_ROUTES.filter((route) => route.url !== '/v1/accounts'))(
    '$url refuses before reading the body: an invalid body hears PASSWORDS_DISABLED, not a schema error',
    async ({ url }) => {
      const response = await new TestDevice(app).send({ method: 'POST', url, payload: { nonsense: true } });
      expect(response.json<{ code: string }>().code).toBe('PASSWORDS_DISABLED');
    },
  );

  it('password change answers PASSWORDS_DISABLED to a signed-in person, with no password work', async () => {
    const device = await passkeyFirstEnrolment(app, 'changer@example.test');
    const key = new SoftwareAuthenticator();
    expect((await registerPasskey(device, key)).statusCode).toBe(201);
    const signedIn = new TestDevice(app);
    expect((await signInWithPasskey(signedIn, key)).statusCode).toBe(201);
    const before = counting.computations();
    const response = await signedIn.call('POST', '/v1/accounts/password', { currentPassword: PASSPHRASE, newPassword: `${PASSPHRASE}!` });
    expect(response.statusCode).toBe(403);
    expect(response.json<{ code: string }>().code).toBe('PASSWORDS_DISABLED');
    expect(counting.computations()).toBe(before);
  });

  it('a sign-up with a password for a taken address answers exactly like one for a new address', async () => {
    await passkeyFirstEnrolment(app, 'taken@example.test');
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    const taken = await new TestDevice(app).send({
      method: 'POST',
      url: '/v1/accounts',
      payload: { email: 'taken@example.test', password: PASSPHRASE },
    });
    const fresh = await new TestDevice(app).send({
      method: 'POST',
      url: '/v1/accounts',
      payload: { email: 'fresh@example.test', password: PASSPHRASE },
    });
    expect([taken.statusCode, strip(taken.json())]).toEqual([fresh.statusCode, strip(fresh.json())]);
    expect(taken.statusCode).toBe(403);
  });

  it('passkey-first sign-up and passkey sign-in keep working, without any password work', async () => {
    const before = counting.computations();
    const device = await passkeyFirstEnrolment(app, 'passkey-only@example.test');
    const key = new SoftwareAuthenticator();
    expect((await registerPasskey(device, key)).statusCode).toBe(201);
    const phone = new TestDevice(app);
    expect((await signInWithPasskey(phone, key)).statusCode).toBe(201);
    expect(phone.tokens?.aal).toBe('aal2_phr');
    expect(counting.computations()).toBe(before);
  });

  it('the OpenAPI document says so: every password operation is described as disabled, and sign-up offers no password', async () => {
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, OpenApiOperation>>;
    }>();
    for (const path of ['/v1/sessions', '/v1/accounts/password', '/v1/accounts/password-reset', '/v1/accounts/password-reset/confirm']) {
      expect(document.paths[path]?.['post']?.description).toMatch(/PASSWORDS_DISABLED/);
    }
    const signUp = document.paths['/v1/accounts']?.['post'];
    const properties = signUp?.requestBody?.content['application/json']?.schema.properties ?? {};
    expect(Object.keys(properties)).toEqual(['email']);
  });
});
