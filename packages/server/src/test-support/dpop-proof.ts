/**
 * @module test-support/dpop-proof
 *
 * Test helper, never imported by production code: generates real client keys with node:crypto and
 * signs real DPoP proofs (RFC 9449 section 4.2), honest or deliberately broken, so that tests of
 * the verifier and, later, of the sessions routes exercise the real cryptography.
 */
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { generateKeyRingFile, keyRingFromFile, type KeyRing } from '../platform/crypto/key-ring.ts';
import { createMemoryReplayCache } from '../modules/sessions/dpop/memory-replay-cache.ts';
import type { ReplayCache } from '../modules/sessions/dpop/replay-cache.ts';
import { createDPoPVerifier, type DPoPConfig, type DPoPVerifier } from '../modules/sessions/dpop/verify-proof.ts';

export type TestProofAlgorithm = 'ES256' | 'EdDSA';

export interface TestDPoPKey {
  readonly alg: TestProofAlgorithm;
  readonly privateKey: KeyObject;
  /** The public JWK as a client would embed it (`kty`, `crv`, `x`[, `y`]). */
  readonly publicJwk: Readonly<Record<string, string>>;
  /** The private JWK (with `d`), for "private key embedded" tests. */
  readonly privateJwk: Readonly<Record<string, string>>;
  /** RFC 7638 thumbprint, computed here independently of the code under test. */
  readonly jkt: string;
}

/** A fresh client key pair. */
export function generateTestDPoPKey(alg: TestProofAlgorithm = 'ES256'): TestDPoPKey {
  const { privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const { kty = '', crv = '', x = '', y = '', d = '' } = privateKey.export({ format: 'jwk' });
  const publicJwk: Record<string, string> = alg === 'ES256' ? { kty, crv, x, y } : { kty, crv, x };
  // RFC 7638 canonical form, written out by hand: crv, kty, x[, y] in that order, no whitespace.
  const canonical =
    alg === 'ES256' ? `{"crv":"${crv}","kty":"${kty}","x":"${x}","y":"${y}"}` : `{"crv":"${crv}","kty":"${kty}","x":"${x}"}`;
  return {
    alg,
    privateKey,
    publicJwk,
    privateJwk: { ...publicJwk, d },
    jkt: createHash('sha256').update(canonical).digest('base64url'),
  };
}

/** How the signature segment is produced. */
export type TestProofSigner =
  | { readonly kind: 'key'; readonly privateKey: KeyObject; readonly alg: TestProofAlgorithm }
  | { readonly kind: 'hmac'; readonly secret: string | Buffer }
  | { readonly kind: 'none' }
  | { readonly kind: 'raw'; readonly signature: string };

export interface TestProofOptions {
  readonly htm?: string;
  readonly htu?: string;
  /** Seconds since the epoch; defaults to `now / 1000`. */
  readonly iat?: number;
  /** Milliseconds since the epoch used for the default `iat`; defaults to `Date.now()`. */
  readonly now?: number;
  readonly jti?: string;
  readonly nonce?: string;
  /** Adds `ath` = base64url(SHA-256(accessToken)). */
  readonly accessToken?: string;
  /** Merged over the default header; a member set to `undefined` is removed. */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Merged over the default claims; a member set to `undefined` is removed. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Replaces the whole claims JSON with this text (for malformed-payload tests). */
  readonly payloadJson?: string;
  /** Defaults to the key's own private key and algorithm. */
  readonly signer?: TestProofSigner;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function merge(base: Record<string, unknown>, overrides: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const merged = { ...base, ...overrides };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) Reflect.deleteProperty(merged, name);
  return merged;
}

/** The `ath` of an access token (RFC 9449 section 4.2), computed independently of the code under test. */
export function testAth(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/**
 * Signs a DPoP proof. Defaults: `typ` dpop+jwt, the key's `alg` and public `jwk`, a random
 * 32-character `jti`, `htm` GET, `htu` https://api.example.test/v1/me, `iat` now.
 *
 * @example
 *   const key = generateTestDPoPKey();
 *   const proof = signTestProof(key, { htm: 'POST', htu, nonce, accessToken });
 */
export function signTestProof(key: TestDPoPKey, options: TestProofOptions = {}): string {
  const header = merge({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk }, options.header);
  const claims = merge(
    {
      jti: options.jti ?? randomBytes(24).toString('base64url'),
      htm: options.htm ?? 'GET',
      htu: options.htu ?? 'https://api.example.test/v1/me',
      iat: options.iat ?? Math.floor((options.now ?? Date.now()) / 1000),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      ...(options.accessToken === undefined ? {} : { ath: testAth(options.accessToken) }),
    },
    options.claims,
  );
  const payload = options.payloadJson === undefined ? encode(claims) : Buffer.from(options.payloadJson).toString('base64url');
  const signingInput = `${encode(header)}.${payload}`;
  const signer = options.signer ?? { kind: 'key', privateKey: key.privateKey, alg: key.alg };
  let signature: string;
  switch (signer.kind) {
    case 'key': {
      const data = Buffer.from(signingInput);
      const bytes =
        signer.alg === 'ES256'
          ? sign('sha256', data, { key: signer.privateKey, dsaEncoding: 'ieee-p1363' })
          : sign(null, data, signer.privateKey);
      signature = bytes.toString('base64url');
      break;
    }
    case 'hmac':
      signature = createHmac('sha256', signer.secret).update(signingInput).digest('base64url');
      break;
    case 'none':
      signature = '';
      break;
    case 'raw':
      signature = signer.signature;
      break;
  }
  return `${signingInput}.${signature}`;
}

/** A settable clock for tests: `now()` in milliseconds since the epoch. */
export interface TestClock {
  readonly now: () => number;
  readonly set: (ms: number) => void;
  readonly advance: (ms: number) => void;
}

export function createTestClock(startMs = Date.UTC(2026, 0, 1)): TestClock {
  let current = startMs;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export interface TestDPoPVerifier {
  readonly verifier: DPoPVerifier;
  readonly clock: TestClock;
  readonly keyRing: KeyRing;
  readonly replayCache: ReplayCache;
  readonly config: DPoPConfig;
}

/**
 * A verifier over real parts: a freshly generated key ring, the in-memory replay cache (or the
 * one given) and a settable clock. Defaults follow `sessions.dpop` in the config schema.
 */
export function createTestDPoPVerifier(
  options: {
    readonly config?: Partial<Omit<DPoPConfig, 'nonce'>> & { readonly nonce?: Partial<DPoPConfig['nonce']> };
    readonly replayCache?: ReplayCache;
    readonly keyRing?: KeyRing;
    readonly clock?: TestClock;
  } = {},
): TestDPoPVerifier {
  const clock = options.clock ?? createTestClock();
  const keyRing = options.keyRing ?? keyRingFromFile(generateKeyRingFile({ development: true }), 'test');
  const replayCache = options.replayCache ?? createMemoryReplayCache({ now: clock.now });
  const config: DPoPConfig = {
    proofMaxAgeSeconds: options.config?.proofMaxAgeSeconds ?? 60,
    nonce: { enabled: true, lifetimeSeconds: 300, ...options.config?.nonce },
  };
  const verifier = createDPoPVerifier({ config, keyRing, replayCache, now: clock.now });
  return { verifier, clock, keyRing, replayCache, config };
}
