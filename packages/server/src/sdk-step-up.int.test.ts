/**
 * The SDK's step-up helper against the real server over a real socket: an action answered
 * `401 STEP_UP_REQUIRED` is confirmed with a recovery code or a passkey through
 * `fetchWithStepUp`, which repeats the identical request with the `Portcullis-Step-Up` header.
 * ASVS V7.5.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, TOTP } from 'otpauth';
import { MemoryTokenStore, PortcullisClient, isApiError, type AuthChallenge, type PasskeyAuthenticator } from '@portcullis/sdk';
import { SoftwareAuthenticator } from './test-support/software-authenticator.ts';
import type { RunningServer } from './server.ts';
import { startRealTestServer } from './test-support/real-server.ts';
import { codeIn, waitForMail } from './test-support/dpop-client.ts';

describe('SDK step-up ↔ server', () => {
  let server: RunningServer;
  let baseUrl: string;
  beforeAll(async () => {
    ({ server, baseUrl } = await startRealTestServer());
  });
  afterAll(() => server.close());

  const password = 'correct horse battery staple';
  const device = { label: 'SDK test', platform: 'web' as const };

  async function signedIn(email: string): Promise<PortcullisClient> {
    const sdk = new PortcullisClient({ baseUrl, tokenStore: new MemoryTokenStore() });
    await sdk.signUp({ email, password });
    const code = codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);
    await sdk.verifyEmail({ email, code, device });
    await sdk.signIn({ email, password, device });
    return sdk;
  }

  it('confirms replacing recovery codes with a recovery code and repeats the request once', async () => {
    const sdk = await signedIn('step-up-sdk@example.test');
    const enrolment = await sdk.startTotpEnrolment('Phone');
    const totp = new TOTP({ secret: Secret.fromBase32(enrolment.secret), algorithm: 'SHA1', digits: 6, period: 30 });
    const { recoveryCodes } = await sdk.confirmTotpEnrolment(enrolment.factorId, totp.generate());
    const codes = recoveryCodes?.codes ?? [];

    const challenges: AuthChallenge[] = [];
    const response = await sdk.fetchWithStepUp('/v1/mfa/recovery-codes', { method: 'POST' }, (challenge) => {
      challenges.push(challenge);
      return Promise.resolve({ method: 'recovery_code', code: codes[0] ?? '' });
    });
    expect(response.status).toBe(201);
    expect((await response.json()) as { codes: string[] }).toMatchObject({ codes: expect.any(Array) as unknown });
    expect(challenges).toHaveLength(1);
    expect(challenges[0]).toMatchObject({ methods: ['totp', 'recovery_code'], level: 'aal2', expiresIn: 300 });

    // Cancelled by the person: the 401 comes back as it is.
    const cancelled = await sdk.fetchWithStepUp('/v1/mfa/recovery-codes', { method: 'POST' }, () => Promise.resolve(null));
    expect([cancelled.status, ((await cancelled.json()) as { code: string }).code]).toEqual([401, 'STEP_UP_REQUIRED']);

    // A wrong code is an ApiError; nothing was changed.
    const wrong: unknown = await sdk
      .fetchWithStepUp('/v1/mfa/recovery-codes', { method: 'POST' }, () =>
        Promise.resolve({ method: 'recovery_code', code: 'AAAAA-AAAAA' }),
      )
      .catch((error: unknown) => error);
    expect(isApiError(wrong, 'MFA_CODE_INVALID')).toBe(true);
  });

  it('confirms removing a passkey with a passkey (aal2_phr), whose options list the account’s passkeys', async () => {
    const sdk = await signedIn('step-up-passkey-sdk@example.test');
    const software = new SoftwareAuthenticator();
    const offered: unknown[] = [];
    const authenticator: PasskeyAuthenticator = {
      create: (options) => Promise.resolve(software.register(options, { origin: baseUrl })),
      get: (options) => {
        offered.push(options);
        return Promise.resolve(software.assert(options, { origin: baseUrl }));
      },
    };
    const passkey = await sdk.registerPasskey(authenticator, 'Laptop');
    const response = await sdk.fetchWithStepUp(`/v1/passkeys/${passkey.id}`, { method: 'DELETE' }, (challenge) =>
      Promise.resolve(challenge.methods.includes('passkey') ? { method: 'passkey', authenticator } : null),
    );
    expect(response.status).toBe(204);
    expect(offered).toEqual([expect.objectContaining({ allowCredentials: [expect.objectContaining({ id: software.credentialIds[0] })] })]);
    expect((await sdk.listPasskeys()).passkeys).toEqual([]);
  });
});
