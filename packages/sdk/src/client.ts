/**
 * @module client
 *
 * `PortcullisClient`: the one object an app talks to. It owns the session lifecycle on the
 * device (sign-in, refresh, sign-out), signs a DPoP proof for every token and API request,
 * keeps the server's latest DPoP nonce, refreshes the access token before it expires (and once
 * more when the server says it expired), and maps every failure to an `ApiError` or
 * `ClientError`. It never sends a token anywhere but the configured origin, never follows
 * redirects with one, and never puts a secret in an error message. It does not store anything
 * itself: tokens go through the `TokenStore`, the key through the `DpopKeyStore`.
 */
import {
  DPOP_HEADER,
  STEP_UP_HEADER,
  type StepUpVerification,
  type Accepted,
  type Account,
  type ChangePasswordRequest,
  type PasswordResetConfirm,
  type PasswordResetRequest,
  type Device,
  type MfaCodeSent,
  type MfaFactorList,
  type MfaSendCodeRequest,
  type MfaSignInRequest,
  type PhoneCodeSent,
  type PhoneConfirmation,
  type PhoneEnrolment,
  type Passkey,
  type PasskeyList,
  type TotpConfirmation,
  type TotpEnrolment,
  type PasswordSignInRequest,
  type SessionList,
  type SignUpRequest,
  type TokenResponse,
  type VerifyEmailRequest,
} from '@portcullis/protocol';
import { resolveClientOptions, type PortcullisClientOptions, type ResolvedClientOptions } from './client-options.ts';
import { createDpopKey } from './dpop/create-dpop-key.ts';
import { assertDpopKeyPair } from './dpop/dpop-key-pair.ts';
import { DpopNonceCache } from './dpop/nonce.ts';
import { signDpopProof } from './dpop/sign-dpop-proof.ts';
import { ClientError, isApiError, isClientError } from './errors.ts';
import { isAccessTokenRejected, isNonceChallenge } from './http/challenges.ts';
import { errorFromResponse } from './http/error-from-response.ts';
import { parseStepUpPasskeyOptions, parseStepUpVerification, stepUpChallengeOf } from './http/step-up.ts';
import type { StepUpAnswer, StepUpPrompt } from './step-up.ts';
import { discardBody, readJson } from './http/read-json.ts';
import {
  parseAccepted,
  parseAccount,
  parseMfaCodeSent,
  parseMfaFactorList,
  parsePhoneCodeSent,
  parsePhoneConfirmation,
  parsePhoneEnrolment,
  parseRevoked,
  parseSessionList,
  parseTokenResponse,
  parsePasskey,
  parsePasskeyCreationOptions,
  parsePasskeyList,
  parsePasskeyRequestOptions,
  parseTotpConfirmation,
  parseTotpEnrolment,
  type Revoked,
} from './http/response-shapes.ts';
import type { PasskeyAuthenticator } from './passkeys/passkey-authenticator.ts';
import type { StoredTokens } from './storage/token-store.ts';
import type { LinkedIdentity, LinkedIdentityList } from '@portcullis/protocol';
import {
  assertLinkId,
  createFederationStart,
  deviceOrDefault,
  dpopThumbprint,
  exchangeBody,
  idTokenBody,
  parseFederatedSignIn,
  parseLinkedIdentity,
  parseLinkedIdentityList,
  type FederatedSignInDetails,
  type FederationStart,
  type IdTokenSignInExtras,
} from './federation.ts';

/** The current session as the app may see it: everything but the tokens themselves. */
export interface SessionInfo {
  readonly sessionId: string;
  /** Assurance level: `aal1`, `aal2` or `aal2_phr`. */
  readonly aal: string;
  /** When the access token expires (the client refreshes it before then). */
  readonly accessTokenExpiresAt: Date;
  /** When the session ends unless it is used (refresh idle timeout). */
  readonly refreshTokenExpiresAt: Date;
}

/** A proof to attach: the key, and the access token when the request is authenticated. */
interface ProofSpec {
  readonly key: CryptoKeyPair;
  readonly accessToken?: string | undefined;
}

/** RFC 9110 §9.1 / Fetch: these method names are case-normalised by `fetch`, so `htm` must be too. */
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** Factor ids as the routes accept them (`MfaFactorIdParamsSchema`); also keeps `../` out of paths. */
const FACTOR_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertFactorId(factorId: unknown, method: string): asserts factorId is string {
  if (typeof factorId !== 'string' || !FACTOR_ID_PATTERN.test(factorId)) throw new TypeError(`${method} expects a factor id`);
}

/** Session ids as the route accepts them (`SessionIdParamsSchema`); also keeps `../` out of paths. */
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const JSON_ACCEPT = 'application/json, application/problem+json';

