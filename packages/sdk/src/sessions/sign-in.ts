/**
 * @module sessions/sign-in
 *
 * Signing in with email and password, and the second step when the account has a second factor
 * (`MFA_REQUIRED`): a code from an authenticator app, a recovery code, or a code sent by email
 * or SMS. Each call binds the new session to this device's DPoP key and stores its tokens.
 */
import type { MfaCodeSent, MfaSendCodeRequest, MfaSignInRequest, PasswordSignInRequest } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { assertInput, jsonInit } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import type { SessionInfo } from '../core/session-info.ts';
import { parseMfaCodeSent } from '../http/response-shapes.ts';

/**
 * Signs in with email and password. Uses the stored DPoP key, or creates and stores a new
 * non-extractable one; the proof sent with this request binds the new session's tokens to
 * that key. Stores the tokens in the token store.
 *
 * @returns The new session (without its tokens).
 * @throws {ApiError} `AUTH_INVALID_CREDENTIALS`, `AUTH_EMAIL_NOT_VERIFIED`, `AUTH_PASSWORD_THROTTLED`
 *   (too many wrong passwords: `retryAfterSeconds`; offer a passkey or password reset), `MFA_REQUIRED`
 *   (answer with {@link completeSignIn}; when `challenge.reason` is `new_device` or `attack_mode`
 *   the only method is `email_code`: tell the person a code was emailed to confirm this device,
 *   {@link sendSignInCode} with channel `email`, then answer), `RATE_LIMITED`, …
 *   A session whose `restriction.reason` is `password_breached` can only change the password.
 * @example
 *   // On a device the account has never used, the password alone is not enough:
 *   try {
 *     await signIn(client, { email, password, device });
 *   } catch (error) {
 *     if (!isMfaRequired(error) || error.challenge.reason !== 'new_device') throw error;
 *     await sendSignInCode(client, { challenge: error.challenge.token, channel: 'email' });
 *     await completeSignIn(client, { challenge: error.challenge.token, method: 'email_code', code: await askForEmailedCode() });
 *   }
 * @throws {ClientError} `DPOP_KEY_UNAVAILABLE` without WebCrypto; `NETWORK_ERROR`; `INVALID_RESPONSE`.
 * @example
 *   const session = await signIn(client, {
 *     email: 'ada@example.com',
 *     password,
 *     device: { label: 'Ada’s laptop', platform: 'web', appVersion: '1.4.0' },
 *   });
 */
export async function signIn(client: CoreClient, input: PasswordSignInRequest): Promise<SessionInfo> {
  assertInput(input, 'signIn');
  const engine = engineOf(client);
  const ticket = engine.beginSignIn();
  const key = await engine.keyForSignIn();
  return engine.signInWithTokens(ticket, '/v1/sessions', input, key);
}

/**
 * Asks the server to send a one-time code for a sign-in that answered `MFA_REQUIRED`, when the
 * challenge's `methods` include `email_code` (to the verified address) or `sms_code` (to the
 * confirmed phone). Then answer with {@link completeSignIn} and that method. The proof is signed
 * with the same stored DPoP key as the password step. A new code replaces the previous one of
 * that channel; a challenge sends at most 3 codes, 30 seconds apart. Email and SMS codes are
 * offered as a second factor only to accounts whose roles allow one-factor sign-in, never to
 * staff; an emailed code also confirms a new device (`challenge.reason: new_device`) for anyone.
 *
 * @returns Where the code went (masked), how long it lives, and when another may be asked for.
 * @throws {ApiError} `RATE_LIMITED` (too soon; `retryAfterSeconds`), `MFA_CODE_SEND_LIMIT_REACHED`,
 *   `MFA_METHOD_NOT_ALLOWED`, `MFA_CODE_DELIVERY_FAILED` (try again later or another method),
 *   `MFA_CHALLENGE_INVALID` (sign in again).
 * @example
 *   if (isMfaRequired(error) && error.challenge.methods.includes('sms_code')) {
 *     const sent = await sendSignInCode(client, { challenge: error.challenge.token, channel: 'sms' });
 *     showHint(`Code sent to ${sent.destination}`);
 *     await completeSignIn(client, { challenge: error.challenge.token, method: 'sms_code', code: await askForCode() });
 *   }
 */
export async function sendSignInCode(client: CoreClient, input: MfaSendCodeRequest): Promise<MfaCodeSent> {
  assertInput(input, 'sendSignInCode');
  const engine = engineOf(client);
  const key = await engine.signInStepKey();
  const { transport } = engine;
  const path = '/v1/sessions/mfa/send';
  const response = await transport.send(transport.url(path), jsonInit('POST', input), { key });
  return transport.result(response, `POST ${path}`, parseMfaCodeSent);
}

/**
 * Finishes a sign-in that answered `MFA_REQUIRED` with an authenticator-app code, a recovery
 * code, or a code sent by email or SMS ({@link sendSignInCode}). The proof is signed with the
 * same stored DPoP key as the password step (the server refuses a challenge answered from
 * another key). Stores the tokens like {@link signIn}.
 *
 * @throws {ApiError} `MFA_CODE_INVALID` (try again), `MFA_CHALLENGE_INVALID` (sign in again),
 *   `MFA_LOCKED` (too many wrong codes; `retryAfterSeconds`; passkeys still work).
 * @example
 *   try {
 *     await signIn(client, { email, password, device });
 *   } catch (error) {
 *     if (!isMfaRequired(error)) throw error;
 *     await completeSignIn(client, { challenge: error.challenge.token, method: 'totp', code });
 *   }
 */
export async function completeSignIn(client: CoreClient, input: MfaSignInRequest): Promise<SessionInfo> {
  assertInput(input, 'completeSignIn');
  const engine = engineOf(client);
  const ticket = engine.beginSignIn();
  const key = await engine.signInStepKey();
  return engine.signInWithTokens(ticket, '/v1/sessions/mfa', input, key);
}
