/**
 * @module guard/verify-request
 *
 * `verifyRequest` lets the app team's own services accept Portcullis access tokens the way
 * Portcullis itself does (ASVS V10.3.5: sender-constrained tokens only). Framework-neutral: it
 * takes the method, the raw request target and the headers, and returns a result; the Fastify
 * plugin (`fastify.ts`) and the README's Express example are thin adapters over it.
 *
 * Per request, in this order:
 * 1. `Authorization: DPoP <token>` — any other scheme, Bearer included, is refused (RFC 9449 §7.1).
 * 2. The token is introspected at Portcullis with this service's client credentials (RFC 7662;
 *    ASVS V13.2.1), or taken from the cache of positive answers (≤ 30 s, never past `exp`:
 *    a revoked session is refused within that window). Only access tokens are ever active.
 * 3. The `DPoP` proof is verified locally by Portcullis' own verifier (RFC 9449 §4.3) against
 *    THIS service's URL and method, with `ath` bound to the token, and once only (replay cache).
 *    Server nonces are off: the service has no nonce key; freshness is the proof's `iat`.
 * 4. The proof's key must be the key the token is bound to (`cnf.jkt`, RFC 9449 §6).
 * Token first, proof second, as in Portcullis: only holders of a live token can make the guard
 * spend signature checks and replay-cache entries.
 */
import { DPOP_ALGORITHMS, type ErrorCode } from '@portcullis/protocol';
import type { KeyRing } from '../platform/crypto/index.ts';
import { isAppError } from '../platform/errors/app-error.ts';
import {
  buildHtu,
  checkProofBinding,
  createDPoPVerifier,
  createMemoryReplayCache,
  dpopAccessToken,
  type DPoPVerifier,
  type ReplayCache,
} from '../modules/sessions/index.ts';
import {
  createIntrospectionClient,
  introspectionEndpoint,
  type IntrospectionClient,
  type IntrospectionClientOptions,
} from './introspect.ts';
import { MAX_CACHE_TTL_SECONDS, createIntrospectionCache, type ActiveToken, type IntrospectionCache } from './introspection-cache.ts';

export interface GuardOptions extends IntrospectionClientOptions {
  /** The public origin of THIS service, as clients address it (the proofs' `htu`), e.g. `https://billing.example.com`. */
  readonly publicUrl: string;
  /**
   * Seconds a positive introspection answer is reused (0-30, default 30). Revocation takes
   * effect at the service within this window. Ignored when `cache` is given.
   */
  readonly cacheTtlSeconds?: number;
  /** An explicit cache (e.g. to share one between guards); by default one per Portcullis, client and TTL in this process. */
  readonly cache?: IntrospectionCache;
  /**
   * Where used proofs are remembered (RFC 9449 §11.1). By default in this process's memory, per
   * service origin — with several instances of the service, pass a shared one (Redis) or a proof
   * can be replayed once against each instance.
   */
  readonly replayCache?: ReplayCache;
  /** Accept proofs whose `iat` is at most this old (default 60, as Portcullis). */
  readonly proofMaxAgeSeconds?: number;
}