function assertInput(value: unknown, method: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${method} expects an object`);
}

function normaliseMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALISED_METHODS.has(upper) ? upper : method;
}

/** Request options shared by every SDK call: JSON in and out, no cookies, no redirects. */
function jsonInit(method: string, body?: unknown): RequestInit {
  const headers = new Headers({ accept: JSON_ACCEPT });
  if (body !== undefined) headers.set('content-type', 'application/json');
  return {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
    // The API never redirects; following one would carry the proof (and a token) to a URL it was not made for.
    redirect: 'error',
    // Authentication is the DPoP-bound token, never ambient cookies (no CSRF surface).
    credentials: 'omit',
  };
}

function isStoredTokens(value: unknown): value is StoredTokens {
  if (typeof value !== 'object' || value === null) return false;
  const tokens = value as Partial<Record<keyof StoredTokens, unknown>>;
  return (
    typeof tokens.accessToken === 'string' &&
    typeof tokens.refreshToken === 'string' &&
    typeof tokens.sessionId === 'string' &&
    typeof tokens.aal === 'string' &&
    typeof tokens.accessTokenExpiresAt === 'number' &&
    typeof tokens.refreshTokenExpiresAt === 'number'
  );
}

function sessionInfoOf(tokens: StoredTokens): SessionInfo {
  return Object.freeze({
    sessionId: tokens.sessionId,
    aal: tokens.aal,
    accessTokenExpiresAt: new Date(tokens.accessTokenExpiresAt),
    refreshTokenExpiresAt: new Date(tokens.refreshTokenExpiresAt),
  });
}

/**
 * Lifetimes are counted from when the request was sent, not when the answer arrived: the
 * server started the clock no earlier than that, so the client never believes a token lives
 * longer than it does.
 */
function storedTokensOf(response: TokenResponse, sentAt: number): StoredTokens {
  return {
    accessToken: response.accessToken,
    refreshToken: response.refreshToken,
    sessionId: response.sessionId,
    aal: response.aal,
    accessTokenExpiresAt: sentAt + response.expiresIn * 1000,
    refreshTokenExpiresAt: sentAt + response.refreshExpiresIn * 1000,
  };
}

/**
 * Client for the Portcullis API: accounts, DPoP-bound sessions and authenticated requests.
 *
 * One instance per app (per base URL and token store). All methods are safe to call
 * concurrently; refreshes are shared, so a burst of calls with an expired access token makes
 * one refresh request.
 *
 * @example
 *   import { MemoryTokenStore, PortcullisClient, isApiError } from '@portcullis/sdk';
 *
 *   const client = new PortcullisClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });
 *   await client.signIn({ email, password, device: { label: 'Ada’s phone', platform: 'web' } });
 *   const account = await client.getAccount();
 *   await client.signOut();
 */
export class PortcullisClient {
  readonly #options: ResolvedClientOptions;
  readonly #nonces = new DpopNonceCache();
  /** The refresh in flight, shared by every caller that needs fresh tokens meanwhile. */
  #refreshing: Promise<StoredTokens> | undefined;
  /** Bumped whenever the local session ends or is replaced, so a late refresh cannot resurrect it. */
  #generation = 0;

  /**
   * @param options See {@link PortcullisClientOptions}.
   * @throws {TypeError} On misuse: a non-https `baseUrl` (other than loopback), a missing
   *   `tokenStore`, an unknown option, no `fetch` available.
   */
  constructor(options: PortcullisClientOptions) {
    this.#options = resolveClientOptions(options);
  }

  // ── Accounts (public routes) ────────────────────────────────────────────────────────────────

  /**
   * Starts sign-up. The answer is the same whether or not the address already has an account;
   * the outcome (a verification code, or a notice) arrives by email.
   *
   * @example
   *   await client.signUp({ email: 'ada@example.com', password });
   *   // then ask for the code from the email and call verifyEmail
   */
  async signUp(input: SignUpRequest): Promise<Accepted> {
    assertInput(input, 'signUp');
    return this.#publicCall('POST', '/v1/accounts', input, parseAccepted);
  }

  /**
   * Confirms the email address with the code that was sent to it.
   *
   * @throws {ApiError} `VERIFICATION_CODE_INVALID` when the code is wrong, used or expired.
   * @example
   *   const account = await client.verifyEmail({ email: 'ada@example.com', code: '123456' });
   */
  async verifyEmail(input: VerifyEmailRequest): Promise<Account> {
    assertInput(input, 'verifyEmail');
    return this.#publicCall('POST', '/v1/accounts/verify-email', input, parseAccount);
  }

  /**
   * Asks for a password-reset code by email. Answers the same for unknown addresses.
   *
   * @example
   *   await client.requestPasswordReset({ email: 'ada@example.com' });
   */
  async requestPasswordReset(input: PasswordResetRequest): Promise<Accepted> {
    assertInput(input, 'requestPasswordReset');
    return this.#publicCall('POST', '/v1/accounts/password-reset', input, parseAccepted);
  }

  /**
   * Sets a new password with the code from the reset email. Sign in afterwards.
   *
   * @throws {ApiError} `VERIFICATION_CODE_INVALID`, `PASSWORD_POLICY_VIOLATION` (see `issues`).
   * @example
   *   await client.confirmPasswordReset({ email: 'ada@example.com', code: '123456', newPassword });
   */
  async confirmPasswordReset(input: PasswordResetConfirm): Promise<void> {
    assertInput(input, 'confirmPasswordReset');
    await this.#publicCall('POST', '/v1/accounts/password-reset/confirm', input, () => true);
  }

  // ── Session lifecycle ────────────────────────────────────────────────────────────────────────

  /**
   * Signs in with email and password. Uses the stored DPoP key, or creates and stores a new
   * non-extractable one; the proof sent with this request binds the new session's tokens to
   * that key. Stores the tokens in the token store.
   *
   * @returns The new session (without its tokens).
   * @throws {ApiError} `AUTH_INVALID_CREDENTIALS`, `AUTH_EMAIL_NOT_VERIFIED`, `AUTH_PASSWORD_THROTTLED`
   *   (too many wrong passwords: `retryAfterSeconds`; offer a passkey or password reset), `RATE_LIMITED`, …
   * @throws {ClientError} `DPOP_KEY_UNAVAILABLE` without WebCrypto; `NETWORK_ERROR`; `INVALID_RESPONSE`.
   * @example
   *   const session = await client.signIn({
   *     email: 'ada@example.com',
   *     password,
   *     device: { label: 'Ada’s laptop', platform: 'web', appVersion: '1.4.0' },
   *   });
   */
  async signIn(input: PasswordSignInRequest): Promise<SessionInfo> {
    assertInput(input, 'signIn');
    const generation = ++this.#generation;
    const key = await this.#keyForSignIn();
    return (await this.#signInRequest(generation, '/v1/sessions', input, key, parseTokenResponse, (tokens) => tokens)).session;
  }

  /**
   * Asks the server to send a one-time code for a sign-in that answered `MFA_REQUIRED`, when the
   * challenge's `methods` include `email_code` (to the verified address) or `sms_code` (to the
   * confirmed phone). Then answer with {@link completeSignIn} and that method. The proof is signed
   * with the same stored DPoP key as the password step. A new code replaces the previous one of
   * that channel; a challenge sends at most 3 codes, 30 seconds apart. Email and SMS codes are
   * offered only to accounts whose roles allow one-factor sign-in, never to staff.
   *
   * @returns Where the code went (masked), how long it lives, and when another may be asked for.
   * @throws {ApiError} `RATE_LIMITED` (too soon; `retryAfterSeconds`), `MFA_CODE_SEND_LIMIT_REACHED`,
   *   `MFA_METHOD_NOT_ALLOWED`, `MFA_CODE_DELIVERY_FAILED` (try again later or another method),
   *   `MFA_CHALLENGE_INVALID` (sign in again).
   * @example
   *   if (isMfaRequired(error) && error.challenge.methods.includes('sms_code')) {
   *     const sent = await client.sendSignInCode({ challenge: error.challenge.token, channel: 'sms' });
   *     showHint(`Code sent to ${sent.destination}`);
   *     await client.completeSignIn({ challenge: error.challenge.token, method: 'sms_code', code: await askForCode() });
   *   }
   */
  async sendSignInCode(input: MfaSendCodeRequest): Promise<MfaCodeSent> {
    assertInput(input, 'sendSignInCode');
    const key = await this.#storedKey();
    if (key === null) throw new ClientError('NOT_SIGNED_IN', 'No DPoP key: call signIn first');
    const response = await this.#send(this.#url('/v1/sessions/mfa/send'), jsonInit('POST', input), { key });
    return this.#result(response, 'POST /v1/sessions/mfa/send', parseMfaCodeSent);
  }

  /**
   * Finishes a sign-in that answered `MFA_REQUIRED` with an authenticator-app code, a recovery
   * code, or a code sent by email or SMS ({@link sendSignInCode}). The proof is signed with the
   * same stored DPoP key as the password step (the server refuses a challenge answered from
   * another key). Stores the tokens like `signIn`.
   *
   * @throws {ApiError} `MFA_CODE_INVALID` (try again), `MFA_CHALLENGE_INVALID` (sign in again),
   *   `MFA_LOCKED` (too many wrong codes; `retryAfterSeconds`; passkeys still work).
   * @example
   *   try {
   *     await client.signIn({ email, password, device });
   *   } catch (error) {
   *     if (!isMfaRequired(error)) throw error;
   *     await client.completeSignIn({ challenge: error.challenge.token, method: 'totp', code });
   *   }
   */
  async completeSignIn(input: MfaSignInRequest): Promise<SessionInfo> {
    assertInput(input, 'completeSignIn');
    const generation = ++this.#generation;
    const key = await this.#storedKey();
    if (key === null) throw new ClientError('NOT_SIGNED_IN', 'No DPoP key: call signIn first');
    return (await this.#signInRequest(generation, '/v1/sessions/mfa', input, key, parseTokenResponse, (tokens) => tokens)).session;
  }

  /**
   * Signs in with a passkey: no email, no password, phishing-resistant (`aal2_phr`). The
   * authenticator shows the person's passkeys for this site or app and verifies them (biometrics
   * or device PIN); the assertion travels with a DPoP proof, so the session is bound to this
   * device's key like any other.
   *
   * @param authenticator `browserPasskeyAuthenticator()` on the web; the app's adapter over the
   *   platform passkey API on iOS and Android.
   * @throws {ApiError} `PASSKEY_SIGN_IN_FAILED` (unknown, suspended or invalid passkey — one code on purpose).
   * @example
   *   await client.signInWithPasskey(browserPasskeyAuthenticator(), { label: 'Web', platform: 'web' });
   */
  async signInWithPasskey(authenticator: PasskeyAuthenticator, device: Device): Promise<SessionInfo> {
    const generation = ++this.#generation;
    const options = await this.#publicCall('POST', '/v1/passkeys/sign-in/options', {}, parsePasskeyRequestOptions);
    const credential = await authenticator.get(options);
    const key = await this.#keyForSignIn();
    const body = { credential, device };
    return (await this.#signInRequest(generation, '/v1/passkeys/sign-in', body, key, parseTokenResponse, (tokens) => tokens)).session;
  }

  /**
   * Exchanges the refresh token for a new token pair now. Rarely needed: every authenticated
   * call refreshes by itself when the access token is about to expire or was refused. Calls
   * made while a refresh is in flight share it.
   *
   * @throws {ApiError} `AUTH_REFRESH_INVALID` when the session is over (local tokens are then cleared).
   * @throws {ClientError} `NOT_SIGNED_IN` when there is no session.
   * @example
   *   const { accessTokenExpiresAt } = await client.refresh();
   */
  async refresh(): Promise<SessionInfo> {
    return sessionInfoOf(await this.#sharedRefresh(undefined));
  }

  /**
   * The locally stored session, or `null` when signed out. Makes no request: the server may
   * have revoked the session meanwhile.
   *
   * @example
   *   if ((await client.currentSession()) === null) showSignIn();
   */
  async currentSession(): Promise<SessionInfo | null> {
    const tokens = await this.#loadTokens();
    return tokens === null ? null : sessionInfoOf(tokens);
  }

  /**
   * Ends this device's session: tells the server to revoke it, then clears the local tokens and
   * DPoP key. Local state is cleared even when the server call fails; the promise then rejects
   * with that failure (the server-side session lives until it expires or is revoked from
   * another device), except when there was no live session to end.
   *
   * @throws {ClientError} `NETWORK_ERROR` when the server could not be told (local state is cleared anyway).
   * @example
   *   try {
   *     await client.signOut();
   *   } finally {
   *     showSignIn();
   *   }
   */
  async signOut(): Promise<void> {
    let failure: { readonly error: unknown } | undefined;
    try {
      await this.#authorizedCall('DELETE', '/v1/sessions/current', undefined, () => true);
    } catch (error) {
      failure = { error };
    } finally {
      await this.#endLocalSession();
    }
    if (failure === undefined) return;
    const { error } = failure;
    const alreadyOver =
      isClientError(error, 'NOT_SIGNED_IN') ||
      isApiError(error, 'AUTH_REQUIRED') ||
      isApiError(error, 'AUTH_REFRESH_INVALID') ||
      isApiError(error, 'SESSION_NOT_FOUND');
    if (!alreadyOver) throw error;
  }

  // ── Authenticated routes ─────────────────────────────────────────────────────────────────────

  /**
   * Registers a new passkey for the signed-in account (also allowed in a restricted session whose
   * role needs a passkey). The server's options exclude passkeys already registered.
   *
   * @param name Shown in the passkey list, e.g. "iPhone" or "YubiKey".
   * @example
   *   const passkey = await client.registerPasskey(browserPasskeyAuthenticator(), 'This laptop');
   */
  async registerPasskey(authenticator: PasskeyAuthenticator, name: string): Promise<Passkey> {
    const options = await this.#authorizedCall('POST', '/v1/passkeys/registration/options', {}, parsePasskeyCreationOptions);
    const credential = await authenticator.create(options);
    return this.#authorizedCall('POST', '/v1/passkeys/registration', { name, credential }, parsePasskey);
  }

  /**
   * The account's passkeys (name, created, last used, synced or not, suspended after a detected clone).
   *
   * @example
   *   const { passkeys } = await client.listPasskeys();
   */
  async listPasskeys(): Promise<PasskeyList> {
    return this.#authorizedCall('GET', '/v1/passkeys', undefined, parsePasskeyList);
  }

  /**
   * Starts adding an authenticator app: the answer holds the `otpauth://` URI (hand it to an app
   * on this device), an SVG QR code (to scan from another device) and the secret (to type in).
   * Show them once; confirm with {@link confirmTotpEnrolment} before `expiresAt`.
   *
   * @example
   *   const enrolment = await client.startTotpEnrolment('My phone');
   *   showQrCode(enrolment.qrCodeSvg);
   */
  async startTotpEnrolment(label?: string): Promise<TotpEnrolment> {
    return this.#authorizedCall('POST', '/v1/mfa/totp', label === undefined ? {} : { label }, parseTotpEnrolment);
  }

  /**
   * Confirms an authenticator app with its first code. The first time, the answer carries the
   * account's recovery codes: show them once and ask the person to keep them safe. The server
   * then signs out the account's other sessions.
   *
   * @throws {ApiError} `MFA_TOTP_CODE_INVALID`, `MFA_ENROLMENT_NOT_FOUND`.
   * @example
   *   const { recoveryCodes } = await client.confirmTotpEnrolment(enrolment.factorId, code);
   */
  async confirmTotpEnrolment(factorId: string, code: string): Promise<TotpConfirmation> {
    return this.#authorizedCall('POST', `/v1/mfa/totp/${encodeURIComponent(factorId)}/confirm`, { code }, parseTotpConfirmation);
  }

  /**
   * The account's second factors: authenticator apps, the phone (its number masked) and the
   * recovery-code set while codes remain. Never their secrets.
   *
   * @example
   *   const phone = (await client.listFactors()).factors.find((factor) => factor.kind === 'phone');
   */
  async listFactors(): Promise<MfaFactorList> {
    return this.#authorizedCall('GET', '/v1/mfa/factors', undefined, parseMfaFactorList);
  }

  /**
   * Adds a phone number for sign-in codes by SMS: the server texts it a 6-digit code; confirm
   * with {@link confirmPhoneEnrolment} within 10 minutes. Only for accounts whose roles allow SMS
   * codes; one phone per account. Format the number as E.164 first (`+447700900123`).
   *
   * @throws {ApiError} `MFA_METHOD_NOT_ALLOWED` (SMS off, or a staff role), `MFA_PHONE_ALREADY_ENROLLED`,
   *   `AUTH_REQUIRED` (the account has a second factor: sign in with it first), `RATE_LIMITED`,
   *   `MFA_CODE_DELIVERY_FAILED`, `REQUEST_INVALID` (not E.164).
   * @example
   *   const { factorId, phoneNumber } = await client.startPhoneEnrolment('+447700900123');
   *   showHint(`We texted a code to ${phoneNumber}`);
   */
  async startPhoneEnrolment(phoneNumber: string): Promise<PhoneEnrolment> {
    if (typeof phoneNumber !== 'string') throw new TypeError('startPhoneEnrolment expects a phone number');
    return this.#authorizedCall('POST', '/v1/mfa/phone', { phoneNumber }, parsePhoneEnrolment);
  }

  /**
   * Texts a new code to a phone that is being added (the previous code stops working); 30 seconds
   * apart, 5 an hour.
   *
   * @throws {ApiError} `RATE_LIMITED` (`retryAfterSeconds`), `MFA_ENROLMENT_NOT_FOUND` (start again).
   */
  async resendPhoneCode(factorId: string): Promise<PhoneCodeSent> {
    assertFactorId(factorId, 'resendPhoneCode');
    return this.#authorizedCall('POST', `/v1/mfa/phone/${factorId}/resend`, undefined, parsePhoneCodeSent);
  }

  /**
   * Confirms a phone with the code texted to it. The first time the account gets a factor, the
   * answer carries its recovery codes: show them once. The server then signs out the account's
   * other sessions.
   *
   * @throws {ApiError} `MFA_PHONE_CODE_INVALID`, `MFA_ENROLMENT_NOT_FOUND`.
   * @example
   *   const { recoveryCodes } = await client.confirmPhoneEnrolment(factorId, code);
   */
  async confirmPhoneEnrolment(factorId: string, code: string): Promise<PhoneConfirmation> {
    assertFactorId(factorId, 'confirmPhoneEnrolment');
    return this.#authorizedCall('POST', `/v1/mfa/phone/${factorId}/confirm`, { code }, parsePhoneConfirmation);
  }

  /**
   * Removes the phone. This needs a fresh confirmation with another factor (a step-up): `prompt`
   * is asked for it when the server requires one, as in {@link fetchWithStepUp}. Codes already
   * sent stop working and the account's other sessions are signed out.
   *
   * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`, `MFA_FACTOR_NOT_FOUND`, and
   *   the errors of {@link verifyStepUp}.
   * @example
   *   await client.removePhone(phone.id, async (challenge) => ({ method: 'recovery_code', code: await askForRecoveryCode() }));
   */
  async removePhone(factorId: string, prompt: StepUpPrompt): Promise<void> {
    assertFactorId(factorId, 'removePhone');
    const path = `/v1/mfa/phone/${factorId}`;
    const response = await this.fetchWithStepUp(path, { method: 'DELETE', headers: { accept: JSON_ACCEPT } }, prompt);
    if (!response.ok) throw await errorFromResponse(response, `DELETE ${path}`);
    await discardBody(response);
  }

  /**
   * The signed-in account.
   *
   * @throws {ClientError} `NOT_SIGNED_IN` when there is no session.
   * @example
   *   const { email, emailVerified } = await client.getAccount();
   */
  async getAccount(): Promise<Account> {
    return this.#authorizedCall('GET', '/v1/accounts/me', undefined, parseAccount);
  }

  /**
   * The account's active sessions; `current` marks this device's.
   *
   * @example
   *   const { sessions } = await client.listSessions();
   *   const others = sessions.filter((session) => !session.current);
   */
  async listSessions(): Promise<SessionList> {
    return this.#authorizedCall('GET', '/v1/sessions', undefined, parseSessionList);
  }

  /**
   * Revokes one of the account's sessions (e.g. a lost phone). Revoking this device's own
   * session also clears the local tokens.
   *
   * @param sessionId An `id` from {@link listSessions}.
   * @throws {ApiError} `SESSION_NOT_FOUND` when it does not exist or is not the caller's.
   * @example
   *   await client.revokeSession(lostPhone.id);
   */
  async revokeSession(sessionId: string): Promise<Revoked> {
    if (typeof sessionId !== 'string' || !SESSION_ID_PATTERN.test(sessionId)) throw new TypeError('sessionId must be a session id');
    const result = await this.#authorizedCall('DELETE', `/v1/sessions/${sessionId}`, undefined, parseRevoked);
    const tokens = await this.#loadTokens();
    if (tokens?.sessionId === sessionId) await this.#endLocalSession();
    return result;
  }

  /**
   * Revokes every session of the account except this device's ("sign out everywhere else").
   *
   * @example
   *   const { revoked } = await client.revokeOtherSessions();
   */
  async revokeOtherSessions(): Promise<Revoked> {
    return this.#authorizedCall('POST', '/v1/sessions/revoke-others', undefined, parseRevoked);
  }

  /**
   * Changes the password of the signed-in account.
   *
   * @throws {ApiError} `AUTH_INVALID_CREDENTIALS` for a wrong current password; `PASSWORD_POLICY_VIOLATION`.
   * @example
   *   await client.changePassword({ currentPassword, newPassword });
   */
  async changePassword(input: ChangePasswordRequest): Promise<void> {
    assertInput(input, 'changePassword');
    await this.#authorizedCall('POST', '/v1/accounts/password', input, () => true);
  }

  /**
   * `fetch` with this session's credentials: adds `Authorization: DPoP <token>` and a fresh
   * `DPoP` proof, handles nonce challenges, and refreshes and retries once when the access token
   * is refused. Resolves with the `Response` whatever its status, like `fetch`.
   *
   * Only for the Portcullis origin (the `baseUrl`'s): the token is never sent elsewhere. A
   * path starting with `/` is appended to `baseUrl`. The body must be re-sendable (not a
   * stream), since the request may be sent up to four times; redirects are not followed.
   *
   * @param input A path (`/v1/...`) or an absolute URL on the `baseUrl` origin.
   * @param init As for `fetch`, without `Authorization` or `DPoP` headers.
   * @throws {ClientError} `NOT_SIGNED_IN`, `DPOP_KEY_UNAVAILABLE`, `NETWORK_ERROR`.
   * @example
   *   const response = await client.fetch('/v1/accounts/me');
   *   if (response.ok) console.log(await response.json());
   */
  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = this.#resolveUserUrl(input);
    const headers = new Headers(init.headers);
    if (headers.has('authorization') || headers.has(DPOP_HEADER)) {
      throw new TypeError('client.fetch sets the Authorization and DPoP headers itself');
    }
    if (typeof ReadableStream !== 'undefined' && init.body instanceof ReadableStream) {
      throw new TypeError('client.fetch cannot retry a streamed body; pass a string, Blob, ArrayBuffer, FormData or URLSearchParams');
    }
    if (init.redirect === 'follow') throw new TypeError('client.fetch never follows redirects with credentials');
    const method = normaliseMethod(init.method ?? 'GET');
    return this.#sendAuthorized(url, { ...init, method, headers, redirect: init.redirect ?? 'error', credentials: 'omit' });
  }

  // ── Step-up: confirming it is you for one action ─────────────────────────────────────────────

  /**
   * Answers a `STEP_UP_REQUIRED` challenge with a code or a passkey. Then repeat the original
   * request, unchanged, with the token in the `Portcullis-Step-Up` header — or let
   * {@link fetchWithStepUp} do both.
   *
   * @param challenge `error.challenge.token` of the `STEP_UP_REQUIRED` problem.
   * @throws {ApiError} `MFA_CODE_INVALID` (wrong code; the challenge stays usable until its attempts
   *   run out), `MFA_LOCKED`, `STEP_UP_CHALLENGE_INVALID`, `STEP_UP_METHOD_NOT_ALLOWED`, `STEP_UP_PASSKEY_FAILED`.
   * @example
   *   await client.verifyStepUp(error.challenge.token, { method: 'totp', code: '492039' });
   */
  async verifyStepUp(challenge: string, answer: StepUpAnswer): Promise<StepUpVerification> {
    if (typeof challenge !== 'string') throw new TypeError('verifyStepUp expects the challenge token');
    assertInput(answer, 'verifyStepUp');
    if (answer.method === 'passkey') {
      const options = await this.#authorizedCall('POST', '/v1/step-up/passkey/options', { challenge }, parseStepUpPasskeyOptions);
      const credential = await answer.authenticator.get(options);
      return this.#authorizedCall('POST', '/v1/step-up/passkey/verify', { challenge, credential }, parseStepUpVerification);
    }
    const body = { challenge, method: answer.method, code: answer.code };
    return this.#authorizedCall('POST', '/v1/step-up/verify', body, parseStepUpVerification);
  }

  /**
   * {@link fetch} for actions that may need a step-up (removing a factor, replacing recovery
   * codes, …). When the server answers `401 STEP_UP_REQUIRED`, asks `prompt` for an answer,
   * verifies it, and sends the very same request again with the token in `Portcullis-Step-Up`
   * (the token is bound to this method, URL and body, and works once). Resolves with the final
   * `Response`; with the `401` itself when `prompt` resolves `null`.
   *
   * @param prompt Shows the person `challenge.methods` and resolves with their answer, or `null`.
   * @throws {ApiError} From {@link verifyStepUp} when the answer is refused (e.g. `MFA_CODE_INVALID`).
   * @example
   *   const response = await client.fetchWithStepUp('/v1/mfa/recovery-codes', { method: 'POST' }, async (challenge) =>
   *     challenge.methods.includes('totp') ? { method: 'totp', code: await askForCode() } : null,
   *   );
   */
  async fetchWithStepUp(input: string | URL, init: RequestInit, prompt: StepUpPrompt): Promise<Response> {
    if (typeof prompt !== 'function') throw new TypeError('fetchWithStepUp expects a prompt function');
    if (new Headers(init.headers).has(STEP_UP_HEADER)) throw new TypeError('fetchWithStepUp sets the Portcullis-Step-Up header itself');
    const response = await this.fetch(input, init);
    const challenge = await stepUpChallengeOf(response);
    if (challenge === undefined) return response;
    const answer = await prompt(challenge);
    if (answer === null) return response;
    await discardBody(response);
    await this.verifyStepUp(challenge.token, answer);
    const headers = new Headers(init.headers);
    headers.set(STEP_UP_HEADER, challenge.token);
    return this.fetch(input, { ...init, headers });
  }

  // ── Federated sign-in: Apple, Google, OpenID Connect ─────────────────────────────────────────

  /**
   * Signs in with an ID token from the provider's native SDK (Sign in with Apple, Google
   * Credential Manager, AppAuth). The server verifies the token against the provider's keys and
   * the raw nonce, and binds the new session to this device's DPoP key. Creates the account on
   * a first sign-in when the provider vouches for the email address.
   *
   * @param provider The provider id configured on the server, e.g. `apple` or `google`.
   * @param rawNonce `createNonce().raw`; the provider got `sha256Hex` (Apple) or `raw` (Google).
   * @throws {ApiError} `FEDERATION_TOKEN_INVALID`, `FEDERATION_ACCOUNT_EXISTS` (sign in the usual way,
   *   then link), `FEDERATION_EMAIL_NOT_VERIFIED`, `FEDERATION_PROVIDER_UNAVAILABLE`.
   * @example
   *   const nonce = await createNonce();
   *   // … Sign in with Apple with request.nonce = nonce.sha256Hex …
   *   const session = await client.signInWithIdToken('apple', credential.identityToken, nonce.raw, {
   *     authorizationCode: credential.authorizationCode,
   *     device: { label: 'Ada’s iPhone', platform: 'ios' },
   *   });
   *   if (session.profile) saveName(session.profile);
   */
  async signInWithIdToken(
    provider: string,
    idToken: string,
    rawNonce: string,
    extras: IdTokenSignInExtras = {},
  ): Promise<SessionInfo & FederatedSignInDetails> {
    const body = { ...idTokenBody(provider, idToken, rawNonce, extras), device: deviceOrDefault(extras.device) };
    return this.#federatedSignIn('/v1/federation/sessions', body);
  }

  /**
   * The URL that starts a web sign-in with `provider`, and the PKCE verifier to keep until the
   * browser comes back. With `bindToDeviceKey`, the exchange code can only be redeemed with
   * this client's DPoP key (RFC 9449 section 10); the key is created now if there is none.
   *
   * @example
   *   const start = await client.startFederation('google', 'https://app.example.com/auth/return', { bindToDeviceKey: true });
   *   sessionStorage.setItem('pkce', start.codeVerifier);
   *   location.assign(start.url);
   */
  async startFederation(
    provider: string,
    returnTo: string,
    options: { readonly bindToDeviceKey?: boolean } = {},
  ): Promise<FederationStart> {
    const dpopJkt = options.bindToDeviceKey === true ? await dpopThumbprint((await this.#keyForSignIn()).publicKey) : undefined;
    return createFederationStart({ baseUrl: this.#options.baseUrl, provider, returnTo, dpopJkt });
  }

  /**
   * Redeems the exchange code from the return URL of a web sign-in, with the verifier from
   * `startFederation`/`createFederationStart`, for a session bound to this device's DPoP key.
   *
   * @throws {ApiError} `FEDERATION_EXCHANGE_CODE_INVALID` (used, expired, or another verifier), and the sign-in errors of `signInWithIdToken`.
   * @example
   *   const result = readFederationReturn(location.href);
   *   if (result && 'code' in result) await client.redeemFederationCode(result.code, sessionStorage.getItem('pkce') ?? '');
   */
  async redeemFederationCode(
    code: string,
    codeVerifier: string,
    device?: IdTokenSignInExtras['device'],
  ): Promise<SessionInfo & FederatedSignInDetails> {
    return this.#federatedSignIn('/v1/federation/sessions/exchange', {
      ...exchangeBody(code, codeVerifier),
      device: deviceOrDefault(device),
    });
  }

  /**
   * Links a provider to the signed-in account with an ID token from a native sign-in. This is
   * the only way an existing account gains a provider: never by a matching email address.
   *
   * @throws {ApiError} `FEDERATION_IDENTITY_IN_USE` when that provider account is linked elsewhere.
   */
  async linkIdentityWithIdToken(
    provider: string,
    idToken: string,
    rawNonce: string,
    extras: Pick<IdTokenSignInExtras, 'authorizationCode'> = {},
  ): Promise<LinkedIdentity> {
    return this.#authorizedCall('POST', '/v1/federation/links', idTokenBody(provider, idToken, rawNonce, extras), parseLinkedIdentity);
  }

  /** Links the provider of a completed web sign-in (its exchange code and verifier) to the signed-in account. */
  async linkIdentityWithCode(code: string, codeVerifier: string): Promise<LinkedIdentity> {
    return this.#authorizedCall('POST', '/v1/federation/links/exchange', exchangeBody(code, codeVerifier), parseLinkedIdentity);
  }

  /** The providers linked to the signed-in account. */
  async listLinkedIdentities(): Promise<LinkedIdentityList> {
    return this.#authorizedCall('GET', '/v1/federation/links', undefined, parseLinkedIdentityList);
  }

  /**
   * Unlinks a provider from the signed-in account (the server revokes that provider's tokens).
   *
   * @throws {ApiError} `FEDERATION_LAST_SIGN_IN_METHOD` when it is the account's only way in.
   */
  async unlinkIdentity(id: string): Promise<void> {
    assertLinkId(id);
    await this.#authorizedCall('DELETE', `/v1/federation/links/${id}`, undefined, () => true);
  }

  /** A token request that signs in with a federated credential; stores the tokens like `signIn`. */
  async #federatedSignIn(path: string, body: Record<string, unknown>): Promise<SessionInfo & FederatedSignInDetails> {
    const generation = ++this.#generation;
    const key = await this.#keyForSignIn();
    const { result, session } = await this.#signInRequest(generation, path, body, key, parseFederatedSignIn, (signIn) => signIn.tokens);
    return { ...session, ...result.details };
  }

  /**
   * POSTs a token request signed with `key` and stores the tokens it answers with — unless another
   * sign-in or a sign-out started meanwhile (`generation` moved on): the later call decides the session.
   */
  async #signInRequest<T>(
    generation: number,
    path: string,
    body: unknown,
    key: CryptoKeyPair,
    parse: (value: unknown) => T | undefined,
    tokensOf: (result: T) => TokenResponse,
  ): Promise<{ result: T; session: SessionInfo }> {
    const sentAt = this.#options.clock.now();
    const response = await this.#send(this.#url(path), jsonInit('POST', body), { key });
    const result = await this.#result(response, `POST ${path}`, parse);
    if (generation !== this.#generation)
      throw new ClientError('NOT_SIGNED_IN', 'The sign-in was superseded by a later sign-in or sign-out');
    const tokens = storedTokensOf(tokensOf(result), sentAt);
    await this.#options.tokenStore.save(tokens);
    return { result, session: sessionInfoOf(tokens) };
  }

  // ── Internals: requests ──────────────────────────────────────────────────────────────────────

  #url(path: string): URL {
    return new URL(`${this.#options.baseUrl}${path}`);
  }

  #resolveUserUrl(input: string | URL): URL {
    let url: URL;
    if (typeof input === 'string' && input.startsWith('/') && !input.startsWith('//')) {
      url = this.#url(input);
    } else if (typeof input === 'string' || input instanceof URL) {
      try {
        url = new URL(input);
      } catch {
        throw new TypeError('client.fetch expects a path starting with / or an absolute URL');
      }
    } else {
      throw new TypeError('client.fetch expects a path starting with / or an absolute URL');
    }
    // ASVS V10.1.1: tokens only go to the component that needs them.
    if (url.origin !== this.#options.origin) throw new TypeError(`client.fetch sends credentials only to ${this.#options.origin}`);
    return url;
  }

  /** One `fetch`, with transport failures mapped to `NETWORK_ERROR` (a caller's abort passes through). */
  async #fetchOnce(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await this.#options.fetch(url, init);
    } catch (cause) {
      if (init.signal?.aborted === true) throw cause;
      throw new ClientError('NETWORK_ERROR', `The request to ${url.origin} failed`, { cause });
    }
  }

  /**
   * Sends a request, with a fresh DPoP proof when `proof` is given, and answers a nonce
   * challenge once (RFC 9449 §8/§9): the retry carries the nonce the challenge handed out. Every
   * response's `DPoP-Nonce` is remembered for later proofs.
   */
  async #send(url: URL, init: RequestInit, proof?: ProofSpec): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers(init.headers);
      const nonce = this.#nonces.get(url);
      if (proof !== undefined) {
        const htm = init.method ?? 'GET';
        headers.set(
          DPOP_HEADER,
          await signDpopProof({ key: proof.key, htm, htu: url, accessToken: proof.accessToken, nonce, clock: this.#options.clock }),
        );
        if (proof.accessToken !== undefined) headers.set('authorization', `DPoP ${proof.accessToken}`);
      }
      const response = await this.#fetchOnce(url, { ...init, headers });
      this.#nonces.remember(url, response);
      const offered = this.#nonces.get(url);
      if (proof !== undefined && attempt === 0 && offered !== undefined && offered !== nonce && (await isNonceChallenge(response))) {
        await discardBody(response);
        continue;
      }
      return response;
    }
  }

  /**
   * Sends an authenticated request: a live access token (refreshed first when about to expire)
   * with a proof carrying its hash. When the server refuses the token, refreshes once and
   * retries once.
   */
  async #sendAuthorized(url: URL, init: RequestInit): Promise<Response> {
    let tokens = await this.#activeTokens();
    const key = await this.#sessionKey();
    let response = await this.#send(url, init, { key, accessToken: tokens.accessToken });
    if (await isAccessTokenRejected(response)) {
      await discardBody(response);
      tokens = await this.#sharedRefresh(tokens.accessToken);
      response = await this.#send(url, init, { key, accessToken: tokens.accessToken });
    }
    return response;
  }

  /** The parsed success body, or the `ApiError`/`ClientError` the response stands for. */
  async #result<T>(response: Response, context: string, parse: (body: unknown) => T | undefined): Promise<T> {
    if (!response.ok) throw await errorFromResponse(response, context);
    const value = parse(await readJson(response));
    if (value === undefined) {
      throw new ClientError('INVALID_RESPONSE', `The answer to ${context} does not match the protocol`, { status: response.status });
    }
    return value;
  }

  async #publicCall<T>(method: string, path: string, body: unknown, parse: (body: unknown) => T | undefined): Promise<T> {
    const response = await this.#send(this.#url(path), jsonInit(method, body));
    return this.#result(response, `${method} ${path}`, parse);
  }

  async #authorizedCall<T>(method: string, path: string, body: unknown, parse: (body: unknown) => T | undefined): Promise<T> {
    const response = await this.#sendAuthorized(this.#url(path), jsonInit(method, body));
    return this.#result(response, `${method} ${path}`, parse);
  }

  // ── Internals: tokens, refresh and key ───────────────────────────────────────────────────────

  /** The stored tokens, or `null`. A malformed stored value counts as no session (and is cleared). */
  async #loadTokens(): Promise<StoredTokens | null> {
    const tokens = await this.#options.tokenStore.load();
    if (tokens === null) return null;
    if (!isStoredTokens(tokens)) {
      await this.#options.tokenStore.clear();
      return null;
    }
    return tokens;
  }

  /** Tokens good for a request now: refreshed first when the access token is within the leeway of expiry. */
  async #activeTokens(): Promise<StoredTokens> {
    const tokens = await this.#loadTokens();
    if (tokens === null) throw new ClientError('NOT_SIGNED_IN', 'There is no session: sign in first');
    const now = this.#options.clock.now();
    if (now < tokens.accessTokenExpiresAt - this.#options.refreshLeewayMs) return tokens;
    if (now >= tokens.refreshTokenExpiresAt && now >= tokens.accessTokenExpiresAt) {
      await this.#endLocalSession();
      throw new ClientError('NOT_SIGNED_IN', 'The session expired: sign in again');
    }
    return this.#sharedRefresh(tokens.accessToken);
  }

  /**
   * Single-flight refresh: while one is in flight every caller awaits the same promise, so a
   * burst of requests with an expired token spends the refresh token once (spending it twice
   * would look like token theft to the server, which then revokes the whole session).
   *
   * @param staleAccessToken The access token the caller found expired or refused; when the
   *   store already holds a newer live one (another caller refreshed), it is used as is.
   */
  #sharedRefresh(staleAccessToken: string | undefined): Promise<StoredTokens> {
    if (this.#refreshing === undefined) {
      const refreshing = this.#refreshTokens(staleAccessToken).finally(() => {
        if (this.#refreshing === refreshing) this.#refreshing = undefined;
      });
      this.#refreshing = refreshing;
    }
    return this.#refreshing;
  }

  async #refreshTokens(staleAccessToken: string | undefined): Promise<StoredTokens> {
    const generation = this.#generation;
    const current = await this.#loadTokens();
    if (current === null) throw new ClientError('NOT_SIGNED_IN', 'There is no session: sign in first');
    const now = this.#options.clock.now();
    if (
      staleAccessToken !== undefined &&
      current.accessToken !== staleAccessToken &&
      now < current.accessTokenExpiresAt - this.#options.refreshLeewayMs
    ) {
      return current;
    }
    const key = await this.#sessionKey();
    const sentAt = now;
    const response = await this.#send(this.#url('/v1/sessions/refresh'), jsonInit('POST', { refreshToken: current.refreshToken }), {
      key,
    });
    let tokenResponse: TokenResponse;
    try {
      tokenResponse = await this.#result(response, 'POST /v1/sessions/refresh', parseTokenResponse);
    } catch (error) {
      // The server says the session is over (expired, revoked, or reuse detected): so is the local one.
      if (isApiError(error, 'AUTH_REFRESH_INVALID') && generation === this.#generation) await this.#endLocalSession();
      throw error;
    }
    // Signed out or signed in again while this refresh was in flight: its result belongs to a
    // session that no longer is the local one, and must neither be stored nor used.
    if (generation !== this.#generation) throw new ClientError('NOT_SIGNED_IN', 'The session ended while it was being refreshed');
    const tokens = storedTokensOf(tokenResponse, sentAt);
    await this.#options.tokenStore.save(tokens);
    return tokens;
  }

  /** Forgets the local session: tokens and DPoP key. Both are attempted even if one fails. */
  async #endLocalSession(): Promise<void> {
    this.#generation++;
    const results = await Promise.allSettled([this.#options.tokenStore.clear(), this.#options.keyStore.delete()]);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
  }

  async #storedKey(): Promise<CryptoKeyPair | null> {
    try {
      return await this.#options.keyStore.get();
    } catch (cause) {
      throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The DPoP key store failed', { cause });
    }
  }

  /** The key the current session is bound to. Without it the tokens are useless, so they are cleared. */
  async #sessionKey(): Promise<CryptoKeyPair> {
    const key = await this.#storedKey();
    if (key === null) {
      await this.#endLocalSession();
      throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The DPoP key of this session is gone: sign in again');
    }
    try {
      assertDpopKeyPair(key, 'The stored DPoP key');
    } catch (cause) {
      throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The key store holds something that is not an ES256 key pair', { cause });
    }
    return key;
  }

  /**
   * The key a new session will be bound to: the stored one when it is a usable non-extractable
   * ES256 key, otherwise a new one (stored before use, so the session never outlives its key).
   */
  async #keyForSignIn(): Promise<CryptoKeyPair> {
    const stored = await this.#storedKey();
    if (stored !== null) {
      try {
        assertDpopKeyPair(stored, 'The stored DPoP key');
        if (!stored.privateKey.extractable) return stored;
      } catch {
        // Unusable: replaced below.
      }
    }
    const key = await createDpopKey();
    try {
      await this.#options.keyStore.put(key);
    } catch (cause) {
      throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The new DPoP key could not be stored', { cause });
    }
    return key;
  }
}
