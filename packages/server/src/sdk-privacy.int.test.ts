/**
 * The SDK's privacy calls against the real server, used the way an app would: a patient answers
 * the step-up with their passkey to download their data and then to erase their account (the
 * SDK forgets the dead session); two administrators erase an account, the second approving the
 * first one's request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryTokenStore,
  PortcullisClient,
  isApiError,
  isClientError,
  type PasskeyAuthenticator,
  type StepUpPrompt,
} from '@portcullis/sdk';
import { eraseMyAccount, exportMyData } from '@portcullis/sdk/accounts';
import { approveErasure, listPendingErasures, requestErasure } from '@portcullis/sdk/admin';
import type { RunningServer } from './server.ts';
import { codeIn, waitForMail } from './test-support/dpop-client.ts';
import { setRoles } from './test-support/phone-harness.ts';
import { startRealTestServer } from './test-support/real-server.ts';
import { SoftwareAuthenticator } from './test-support/software-authenticator.ts';

describe('SDK privacy calls ↔ server', () => {
  let server: RunningServer;
  let baseUrl: string;
  beforeAll(async () => {
    ({ server, baseUrl } = await startRealTestServer());
  });
  afterAll(() => server.close());

  const password = 'correct horse battery staple';
  const device = { label: 'SDK test', platform: 'web' as const };

  /** A verified account with `roles`, signed in with its password, with a passkey registered. */
  async function account(email: string, roles: readonly string[]) {
    const sdk = new PortcullisClient({ baseUrl, tokenStore: new MemoryTokenStore() });
    await sdk.signUp({ email, password });
    const code = codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);
    const { id } = await sdk.verifyEmail({ email, code, device });
    await setRoles(server.app, id, roles);
    await sdk.signIn({ email, password, device });
    const software = new SoftwareAuthenticator();
    const authenticator: PasskeyAuthenticator = {
      create: (options) => Promise.resolve(software.register(options, { origin: baseUrl })),
      get: (options) => Promise.resolve(software.assert(options, { origin: baseUrl })),
    };
    await sdk.registerPasskey(authenticator, 'Phone');
    const prompt: StepUpPrompt = () => Promise.resolve({ method: 'passkey', authenticator });
    return { sdk, id, authenticator, prompt };
  }

  it('a patient downloads their data, then erases their account and holds a receipt', async () => {
    const patient = await account('privacy-sdk@clinic.test', ['patient']);
    const document = await exportMyData(patient.sdk, patient.prompt);
    expect(document).toMatchObject({ schemaVersion: 1, account: { id: patient.id, email: 'privacy-sdk@clinic.test' } });
    expect(document.passkeys).toHaveLength(1);
    await expect(exportMyData(patient.sdk, () => Promise.resolve(null))).rejects.toSatisfy((e) => isApiError(e, 'STEP_UP_REQUIRED'));

    const receipt = await eraseMyAccount(patient.sdk, patient.prompt);
    expect(receipt).toMatchObject({ accountId: patient.id, erased: { passkeys: 1 }, dataKeysDestroyed: expect.any(Number) as number });
    await expect(patient.sdk.getAccount()).rejects.toSatisfy((e) => isClientError(e, 'NOT_SIGNED_IN'));
  });

  it('an administrator asks for an erasure, a second one approves it', async () => {
    const [alice, bob] = [await account('alice-erase@clinic.test', ['admin']), await account('bob-erase@clinic.test', ['admin'])];
    for (const admin of [alice, bob]) await admin.sdk.signInWithPasskey(admin.authenticator, device);
    const patient = await account('erased-by-admins@clinic.test', ['patient']);
    const request = await requestErasure(alice.sdk, patient.id, 'ticket 4711', alice.prompt);
    expect((await listPendingErasures(bob.sdk)).erasures.map((e) => e.id)).toContain(request.id);
    await expect(approveErasure(alice.sdk, request.id, alice.prompt)).rejects.toSatisfy((e) => isApiError(e, 'ERASURE_APPROVER_INVALID'));
    const receipt = await approveErasure(bob.sdk, request.id, bob.prompt);
    expect(receipt).toMatchObject({ receiptId: request.id, accountId: patient.id, requestedBy: alice.id, approvedBy: bob.id });
    await expect(patient.sdk.getAccount()).rejects.toSatisfy(
      (e) => isApiError(e, 'AUTH_REFRESH_INVALID') || isApiError(e, 'AUTH_REQUIRED'),
    );
  });
});
