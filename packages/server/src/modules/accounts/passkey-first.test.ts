/**
 * Passkey-first sign-up, end to end over HTTP with a software authenticator: sign up with an
 * email address alone, confirm it with the emailed code (a DPoP proof and a device name), get a
 * session that can only register a passkey, register one, then sign in with it like anyone
 * else. The same with passwords turned on (the password is optional) and off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, waitForMail } from '../../test-support/dpop-client.ts';
import { SoftwareAuthenticator, registerPasskey, signInWithPasskey } from '../../test-support/software-authenticator.ts';
import { confirmWithDevice, confirmationCode, passkeyFirstEnrolment, signUpWithoutPassword } from './test-support/passkey-first.ts';

const settings = testDatabases().flatMap(({ dialect }) => [
  { dialect, passwords: true },
  { dialect, passwords: false },
]);

describe.each(settings)('passkey-first sign-up ($dialect, passwords.enabled: $passwords)', ({ dialect, passwords }) => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ dialect, config: { passwords: { enabled: passwords } } });
  });
  afterAll(() => app.close());

  it('email, code, a session that can only register a passkey, then a normal passkey sign-in', async () => {
    const email = 'newcomer@example.test';
    const device = await passkeyFirstEnrolment(app, email);
    expect(device.tokens).toMatchObject({ tokenType: 'DPoP', aal: 'aal1' });

    const me = await device.call('GET', '/v1/accounts/me');
    expect(me.json()).toMatchObject({ email, emailVerified: true, roles: ['patient'] });
    // Anything but enrolment is refused.
    const records = await device.call('GET', '/v1/records/me/entries');
    expect(records.json<{ code: string }>().code).toBe('MFA_ENROLMENT_REQUIRED');

    const key = new SoftwareAuthenticator();
    expect((await registerPasskey(device, key)).statusCode).toBe(201);

    const phone = new TestDevice(app);
    expect((await signInWithPasskey(phone, key)).statusCode).toBe(201);
    expect(phone.tokens?.aal).toBe('aal2_phr');
    const full = await phone.call('GET', '/v1/sessions');
    expect(full.statusCode).toBe(200);
  });

  it('a confirmation without a device verifies the address and opens no session; signing up again sends a new code', async () => {
    const email = 'later@example.test';
    const device = new TestDevice(app);
    expect((await signUpWithoutPassword(device, email)).statusCode).toBe(202);
    const first = await confirmationCode(app, email);
    const plain = await device.send({ method: 'POST', url: '/v1/accounts/verify-email', payload: { email, code: first } });
    expect(plain.statusCode).toBe(200);
    expect(plain.json()).toMatchObject({ email, emailVerified: true });

    // Still no way in: the mailbox can ask again and finish on a device.
    expect((await signUpWithoutPassword(device, email)).statusCode).toBe(202);
    let second = await confirmationCode(app, email);
    // Mail leaves off the request path: wait for the second message.
    for (let i = 0; second === first && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      second = await confirmationCode(app, email);
    }
    expect((await confirmWithDevice(device, email, second)).statusCode).toBe(201);
    expect((await registerPasskey(device, new SoftwareAuthenticator())).statusCode).toBe(201);
  });

  it('a sign-up for an address that has a passkey tells its owner how to sign in, with "Forgot password" only when passwords are on', async () => {
    const email = 'settled-owner@example.test';
    const device = await passkeyFirstEnrolment(app, email);
    expect((await registerPasskey(device, new SoftwareAuthenticator())).statusCode).toBe(201);
    expect((await signUpWithoutPassword(new TestDevice(app), email)).statusCode).toBe(202);
    const note = (await waitForMail(app, email, { subject: /sign-up attempt/i })).body.replace(/\s+/g, ' ');
    expect(note).toContain('with your passkey');
    if (passwords) expect(note).toContain('"Forgot password"');
    else expect(note).not.toMatch(/password/i);
  });
});
