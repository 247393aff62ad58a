/**
 * @module federation/provider-flow
 *
 * Sign in with Apple, Google and OpenID Connect providers from the app's side.
 *
 * - **Native:** the platform SDK (Sign in with Apple, Google Credential Manager, AppAuth) signs
 *   the person in and hands the app an ID token. Generate the nonce with {@link createNonce},
 *   give the provider `nonce.raw` (Google) or `nonce.sha256Hex` (Apple), then call
 *   `client.signInWithIdToken(provider, idToken, nonce.raw)`.
 * - **Web redirect:** {@link createFederationStart} makes the URL to open in a browser (a page
 *   navigation, `ASWebAuthenticationSession` or a Custom Tab) and a PKCE code verifier to keep;
 *   the browser comes back to the app's return URL, which {@link readFederationReturn} reads; the
 *   app then calls `client.redeemFederationCode(code, codeVerifier)`.
 *
 * Everything here uses WebCrypto and `URL` only (browsers, React Native with a WebCrypto
 * polyfill, Node); nothing stores the verifier: keep it where the app keeps its navigation state
 * (`sessionStorage` on the web, memory in a native app) until the browser returns.
 */
import type {
  Device,
  ErrorCode,
  FederatedProfile,
  FederationProviderList,
  LinkedIdentity,
  LinkedIdentityList,
  TokenResponse,
} from '@portcullis/protocol';
import { isErrorCode } from '../generated/error-codes.ts';
import { isRecord } from '../http/read-json.ts';
import { parseTokenResponse } from '../http/response-shapes.ts';
import { encodeBase64url, utf8Bytes } from '../lib/base64url.ts';
import { randomBytes, subtleCrypto } from '../lib/webcrypto.ts';
import { FEDERATION_CODE_CHALLENGE_METHOD, FEDERATION_RETURN_PARAMS } from '../lib/wire-constants.ts';

const PROVIDER_ID = /^[a-z][a-z0-9_]{0,31}$/;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const SHA256_BASE64URL = /^[A-Za-z0-9_-]{43}$/;
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const LINK_ID = /^[0-9a-f-]{36}$/i;

/** Used when the app gives no device: the session list then shows it under this label. */
const DEFAULT_DEVICE: Device = { label: 'Unnamed device', platform: 'other' };

/** A web sign-in about to start: open `url` in a browser and keep `codeVerifier` until it returns. */
export interface FederationStart {
  readonly url: string;
  /** The PKCE verifier the exchange code will be redeemed with. Never send it anywhere else. */
  readonly codeVerifier: string;
}

/** What the browser brought back to the app's return URL. */
export type FederationReturn = { readonly code: string } | { readonly error: ErrorCode | 'UNRECOGNISED_ERROR' };

/** A nonce for a native sign-in: the raw value for Portcullis, its hex SHA-256 for Apple. */
export interface FederationNonce {
  readonly raw: string;
  /** Pass this as `nonce` to Sign in with Apple (`ASAuthorizationAppleIDRequest.nonce`). */
  readonly sha256Hex: string;
}

/** Optional parts of a native sign-in. */
export interface IdTokenSignInExtras {
  /** Shown in the session list; defaults to "Unnamed device", platform `other`. */
  readonly device?: Device | undefined;
  /** Sign in with Apple: the `authorizationCode` of the same credential, so the server can later revoke Apple's tokens. */
  readonly authorizationCode?: string | undefined;
}

