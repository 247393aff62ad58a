/**
 * @module modules/accounts/test-support/passkey-first
 *
 * Drives passkey-first sign-up over HTTP as an app does: sign up with the address alone, read
 * the code from the development outbox, confirm it with a device and a DPoP proof.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { TokenResponse } from '@portcullis/protocol';
import type { App } from '../../../app.ts';
import { TestDevice, codeIn, waitForMail } from '../../../test-support/dpop-client.ts';

export const TEST_DEVICE = { label: 'Test phone', platform: 'ios' } as const;

export async function signUpWithoutPassword(device: TestDevice, email: string): Promise<LightMyRequestResponse> {
  return device.send({ method: 'POST', url: '/v1/accounts', payload: { email } });
}

/** The newest confirmation code mailed to `email`. */
export async function confirmationCode(app: App, email: string): Promise<string> {
  return codeIn((await waitForMail(app, email, { subject: /confirm your email/i })).body);
}

/** Confirms with a device (and the device's DPoP proof); on 201 the device holds the session. */
export async function confirmWithDevice(device: TestDevice, email: string, code: string): Promise<LightMyRequestResponse> {
  const response = await device.send({ method: 'POST', url: '/v1/accounts/verify-email', payload: { email, code, device: TEST_DEVICE } });
  if (response.statusCode === 201) device.tokens = response.json<TokenResponse>();
  return response;
}

/** Sign-up, code, confirmation: a device holding the enrolment session of a new passkey-first account. */
export async function passkeyFirstEnrolment(app: App, email: string): Promise<TestDevice> {
  const device = new TestDevice(app);
  const signUp = await signUpWithoutPassword(device, email);
  if (signUp.statusCode !== 202) throw new Error(`sign-up failed: ${signUp.body}`);
  const confirmed = await confirmWithDevice(device, email, await confirmationCode(app, email));
  if (confirmed.statusCode !== 201) throw new Error(`confirmation failed: ${confirmed.body}`);
  return device;
}
