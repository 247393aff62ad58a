/**
 * @module dpop/sign-dpop-proof
 *
 * Signs DPoP proof JWTs (RFC 9449 §4): one fresh proof per HTTP request, bound to its method
 * and URL, and to the access token when one is sent. Produces compact JWS with ES256 through
 * WebCrypto only. Does not decide when to send proofs or which nonce to use: the client does.
 */
import { type Clock, systemClock } from '../clock.ts';
import { ClientError } from '../errors.ts';
import { encodeBase64url, encodeBase64urlText, utf8Bytes } from '../lib/base64url.ts';
import { randomBytes, subtleCrypto } from '../lib/webcrypto.ts';
import { assertDpopKeyPair, publicJwkOf, type DpopPublicJwk } from './dpop-key-pair.ts';
import { isDpopNonce } from './nonce.ts';

/** Options of {@link signDpopProof}. */
export interface SignDpopProofOptions {
  /** The device's DPoP key pair (from {@link createDpopKey}). */
  readonly key: CryptoKeyPair;
  /** HTTP method of the request, exactly as sent (`'POST'`). */
  readonly htm: string;
  /** URL of the request; query and fragment are dropped (RFC 9449 §4.2). */
  readonly htu: string | URL;
  /** Access token sent with the request; its hash goes into `ath` (required on resource requests). */
  readonly accessToken?: string | undefined;
  /** Latest nonce the server handed out in `DPoP-Nonce`, if any. */
  readonly nonce?: string | undefined;
  /** Source of `iat`. Defaults to the device clock. */
  readonly clock?: Clock | undefined;
}

/** The JOSE header of a proof (RFC 9449 §4.2). */
export interface DpopProofHeader {
  readonly typ: 'dpop+jwt';
  readonly alg: 'ES256';
  readonly jwk: DpopPublicJwk;
}

/** The claims of a proof (RFC 9449 §4.2). */
export interface DpopProofPayload {
  /** Unique id: 128 random bits, so servers can refuse a replayed proof. */
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  /** base64url(SHA-256(access token)), on requests that carry one. */
  readonly ath?: string;
  readonly nonce?: string;
}

/** RFC 9110 §5.6.2 `token`: what a method name may consist of. */
const METHOD_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Bytes of entropy in `jti`: 128 bits makes collisions negligible across all proofs ever made. */
const JTI_BYTES = 16;

/** Byte length of an ES256 signature in IEEE P1363 form (r || s, 32 bytes each), as JWS wants (RFC 7518 §3.4). */
const ES256_SIGNATURE_BYTES = 64;

/** `htu`: the request URL without query and fragment (RFC 9449 §4.2), refusing what cannot be one. */
function targetUri(htu: string | URL): string {
  let url: URL;
  try {
    url = new URL(htu);
  } catch {
    throw new TypeError('htu must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('htu must be an http(s) URL');
  if (url.username !== '' || url.password !== '') throw new TypeError('htu must not contain credentials');
  url.search = '';
  url.hash = '';
  return url.href;
}

async function accessTokenHash(accessToken: string): Promise<string> {
  const digest = await subtleCrypto().digest('SHA-256', utf8Bytes(accessToken));
  return encodeBase64url(new Uint8Array(digest));
}

/**
 * Signs a DPoP proof for one request.
 *
 * The header carries only the public members of the key; the payload carries a fresh `jti`,
 * `htm`, `htu` (without query or fragment), `iat`, and `ath` and `nonce` when given. The
 * signature is WebCrypto's ECDSA output, which is already the `r || s` form JWS uses.
 *
 * @param options See {@link SignDpopProofOptions}.
 * @returns The proof as a compact JWS, for the `DPoP` request header.
 * @throws {TypeError} When an option is malformed (not an ES256 key pair, bad method or URL).
 * @throws {ClientError} `DPOP_KEY_UNAVAILABLE` when WebCrypto is missing or refuses to sign.
 * @example
 *   const proof = await signDpopProof({ key, htm: 'GET', htu: 'https://auth.example.com/v1/accounts/me', accessToken, nonce });
 *   await fetch(url, { headers: { Authorization: `DPoP ${accessToken}`, DPoP: proof } });
 */
export async function signDpopProof(options: SignDpopProofOptions): Promise<string> {
  if (typeof options !== 'object' || (options as unknown) === null) throw new TypeError('signDpopProof options must be an object');
  const { key, htm, htu, accessToken, nonce, clock = systemClock } = options;
  assertDpopKeyPair(key, 'key');
  if (typeof htm !== 'string' || !METHOD_PATTERN.test(htm)) throw new TypeError('htm must be an HTTP method name');
  const target = targetUri(htu);
  if (accessToken !== undefined && (typeof accessToken !== 'string' || accessToken === '')) {
    throw new TypeError('accessToken must be a non-empty string when given');
  }
  if (nonce !== undefined && (typeof nonce !== 'string' || !isDpopNonce(nonce))) {
    throw new TypeError('nonce must be a DPoP nonce (RFC 9449 §8.1) when given');
  }
  if (typeof (clock as Partial<Clock>).now !== 'function') throw new TypeError('clock must have a now() method');
  const iat = Math.floor(clock.now() / 1000);
  if (!Number.isSafeInteger(iat) || iat < 0) throw new TypeError('clock.now() must return milliseconds since the epoch');

  const header: DpopProofHeader = { typ: 'dpop+jwt', alg: 'ES256', jwk: await publicJwkOf(key) };
  const payload: DpopProofPayload = {
    jti: encodeBase64url(randomBytes(JTI_BYTES)),
    htm,
    htu: target,
    iat,
    ...(accessToken === undefined ? {} : { ath: await accessTokenHash(accessToken) }),
    ...(nonce === undefined ? {} : { nonce }),
  };
  const signingInput = `${encodeBase64urlText(JSON.stringify(header))}.${encodeBase64urlText(JSON.stringify(payload))}`;

  let signature: ArrayBuffer;
  try {
    signature = await subtleCrypto().sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, utf8Bytes(signingInput));
  } catch (cause) {
    throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The DPoP key could not sign the proof', { cause });
  }
  // Some non-browser WebCrypto shims return DER; a DER signature would be rejected by every server.
  if (signature.byteLength !== ES256_SIGNATURE_BYTES) {
    throw new ClientError('DPOP_KEY_UNAVAILABLE', 'WebCrypto returned an ECDSA signature that is not in IEEE P1363 form');
  }
  return `${signingInput}.${encodeBase64url(new Uint8Array(signature))}`;
}
