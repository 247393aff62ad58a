/**
 * @module test-support/step-up-client
 *
 * Drives step-up over HTTP the way a client does: read the `STEP_UP_REQUIRED` challenge, answer
 * it with a code or a passkey (real WebAuthn assertions from the software authenticator), and
 * repeat a request with the `Portcullis-Step-Up` header. Test-only.
 */
import type { LightMyRequestResponse } from 'fastify';
import { STEP_UP_HEADER, type AuthChallenge, type StepUpPasskeyOptions } from '@portcullis/protocol';
import type { DeviceRequest, TestDevice } from './dpop-client.ts';
import { TEST_WEB_ORIGIN, type CeremonyOverrides, type SoftwareAuthenticator } from './software-authenticator.ts';

/** The challenge of a `401 STEP_UP_REQUIRED` answer; throws on any other answer. */
export function stepUpChallengeOf(response: LightMyRequestResponse): AuthChallenge {
  const problem = response.json<{ code?: string; challenge?: AuthChallenge }>();
  if (response.statusCode !== 401 || problem.code !== 'STEP_UP_REQUIRED' || !problem.challenge) {
    throw new Error(`expected 401 STEP_UP_REQUIRED, got ${response.statusCode}: ${response.body}`);
  }
  return problem.challenge;
}

/** `[status, code]` of a problem answer, for compact assertions. */
export function problemOf(response: LightMyRequestResponse): [number, string | undefined] {
  return [response.statusCode, response.json<{ code?: string }>().code];
}

/** Sends a request with the device's access token and, when given, a step-up token. */
export async function sendWithStepUp(
  device: TestDevice,
  request: Pick<DeviceRequest, 'method' | 'url' | 'payload'>,
  token?: string,
): Promise<LightMyRequestResponse> {
  if (!device.tokens) throw new TypeError('device is not signed in');
  return device.send({
    ...request,
    accessToken: device.tokens.accessToken,
    ...(token === undefined ? {} : { headers: { [STEP_UP_HEADER]: token } }),
  });
}

/** `POST /v1/step-up/verify` with a code. */
export async function verifyStepUpWithCode(
  device: TestDevice,
  token: string,
  method: 'totp' | 'recovery_code',
  code: string,
): Promise<LightMyRequestResponse> {
  return device.call('POST', '/v1/step-up/verify', { challenge: token, method, code });
}

/** Options → authenticator → `POST /v1/step-up/passkey/verify`. Returns the verification answer. */
export async function verifyStepUpWithPasskey(
  device: TestDevice,
  token: string,
  authenticator: SoftwareAuthenticator,
  overrides: Partial<CeremonyOverrides> = {},
): Promise<LightMyRequestResponse> {
  const options = await device.call('POST', '/v1/step-up/passkey/options', { challenge: token });
  if (options.statusCode !== 200) return options;
  const credential = authenticator.assert(options.json<StepUpPasskeyOptions>(), { origin: TEST_WEB_ORIGIN, ...overrides });
  return device.call('POST', '/v1/step-up/passkey/verify', { challenge: token, credential });
}