/** The request as the guard needs it; Node's `IncomingMessage` headers fit. */
export interface GuardRequest {
  readonly method: string;
  /** The raw request target: `request.url` in Fastify, `req.originalUrl` in Express. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** Who is calling, once the token and its proof check out. */
export interface PortcullisIdentity {
  /** The account id (`sub`): stable and never reassigned (ASVS V10.3.3). */
  readonly subject: string;
  readonly sessionId: string;
  readonly roles: readonly string[];
  /** RFC 8176 methods used to sign in (`pwd`, `hwk`, …) — check them for sensitive operations (ASVS V10.3.4). */
  readonly amr: readonly string[];
  /** Assurance level of the session: `aal1`, `aal2` or `aal2_phr`. */
  readonly acr: string;
}

export interface GuardSuccess extends PortcullisIdentity {
  readonly ok: true;
}

export interface GuardFailure {
  readonly ok: false;
  /** 401: refuse the request; 503: Portcullis (or the replay cache) could not be asked — fail closed. */
  readonly status: 401 | 503;
  readonly code: Extract<ErrorCode, 'AUTH_REQUIRED' | 'AUTH_DPOP_INVALID' | 'SERVICE_UNAVAILABLE'>;
  /** Send as `WWW-Authenticate` (RFC 9449 §7.1) with a 401. */
  readonly wwwAuthenticate?: string;
  /** Send as `Retry-After` with a 503. */
  readonly retryAfterSeconds?: number;
  /** Why, for this service's logs; never contains the token or the proof. */
  readonly detail: string;
}

export type GuardResult = GuardSuccess | GuardFailure;

const ALGS = DPOP_ALGORITHMS.join(' ');
/** RFC 9449 §7.1: the challenge names the scheme and the algorithms accepted. */
export const DPOP_CHALLENGE = `DPoP algs="${ALGS}"`;
const INVALID_TOKEN_CHALLENGE = `DPoP error="invalid_token", algs="${ALGS}"`;
const INVALID_PROOF_CHALLENGE = `DPoP error="invalid_dpop_proof", algs="${ALGS}"`;
const RETRY_AFTER_SECONDS = 5;
/** RFC 7235 token68: what an access token may look like at all. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The guard never uses server nonces, so it never has a key for them. */
const NO_NONCE_KEYS: Pick<KeyRing, 'key'> = {
  key: () => {
    throw new TypeError('portcullis guard: DPoP nonces are not used by the guard');
  },
};

interface GuardState {
  readonly origin: string;
  readonly client: IntrospectionClient;
  readonly cache: IntrospectionCache;
  readonly verifier: DPoPVerifier;
}

const states = new WeakMap<GuardOptions, GuardState>();
const sharedReplayCaches = new Map<string, ReplayCache>();
const sharedIntrospectionCaches = new Map<string, IntrospectionCache>();

/**
 * Validates `options` and builds (or finds) the guard's state. State that must outlive one
 * request — used proofs, cached answers — is shared per service origin (replays) and per
 * Portcullis, client and TTL (answers), so passing a fresh options object per request is safe.
 *
 * @throws {TypeError} on invalid options.
 */
export function resolveGuard(options: GuardOptions): GuardState {
  const known = states.get(options);
  if (known) return known;
  const origin = serviceOrigin(options.publicUrl);
  const client = createIntrospectionClient(options);
  const proofMaxAgeSeconds = options.proofMaxAgeSeconds ?? 60;
  const ttlSeconds = options.cacheTtlSeconds ?? MAX_CACHE_TTL_SECONDS;
  const cacheKey = `${introspectionEndpoint(options.introspectionUrl).href} ${options.clientId} ${ttlSeconds}`;
  let cache = options.cache ?? sharedIntrospectionCaches.get(cacheKey);
  if (!cache) {
    cache = createIntrospectionCache({ ttlSeconds });
    sharedIntrospectionCaches.set(cacheKey, cache);
  }
  let replayCache = options.replayCache ?? sharedReplayCaches.get(origin);
  if (!replayCache) {
    replayCache = createMemoryReplayCache();
    sharedReplayCaches.set(origin, replayCache);
  }
  const verifier = createDPoPVerifier({
    config: { proofMaxAgeSeconds, nonce: { enabled: false, lifetimeSeconds: 300 } },
    keyRing: NO_NONCE_KEYS,
    replayCache,
    now: Date.now,
  });
  const state: GuardState = { origin, client, cache, verifier };
  states.set(options, state);
  return state;
}

function refuse(code: 'AUTH_REQUIRED' | 'AUTH_DPOP_INVALID', wwwAuthenticate: string, detail: string): GuardFailure {
  return { ok: false, status: 401, code, wwwAuthenticate, detail };
}

function unavailable(detail: string): GuardFailure {
  return { ok: false, status: 503, code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: RETRY_AFTER_SECONDS, detail };
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

async function activeToken(state: GuardState, token: string): Promise<ActiveToken | GuardFailure> {
  const cached = state.cache.get(token);
  if (cached) return cached;
  const outcome = await state.client.introspect(token);
  if (outcome.kind === 'unavailable') return unavailable(outcome.detail);
  if (outcome.kind === 'inactive') return refuse('AUTH_REQUIRED', INVALID_TOKEN_CHALLENGE, outcome.detail);
  state.cache.set(token, outcome.token);
  return outcome.token;
}

/**
 * The origin of the service's public URL.
 *
 * @throws {TypeError} unless `publicUrl` is an http(s) origin without credentials, path, query or fragment.
 */
export function serviceOrigin(publicUrl: string): string {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new TypeError('portcullis guard: publicUrl is not an absolute URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw new TypeError('portcullis guard: publicUrl must be an http(s) URL without credentials');
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    // A path prefix would make the htu depend on whether a proxy strips it; refuse the ambiguity.
    throw new TypeError('portcullis guard: publicUrl must be an origin (no path, query or fragment)');
  }
  return url.origin;
}

/** The `htu` this request's proof must carry, built like the Portcullis server builds its own; `undefined` for an unroutable target. */
function htuFor(origin: string, target: string): string | undefined {
  try {
    return buildHtu(origin, target);
  } catch {
    return undefined;
  }
}

/**
 * Checks one request to the protected service: a live Portcullis access token, presented with
 * a fresh DPoP proof for this request, signed by the key the token is bound to.
 *
 * @param request Method, raw request target and headers of the incoming request.
 * @param options Where Portcullis is, this service's client credentials and public URL.
 * @returns `{ ok: true, subject, sessionId, roles, amr, acr }`, or `{ ok: false, status, code,
 *   wwwAuthenticate?, detail }` to send as a 401 (or 503) — never throws for a bad request.
 * @throws {TypeError} when `options` are invalid (a programming error).
 * @example
 *   const result = await verifyRequest(
 *     { method: req.method, url: req.originalUrl, headers: req.headers },
 *     { introspectionUrl: 'https://auth.example.com', clientId: 'billing', clientSecret, publicUrl: 'https://billing.example.com' },
 *   );
 *   if (!result.ok) return res.status(result.status).set('www-authenticate', result.wwwAuthenticate ?? '').end();
 */
export async function verifyRequest(request: GuardRequest, options: GuardOptions): Promise<GuardResult> {
  const state = resolveGuard(options);
  // 1. RFC 9449 §7.1: the DPoP scheme only; a bearer token is no credential here.
  const token = dpopAccessToken(single(request.headers['authorization']));
  if (token === undefined) return refuse('AUTH_REQUIRED', DPOP_CHALLENGE, 'no DPoP access token');
  if (!TOKEN68.test(token)) return refuse('AUTH_REQUIRED', INVALID_TOKEN_CHALLENGE, 'token malformed');
  const htu = htuFor(state.origin, request.url);
  if (htu === undefined) return refuse('AUTH_DPOP_INVALID', INVALID_PROOF_CHALLENGE, 'request target not routable');

  // 2. RFC 7662: is the token a live access token, and which key is it bound to?
  const active = await activeToken(state, token);
  if ('ok' in active) return active;
  if (active.expiresAt * 1000 <= Date.now()) return refuse('AUTH_REQUIRED', INVALID_TOKEN_CHALLENGE, 'token expired');

  // 3. RFC 9449 §4.3: a fresh, unused proof for this method and URL of THIS service, with ath.
  // RFC 9449 §6: and signed by the key the token is bound to.
  try {
    const proof = await state.verifier.verify(request.headers['dpop'], { method: request.method, htu, accessToken: token });
    checkProofBinding(proof, active.jkt);
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.code === 'SERVICE_UNAVAILABLE') return unavailable(error.detail ?? 'replay cache unavailable');
    return refuse('AUTH_DPOP_INVALID', error.headers['www-authenticate'] ?? INVALID_PROOF_CHALLENGE, error.detail ?? 'proof invalid');
  }

  return { ok: true, subject: active.subject, sessionId: active.sessionId, roles: active.roles, amr: active.amr, acr: active.acr };
}
