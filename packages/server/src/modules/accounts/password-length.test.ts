/**
 * `passwords.minLengthWithSecondFactor` (NIST SP 800-63B-4 §3.1.1.2, ASVS V6.2.1): a password
 * that a sign-in always pairs with a second factor may be as short as 8 characters; a password
 * that is the only factor needs 15. Which one applies is decided from the account's confirmed
 * factors when the password is set: a sign-up never has one; a change has the account; a reset
 * learns it only once the emailed code is proven, so an address without a factor answers the
 * same as one with a factor until then.
 */
import type { LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import type { TotpEnrolment } from '@portcullis/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, codeIn, createVerifiedAccount, waitForMail } from '../../test-support/dpop-client.ts';

const PASSWORD = 'correct horse battery staple';
/** 10 characters: enough with a second factor (8), too short alone (15); not on the blocklist. */
const SHORT = 'qz7!Kp2#vL';

function authenticatorCode(secret: string): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate();
}

/** A signed-in person (aal1 session) who has confirmed an authenticator app through the API. */
async function personWithAuthenticatorApp(app: App, email: string): Promise<TestDevice> {
  const device = new TestDevice(app);
  await createVerifiedAccount(app, device, email, PASSWORD);
  expect((await device.signIn(email, PASSWORD)).statusCode).toBe(201);
  const enrolment = (await device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
  const confirm = await device.call('POST', `/v1/mfa/totp/${enrolment.factorId}/confirm`, { code: authenticatorCode(enrolment.secret) });
  expect(confirm.statusCode).toBe(200);
  return device;
}

async function signedInWithPasswordOnly(app: App, email: string): Promise<TestDevice> {
  const device = new TestDevice(app);
  await createVerifiedAccount(app, device, email, PASSWORD);
  expect((await device.signIn(email, PASSWORD)).statusCode).toBe(201);
  return device;
}

function changePassword(device: TestDevice, newPassword: string, currentPassword = PASSWORD) {
  return device.call('POST', '/v1/accounts/password', { currentPassword, newPassword });
}

async function resetCode(app: App, email: string): Promise<string> {
  expect((await new TestDevice(app).send({ method: 'POST', url: '/v1/accounts/password-reset', payload: { email } })).statusCode).toBe(202);
  return codeIn((await waitForMail(app, email, { subject: /reset/i })).body);
}

function confirmReset(app: App, email: string, code: string, newPassword: string) {
  return new TestDevice(app).send({ method: 'POST', url: '/v1/accounts/password-reset/confirm', payload: { email, code, newPassword } });
}

const problem = (response: LightMyRequestResponse) => {
  const body = response.json<{ code: string; errors?: { reason: string }[] }>();
  return [response.statusCode, body.code, body.errors?.map((e) => e.reason)];
};
const TOO_SHORT_ALONE = [400, 'PASSWORD_POLICY_VIOLATION', ['must be at least 15 characters']];

describe.each(testDatabases())('password minimum length follows the second factor ($dialect)', ({ dialect }) => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ dialect });
  });
  afterAll(() => app.close());

  it('a sign-up never has a second factor: 15 characters', async () => {
    const response = await new TestDevice(app).send({
      method: 'POST',
      url: '/v1/accounts',
      payload: { email: 'new@example.test', password: SHORT },
    });
    expect(problem(response)).toEqual([400, 'PASSWORD_POLICY_VIOLATION', ['must be at least 15 characters']]);
  });

  it('a change on an account with a confirmed authenticator app may use the shorter minimum; without one it may not', async () => {
    const withApp = await personWithAuthenticatorApp(app, 'with-app@example.test');
    expect((await changePassword(withApp, SHORT)).statusCode).toBe(204);
    expect((await changePassword(withApp, 'short7!', SHORT)).json<{ errors: { reason: string }[] }>().errors).toEqual([
      expect.objectContaining({ reason: 'must be at least 8 characters' }),
    ]);
    const alone = await signedInWithPasswordOnly(app, 'alone@example.test');
    expect(problem(await changePassword(alone, SHORT))).toEqual(TOO_SHORT_ALONE);
  });

  it('a reset on an account with a confirmed authenticator app may use the shorter minimum', async () => {
    await personWithAuthenticatorApp(app, 'reset-app@example.test');
    const code = await resetCode(app, 'reset-app@example.test');
    expect((await confirmReset(app, 'reset-app@example.test', code, SHORT)).statusCode).toBe(204);
  });

  it('a reset on a password-only account refuses the short password once the code is proven, and the code still works', async () => {
    const email = 'reset-alone@example.test';
    await signedInWithPasswordOnly(app, email);
    const code = await resetCode(app, email);
    expect(problem(await confirmReset(app, email, code, SHORT))).toEqual(TOO_SHORT_ALONE);
    expect((await confirmReset(app, email, code, 'a long enough new passphrase')).statusCode).toBe(204);
  });

  it('before the code is proven, a short password answers the same for an address with and without a second factor', async () => {
    await personWithAuthenticatorApp(app, 'probe-app@example.test');
    await signedInWithPasswordOnly(app, 'probe-alone@example.test');
    const answers = await Promise.all(
      ['probe-app@example.test', 'probe-alone@example.test', 'nobody@example.test'].map(async (email) =>
        problem(await confirmReset(app, email, '00000000', SHORT)),
      ),
    );
    expect(answers).toEqual([answers[0], answers[0], answers[0]]);
    expect(answers[0]?.[1]).toBe('VERIFICATION_CODE_INVALID');
  });
});
