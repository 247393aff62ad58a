/**
 * DPoP proof verifier (RFC 9449): what an honest client gets. Accepted proofs for both
 * algorithms, the result, the equivalences the `htu` check allows, nonce handling on the happy
 * path, the shape of refusals on the wire, and misuse. Forged proofs are in
 * `verify-proof.security.test.ts`; spec vectors in `dpop.vectors.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../platform/errors/app-error.ts';
import { createDPoPVerifier, checkProofBinding } from './verify-proof.ts';
import { createMemoryReplayCache } from './memory-replay-cache.ts';
import { INVALID_PROOF_CHALLENGE, USE_NONCE_CHALLENGE } from './failures.ts';
import { buildHtu } from './htu.ts';
import { createTestClock, createTestDPoPVerifier, generateTestDPoPKey, signTestProof } from '../../../test-support/dpop-proof.ts';

const PUBLIC_URL = 'https://api.example.test';
const HTU = buildHtu(PUBLIC_URL, '/v1/me');

async function refusal(promise: Promise<unknown>): Promise<{ code: string; detail: string | undefined; headers: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { code: error.code, detail: error.detail, headers: { ...error.headers } };
  }
  throw new Error('expected the proof to be refused');
}

describe('DPoP proof verification RFC 9449', () => {
  it.each(['ES256', 'EdDSA'] as const)('accepts a fresh %s proof and returns its thumbprint, jti and iat', async (alg) => {
    const { verifier, clock } = createTestDPoPVerifier();
    const key = generateTestDPoPKey(alg);
    const nonce = verifier.currentNonce();
    const proof = signTestProof(key, { htm: 'POST', htu: HTU, now: clock.now(), nonce, jti: 'j'.repeat(20) });
    await expect(verifier.verify(proof, { method: 'POST', htu: HTU })).resolves.toEqual({
      jkt: key.jkt,
      jti: 'j'.repeat(20),
      iat: Math.floor(clock.now() / 1000),
    });
  });

  it('accepts a proof with the matching ath when an access token is presented', async () => {
    const { verifier, clock } = createTestDPoPVerifier();
    const key = generateTestDPoPKey();
    const accessToken = 'at_0123456789.abcdefghijklmnopqrstuvwxyz';
    const proof = signTestProof(key, { htu: HTU, now: clock.now(), nonce: verifier.currentNonce(), accessToken });
    await expect(verifier.verify(proof, { method: 'GET', htu: HTU, accessToken })).resolves.toMatchObject({ jkt: key.jkt });
  });

  it('accepts a fractional iat (RFC 7519 NumericDate)', async () => {
    const { verifier, clock } = createTestDPoPVerifier();
    const proof = signTestProof(generateTestDPoPKey(), { htu: HTU, iat: clock.now() / 1000 - 0.5, nonce: verifier.currentNonce() });
    await expect(verifier.verify(proof, { method: 'GET', htu: HTU })).resolves.toMatchObject({ iat: clock.now() / 1000 - 0.5 });
  });

  it('ignores extra header members and claims it does not know', async () => {
    const { verifier, clock } = createTestDPoPVerifier();
    const proof = signTestProof(generateTestDPoPKey(), {
      htu: HTU,
      now: clock.now(),
      nonce: verifier.currentNonce(),
      header: { kid: 'k1', x5u: 'https://attacker.example/keys' },
      claims: { exp: 1, extra: { nested: true } },
    });
    await expect(verifier.verify(proof, { method: 'GET', htu: HTU })).resolves.toBeDefined();
  });

  describe('htu comparison (section 4.3 step 9, RFC 3986 section 6.2.2-6.2.3 normalization)', () => {
    it.each([
      ['upper-case scheme and host', 'HTTPS://API.EXAMPLE.TEST/v1/me'],
      ['explicit default port', 'https://api.example.test:443/v1/me'],
      ['query string', 'https://api.example.test/v1/me?expand=device'],
      ['fragment', 'https://api.example.test/v1/me#section'],
      ['percent-encoded unreserved character', 'https://api.example.test/v1/%6De'],
      ['dot segment', 'https://api.example.test/v1/x/../me'],
    ])('accepts an equivalent htu: %s', async (_name, htu) => {
      const { verifier, clock } = createTestDPoPVerifier();
      const proof = signTestProof(generateTestDPoPKey(), { htu, now: clock.now(), nonce: verifier.currentNonce() });
      await expect(verifier.verify(proof, { method: 'GET', htu: HTU })).resolves.toBeDefined();
    });

    it('ignores the query string of the request itself', async () => {
      const { verifier, clock } = createTestDPoPVerifier();
      const proof = signTestProof(generateTestDPoPKey(), { htu: HTU, now: clock.now(), nonce: verifier.currentNonce() });
      await expect(verifier.verify(proof, { method: 'GET', htu: buildHtu(PUBLIC_URL, '/v1/me?page=2') })).resolves.toBeDefined();
    });
  });

  describe('server nonces (section 8)', () => {
    it('refuses a proof without a nonce with use_dpop_nonce and a fresh DPoP-Nonce, then accepts the retry', async () => {
      const { verifier, clock } = createTestDPoPVerifier();
      const key = generateTestDPoPKey();
      const first = await refusal(verifier.verify(signTestProof(key, { htu: HTU, now: clock.now() }), { method: 'GET', htu: HTU }));
      expect(first).toEqual({
        code: 'AUTH_DPOP_NONCE_REQUIRED',
        detail: 'nonce missing',
        headers: { 'www-authenticate': USE_NONCE_CHALLENGE, 'dpop-nonce': verifier.currentNonce() },
      });
      const retry = signTestProof(key, { htu: HTU, now: clock.now(), nonce: first.headers['dpop-nonce'] });
      await expect(verifier.verify(retry, { method: 'GET', htu: HTU })).resolves.toMatchObject({ jkt: key.jkt });
    });

    it('ignores the nonce claim and sends no DPoP-Nonce when nonces are disabled', async () => {
      const { verifier, clock } = createTestDPoPVerifier({ config: { nonce: { enabled: false } } });
      expect(verifier.currentNonce()).toBeUndefined();
      const key = generateTestDPoPKey();
      await expect(verifier.verify(signTestProof(key, { htu: HTU, now: clock.now() }), { method: 'GET', htu: HTU })).resolves.toBeDefined();
      const withNonce = signTestProof(key, { htu: HTU, now: clock.now(), nonce: 'anything-at-all' });
      await expect(verifier.verify(withNonce, { method: 'GET', htu: HTU })).resolves.toBeDefined();
      const refused = await refusal(
        verifier.verify(signTestProof(key, { htu: HTU, now: clock.now(), htm: 'PUT' }), { method: 'GET', htu: HTU }),
      );
      expect(refused.headers).toEqual({ 'www-authenticate': INVALID_PROOF_CHALLENGE });
    });
  });

  describe('refusals on the wire (section 7.1)', () => {
    it('answers AUTH_DPOP_INVALID with the invalid_dpop_proof challenge, the algorithms and a fresh nonce', async () => {
      const { verifier, clock } = createTestDPoPVerifier();
      const proof = signTestProof(generateTestDPoPKey(), { htu: HTU, htm: 'DELETE', now: clock.now(), nonce: verifier.currentNonce() });
      expect(await refusal(verifier.verify(proof, { method: 'GET', htu: HTU }))).toEqual({
        code: 'AUTH_DPOP_INVALID',
        detail: 'htm mismatch',
        headers: { 'www-authenticate': 'DPoP error="invalid_dpop_proof", algs="ES256 EdDSA"', 'dpop-nonce': verifier.currentNonce() },
      });
    });

    it('answers AUTH_DPOP_INVALID when the DPoP header is missing', async () => {
      const { verifier } = createTestDPoPVerifier();
      expect(await refusal(verifier.verify(undefined, { method: 'GET', htu: HTU }))).toMatchObject({
        code: 'AUTH_DPOP_INVALID',
        detail: 'proof missing',
      });
      expect(await refusal(verifier.verify('', { method: 'GET', htu: HTU }))).toMatchObject({ detail: 'proof missing' });
    });

    it('fails closed with SERVICE_UNAVAILABLE when the replay cache cannot remember the proof', async () => {
      const clock = createTestClock();
      const { verifier } = createTestDPoPVerifier({ clock, replayCache: createMemoryReplayCache({ maxEntries: 1, now: clock.now }) });
      const key = generateTestDPoPKey();
      const proof = () => signTestProof(key, { htu: HTU, now: clock.now(), nonce: verifier.currentNonce() });
      await verifier.verify(proof(), { method: 'GET', htu: HTU });
      expect(await refusal(verifier.verify(proof(), { method: 'GET', htu: HTU }))).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        detail: 'DPoP replay cache full',
      });
    });
  });

  describe('token binding (section 4.3 step 12, section 6)', () => {
    it('accepts a proof whose key is the one the token is bound to', () => {
      const key = generateTestDPoPKey();
      expect(() => checkProofBinding({ jkt: key.jkt }, key.jkt)).not.toThrow();
    });

    it('refuses a proof signed by any other key', () => {
      const [bound, other] = [generateTestDPoPKey(), generateTestDPoPKey('EdDSA')];
      try {
        checkProofBinding({ jkt: other.jkt }, bound.jkt);
        expect.unreachable();
      } catch (error) {
        expect(isAppError(error) && [error.code, error.detail, error.headers['www-authenticate']]).toEqual([
          'AUTH_DPOP_INVALID',
          'key does not match token binding',
          INVALID_PROOF_CHALLENGE,
        ]);
      }
      expect(() => checkProofBinding({ jkt: bound.jkt.slice(0, -1) }, bound.jkt)).toThrow();
      expect(() => checkProofBinding({ jkt: bound.jkt }, '')).toThrow();
    });
  });

  describe('misuse', () => {
    it('refuses a non-positive proof age at construction', () => {
      const options = { keyRing: { key: () => Buffer.alloc(32) }, replayCache: createMemoryReplayCache(), now: Date.now };
      expect(() =>
        createDPoPVerifier({ ...options, config: { proofMaxAgeSeconds: 0, nonce: { enabled: false, lifetimeSeconds: 300 } } }),
      ).toThrow(TypeError);
      expect(() =>
        createDPoPVerifier({ ...options, config: { proofMaxAgeSeconds: 60, nonce: { enabled: true, lifetimeSeconds: 0 } } }),
      ).toThrow(TypeError);
    });
  });
});
