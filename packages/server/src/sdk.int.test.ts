/**
 * The client SDK against the real server over a real socket: sign-up, emailed code,
 * verification, DPoP-bound sign-in (the SDK's non-extractable WebCrypto key), authenticated
 * calls with the server nonce, refresh, session management and sign-out.
 */
import { outboxMessages } from './test-support/outbox.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, TOTP } from 'otpauth';
import { MemoryTokenStore, PortcullisClient, isApiError, isMfaRequired, type PasskeyAuthenticator } from '@portcullis/sdk';
import { SoftwareAuthenticator } from './test-support/software-authenticator.ts';
import type { RunningServer } from './server.ts';
import { startRealTestServer } from './test-support/real-server.ts';
import { codeIn, waitForMail } from './test-support/dpop-client.ts';

describe('SDK ↔ server', () => {
  let server: RunningServer;
  let baseUrl: string;
  beforeAll(async () => {
    ({ server, baseUrl } = await startRealTestServer({ config: () => ({ mfa: { smsCodes: { enabled: true } } }) }));
  });
  afterAll(() => server.close());

  const client = () => new PortcullisClient({ baseUrl, tokenStore: new MemoryTokenStore() });
  const password = 'correct horse battery staple';
  const device = { label: 'SDK test', platform: 'web' as const };

  it('signs up, verifies, signs in, calls, refreshes and signs out', async () => {
    const sdk = client();
    const email = 'sdk@example.test';
    await sdk.signUp({ email, password });
    const code = codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);
    expect(await sdk.verifyEmail({ email, code, device })).toMatchObject({ email, emailVerified: true });

    const session = await sdk.signIn({ email, password, device });
    expect(session).toBeDefined();
    expect(await sdk.getAccount()).toMatchObject({ email });
    const { sessions } = await sdk.listSessions();
    expect(sessions).toEqual([expect.objectContaining({ current: true, device })]);

    await sdk.refresh();
    expect(await sdk.getAccount()).toMatchObject({ email });

    await sdk.signOut();
    await expect(sdk.getAccount()).rejects.toThrow();
  });

  it('surfaces server refusals as typed ApiErrors', async () => {
    const sdk = client();
    const error: unknown = await sdk.signIn({ email: 'nobody@example.test', password, device }).catch((e: unknown) => e);
    expect(isApiError(error, 'AUTH_INVALID_CREDENTIALS')).toBe(true);
  });

  it('surfaces a paused password as AUTH_PASSWORD_THROTTLED with the time to wait (V6.3.1)', async () => {
    const sdk = client();
    const guess = () =>
      sdk.signIn({ email: 'guessed@example.test', password: 'a wrong but long passphrase', device }).catch((e: unknown) => e);
    // The default ladder allows 5 wrong passwords a minute for one address from one network.
    for (let i = 0; i < 5; i += 1) expect(isApiError(await guess(), 'AUTH_INVALID_CREDENTIALS')).toBe(true);
    const paused = await guess();
    expect(isApiError(paused, 'AUTH_PASSWORD_THROTTLED')).toBe(true);
    expect(paused).toMatchObject({ status: 429, retryAfterSeconds: expect.any(Number) as unknown });
  });

  it('revokes another device’s session', async () => {
    const email = 'two-devices@example.test';
    const phone = client();
    await phone.signUp({ email, password });
    const code = codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);
    await phone.verifyEmail({ email, code, device });
    await phone.signIn({ email, password, device });
    // The laptop is a device the account has never used: the password alone opens nothing.
    const laptop = client();
    const newDevice: unknown = await laptop
      .signIn({ email, password, device: { label: 'Laptop', platform: 'web' } })
      .catch((e: unknown) => e);
    if (!isMfaRequired(newDevice)) throw new Error('expected MFA_REQUIRED');
    expect(newDevice.challenge).toMatchObject({ reason: 'new_device', methods: ['email_code'], level: 'aal1' });
    await laptop.sendSignInCode({ challenge: newDevice.challenge.token, channel: 'email' });
    const emailed = codeIn((await waitForMail(server.app, email, { subject: /sign-in code/i })).body);
    expect((await laptop.completeSignIn({ challenge: newDevice.challenge.token, method: 'email_code', code: emailed })).aal).toBe('aal1');
    expect(await phone.revokeOtherSessions()).toEqual({ revoked: 1 });
    await expect(laptop.getAccount()).rejects.toThrow();
    expect(await phone.getAccount()).toMatchObject({ email });
  });

  it('adds an authenticator app, then signs in with MFA_REQUIRED and a recovery code', async () => {
    const email = 'mfa-sdk@example.test';
    const phone = client();
    await phone.signUp({ email, password });
    const code = codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);
    await phone.verifyEmail({ email, code, device });
    await phone.signIn({ email, password, device });
    const enrolment = await phone.startTotpEnrolment('Phone');
    const totp = new TOTP({ secret: Secret.fromBase32(enrolment.secret), algorithm: 'SHA1', digits: 6, period: 30 });
    const { recoveryCodes } = await phone.confirmTotpEnrolment(enrolment.factorId, totp.generate());
    expect(recoveryCodes?.codes).toHaveLength(10);

    const laptop = client();
    const required: unknown = await laptop.signIn({ email, password, device }).catch((e: unknown) => e);
    if (!isMfaRequired(required)) throw new Error('expected MFA_REQUIRED');
    expect(required.challenge.methods).toEqual(['totp', 'recovery_code', 'email_code']);
    const wrong: unknown = await laptop
      .completeSignIn({ challenge: required.challenge.token, method: 'recovery_code', code: 'AAAAA-AAAAA' })
      .catch((e: unknown) => e);
    expect(isApiError(wrong, 'MFA_CODE_INVALID')).toBe(true);
    const session = await laptop.completeSignIn({
      challenge: required.challenge.token,
      method: 'recovery_code',
      code: recoveryCodes?.codes[0] ?? '',
    });
    expect(session).toBeDefined();
    expect(await laptop.getAccount()).toMatchObject({ email });
  });

  it('registers a passkey and signs in with it, no email or password (aal2_phr)', async () => {
    const email = 'passkey-sdk@example.test';
    const laptop = client();
    await laptop.signUp({ email, password });
    const code = codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);
    await laptop.verifyEmail({ email, code, device });
    await laptop.signIn({ email, password, device });
    // The adapter an app would write over its platform passkey API; here a software authenticator
    // producing real attestation and assertion objects.
    const software = new SoftwareAuthenticator();
    const authenticator: PasskeyAuthenticator = {
      create: (options) => Promise.resolve(software.register(options, { origin: baseUrl })),
      get: (options) => Promise.resolve(software.assert(options, { origin: baseUrl })),
    };
    expect(await laptop.registerPasskey(authenticator, 'Laptop')).toMatchObject({ name: 'Laptop', suspended: false });
    expect((await laptop.listPasskeys()).passkeys).toHaveLength(1);

    const phone = client();
    const session = await phone.signInWithPasskey(authenticator, { label: 'Phone', platform: 'ios' });
    expect(session).toBeDefined();
    expect(await phone.getAccount()).toMatchObject({ email });
  });

  it('adds a phone, then signs in with a texted code and with an emailed code', async () => {
    const email = 'sms-sdk@example.test';
    const phoneNumber = '+447700900777';
    const textCode = async (kind: RegExp): Promise<string> => {
      const rows = await outboxMessages(server.app, { to: phoneNumber, channel: 'sms' });
      return codeIn(rows.find((row) => kind.test(row.text))?.text ?? '');
    };
    const phone = client();
    await phone.signUp({ email, password });
    await phone.verifyEmail({
      email,
      code: codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body),
      device,
    });
    await phone.signIn({ email, password, device });
    const enrolment = await phone.startPhoneEnrolment(phoneNumber);
    expect(enrolment.phoneNumber).toBe('+44•••••••777');
    const { factor, recoveryCodes } = await phone.confirmPhoneEnrolment(enrolment.factorId, await textCode(/add this phone/));
    expect(factor).toMatchObject({ kind: 'phone', label: '+44•••••••777' });
    expect(recoveryCodes?.codes).toHaveLength(10);
    expect((await phone.listFactors()).factors.map((f) => f.kind)).toEqual(['phone', 'recovery_codes']);

    const laptop = client();
    const required: unknown = await laptop.signIn({ email, password, device }).catch((e: unknown) => e);
    if (!isMfaRequired(required)) throw new Error('expected MFA_REQUIRED');
    expect(required.challenge.methods).toEqual(['sms_code', 'recovery_code', 'email_code']);
    const sent = await laptop.sendSignInCode({ challenge: required.challenge.token, channel: 'sms' });
    expect(sent).toMatchObject({ channel: 'sms', destination: '+44•••••••777', sendsLeft: 2 });
    const tooSoon: unknown = await laptop
      .sendSignInCode({ challenge: required.challenge.token, channel: 'email' })
      .catch((e: unknown) => e);
    expect(isApiError(tooSoon, 'RATE_LIMITED') && tooSoon.retryAfterSeconds).toBeGreaterThan(0);
    const session = await laptop.completeSignIn({
      challenge: required.challenge.token,
      method: 'sms_code',
      code: await textCode(/sign-in code/),
    });
    expect(session.aal).toBe('aal2');

    const tablet = client();
    const again: unknown = await tablet.signIn({ email, password, device }).catch((e: unknown) => e);
    if (!isMfaRequired(again)) throw new Error('expected MFA_REQUIRED');
    await tablet.sendSignInCode({ challenge: again.challenge.token, channel: 'email' });
    const mail = await waitForMail(server.app, email, { subject: /sign-in code/i });
    expect((await tablet.completeSignIn({ challenge: again.challenge.token, method: 'email_code', code: codeIn(mail.body) })).aal).toBe(
      'aal2',
    );

    // Removing the phone asks for a step-up, answered here with a recovery code.
    await tablet.removePhone(enrolment.factorId, (challenge) =>
      Promise.resolve(
        challenge.methods.includes('recovery_code') ? { method: 'recovery_code' as const, code: recoveryCodes?.codes[0] ?? '' } : null,
      ),
    );
    expect((await tablet.listFactors()).factors.map((f) => f.kind)).toEqual(['recovery_codes']);
  });
});