/** What a federated sign-in adds to the session: whether it created the account, and the name the provider shared. */
export interface FederatedSignInDetails {
  readonly accountCreated: boolean;
  /** Apple shares the name on the first authorization only: save it then. */
  readonly profile?: FederatedProfile | undefined;
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function sha256(text: string): Promise<ArrayBuffer> {
  return subtleCrypto().digest('SHA-256', utf8Bytes(text));
}

function assertProvider(provider: unknown): asserts provider is string {
  if (typeof provider !== 'string' || !PROVIDER_ID.test(provider)) throw new TypeError('provider must be a provider id such as "apple"');
}

/**
 * A fresh nonce for one native sign-in (32 random bytes).
 *
 * @example
 *   const nonce = await createNonce();
 *   // iOS: request.nonce = nonce.sha256Hex; Android: GetGoogleIdOption.setNonce(nonce.raw)
 *   await client.signInWithIdToken('apple', idToken, nonce.raw);
 */
export async function createNonce(): Promise<FederationNonce> {
  const raw = encodeBase64url(randomBytes(32));
  return { raw, sha256Hex: hex(await sha256(raw)) };
}

/**
 * Builds the URL that starts a web sign-in, with a fresh PKCE pair (RFC 7636, S256).
 *
 * @param options.baseUrl Where Portcullis is served (the client's `baseUrl`).
 * @param options.returnTo One of the provider's configured `returnUrls`, exactly.
 * @param options.dpopJkt Optional: the DPoP key thumbprint that must redeem the code.
 * @throws {TypeError} On misuse (unknown provider id shape, relative URLs).
 * @example
 *   const start = await createFederationStart({ baseUrl, provider: 'google', returnTo: 'https://app.example.com/auth/return' });
 *   sessionStorage.setItem('pkce', start.codeVerifier);
 *   location.assign(start.url);
 */
export async function createFederationStart(options: {
  readonly baseUrl: string | URL;
  readonly provider: string;
  readonly returnTo: string;
  readonly dpopJkt?: string | undefined;
}): Promise<FederationStart> {
  assertProvider(options.provider);
  if (typeof options.returnTo !== 'string' || options.returnTo === '') throw new TypeError('returnTo must be the app return URL');
  if (options.dpopJkt !== undefined && !SHA256_BASE64URL.test(options.dpopJkt)) throw new TypeError('dpopJkt must be a JWK thumbprint');
  const base = new URL(options.baseUrl);
  const codeVerifier = encodeBase64url(randomBytes(32));
  const query = new URLSearchParams({
    returnTo: options.returnTo,
    codeChallenge: encodeBase64url(new Uint8Array(await sha256(codeVerifier))),
    codeChallengeMethod: FEDERATION_CODE_CHALLENGE_METHOD,
  });
  if (options.dpopJkt !== undefined) query.set('dpopJkt', options.dpopJkt);
  const url = new URL(`${base.href.replace(/\/$/, '')}/v1/federation/${options.provider}/start?${query.toString()}`);
  return { url: url.href, codeVerifier };
}

/**
 * RFC 7638 thumbprint of an ES256 public key, for `dpopJkt` (RFC 9449 section 10). Internal.
 */
export async function dpopThumbprint(publicKey: CryptoKey): Promise<string> {
  const jwk = await subtleCrypto().exportKey('jwk', publicKey);
  if (jwk.kty !== 'EC' || typeof jwk.crv !== 'string' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new TypeError('the DPoP key must be an EC public key');
  }
  // Required members only, in lexicographic order, no whitespace (RFC 7638 section 3.2).
  const canonical = `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  return encodeBase64url(new Uint8Array(await sha256(canonical)));
}

/**
 * Reads the app's return URL after a web sign-in.
 *
 * @returns `{ code }` on success, `{ error }` with the server's error code, or `null` when the URL carries neither.
 * @example
 *   const result = readFederationReturn(location.href);
 *   if (result && 'code' in result) await client.redeemFederationCode(result.code, sessionStorage.getItem('pkce') ?? '');
 */
export function readFederationReturn(url: string | URL): FederationReturn | null {
  const params = new URL(url).searchParams;
  const code = params.get(FEDERATION_RETURN_PARAMS.code);
  if (code !== null && SHA256_BASE64URL.test(code)) return { code };
  const error = params.get(FEDERATION_RETURN_PARAMS.error);
  if (error !== null) return { error: isErrorCode(error) ? error : 'UNRECOGNISED_ERROR' };
  return null;
}

/** The body of a native sign-in or link request. Internal. */
export function idTokenBody(
  provider: unknown,
  idToken: unknown,
  rawNonce: unknown,
  extras: IdTokenSignInExtras = {},
): Record<string, unknown> {
  assertProvider(provider);
  if (typeof idToken !== 'string' || !COMPACT_JWS.test(idToken)) throw new TypeError('idToken must be the ID token the provider returned');
  if (typeof rawNonce !== 'string' || rawNonce.length < 16)
    throw new TypeError('rawNonce must be the raw nonce the app generated (see createNonce)');
  return {
    provider,
    idToken,
    nonce: rawNonce,
    ...(extras.authorizationCode === undefined ? {} : { authorizationCode: extras.authorizationCode }),
  };
}

/** The body of an exchange-code redemption or link request. Internal. */
export function exchangeBody(code: unknown, codeVerifier: unknown): Record<string, unknown> {
  if (typeof code !== 'string' || !SHA256_BASE64URL.test(code)) throw new TypeError('code must be the exchange code from the return URL');
  if (typeof codeVerifier !== 'string' || !CODE_VERIFIER.test(codeVerifier))
    throw new TypeError('codeVerifier must be the one from createFederationStart');
  return { code, codeVerifier };
}

export function deviceOrDefault(device: Device | undefined): Device {
  return device ?? DEFAULT_DEVICE;
}

export function assertLinkId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !LINK_ID.test(id)) throw new TypeError('id must be a linked identity id');
}

/** Checks a federated sign-in answer. Internal. */
export function parseFederatedSignIn(
  value: unknown,
): { readonly tokens: TokenResponse; readonly details: FederatedSignInDetails } | undefined {
  if (!isRecord(value) || typeof value['accountCreated'] !== 'boolean') return undefined;
  const tokens = parseTokenResponse(value);
  if (!tokens) return undefined;
  const profile = value['profile'];
  if (profile !== undefined && !isRecord(profile)) return undefined;
  return {
    tokens,
    details: { accountCreated: value['accountCreated'], ...(profile === undefined ? {} : { profile: profile }) },
  };
}

export function parseLinkedIdentity(value: unknown): LinkedIdentity | undefined {
  if (!isRecord(value)) return undefined;
  const { id, provider, email, emailVerified, createdAt, lastUsedAt } = value;
  if (typeof id !== 'string' || typeof provider !== 'string' || typeof emailVerified !== 'boolean') return undefined;
  if ((email !== null && typeof email !== 'string') || typeof createdAt !== 'string' || typeof lastUsedAt !== 'string') return undefined;
  return value as LinkedIdentity;
}

export function parseLinkedIdentityList(value: unknown): LinkedIdentityList | undefined {
  if (!isRecord(value) || !Array.isArray(value['identities'])) return undefined;
  return value['identities'].every((entry) => parseLinkedIdentity(entry) !== undefined) ? (value as LinkedIdentityList) : undefined;
}

const PROVIDER_KINDS: ReadonlySet<unknown> = new Set(['apple', 'google', 'oidc']);

/** Checks the list of providers offering the web sign-in. Internal. */
export function parseFederationProviderList(value: unknown): FederationProviderList | undefined {
  if (!isRecord(value) || !Array.isArray(value['providers'])) return undefined;
  const valid = value['providers'].every(
    (entry) =>
      isRecord(entry) &&
      typeof entry['id'] === 'string' &&
      PROVIDER_ID.test(entry['id']) &&
      typeof entry['name'] === 'string' &&
      PROVIDER_KINDS.has(entry['kind']),
  );
  return valid ? (value as FederationProviderList) : undefined;
}
