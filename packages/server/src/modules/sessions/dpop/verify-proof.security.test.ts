/**
 * Invariants of the DPoP proof verifier (RFC 9449), each stated as a describe block and each
 * broken by a forged proof signed with real keys:
 * - a proof counts only if signed, with an allow-listed asymmetric algorithm, by the public key it
 *   embeds (section 4.3 steps 4-7; ASVS V9.1.1, V9.1.2, V9.1.3, V9.2.2);
 * - it is bound to one method and one URL (steps 8-9) and, with an access token, to that token
 *   and its key (step 12; ASVS V10.3.5, V10.4.5);
 * - it is fresh (step 11, section 11.1; ASVS V9.2.1) and carries a current server nonce (section 8);
 * - it is accepted once, even under concurrency (section 11.1), and the replay check runs last;
 * - input is bounded before it is decoded (ASVS V2.4.1);
 * - a refusal names the failed check without echoing the proof or the token (ASVS V16.2.5); the
 *   one public hint, for an `htu` mismatch, names only the configured public origin.
 * Every test asserts the exact refusal reason, so removing any one check turns a test red.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../platform/errors/app-error.ts';
import { generateKeyRingFile, keyRingFromFile } from '../../../platform/crypto/key-ring.ts';
import { hmacSha256 } from '../../../platform/crypto/hmac.ts';
import { DPOP_INVALID_REASONS, DPOP_NONCE_REASONS, type DPoPFailureReason } from './failures.ts';
import { buildHtu } from './htu.ts';
import { MAX_PROOF_LENGTH } from './checks/parse-proof.ts';
import { checkProofBinding, type DPoPRequest } from './verify-proof.ts';
import {
  createTestClock,
  createTestDPoPVerifier,
  generateTestDPoPKey,
  signTestProof,
  testAth,
  type TestDPoPKey,
  type TestProofOptions,
} from '../../../test-support/dpop-proof.ts';

const PUBLIC_URL = 'https://api.example.test';
const HTU = buildHtu(PUBLIC_URL, '/v1/me');
const ACCESS_TOKEN = 'at_Zm9vYmFyYmF6.cXV4cXV1eGNvcmdlZ3JhdWx0';
const GET: DPoPRequest = { method: 'GET', htu: HTU };

interface Refusal {
  readonly code: string;
  readonly detail: string | undefined;
  readonly publicDetail: string | undefined;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

async function refusal(promise: Promise<unknown>): Promise<Refusal> {
  try {
    await promise;
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { code: error.code, detail: error.detail, publicDetail: error.publicDetail, message: error.message, headers: error.headers };
  }
  throw new Error('expected the proof to be refused, but it was accepted');
}

/** A verifier, a client key, and `sign` with honest defaults for the current clock and nonce. */
function fixture(options: Parameters<typeof createTestDPoPVerifier>[0] = {}) {
  const setup = createTestDPoPVerifier(options);
  const key = generateTestDPoPKey();
  const sign = (proofOptions: TestProofOptions = {}, signingKey: TestDPoPKey = key): string =>
    signTestProof(signingKey, { htu: HTU, now: setup.clock.now(), nonce: setup.verifier.currentNonce(), ...proofOptions });
  const refused = async (proof: string | readonly string[] | undefined, request: DPoPRequest = GET): Promise<Refusal> =>
    refusal(setup.verifier.verify(proof, request));
  return { ...setup, key, sign, refused };
}

async function expectInvalid(promise: Promise<Refusal>, reason: DPoPFailureReason): Promise<void> {
  const result = await promise;
  expect({ code: result.code, detail: result.detail }).toEqual({ code: 'AUTH_DPOP_INVALID', detail: reason });
}

describe('invariant: a proof counts only if signed by the public key it embeds, with ES256 or EdDSA (RFC 9449 section 4.3 steps 4-7)', () => {
  it('refuses a proof signed by another key than the embedded jwk', async () => {
    const { sign, refused } = fixture();
    const other = generateTestDPoPKey();
    const proof = sign({ signer: { kind: 'key', privateKey: other.privateKey, alg: 'ES256' } });
    await expectInvalid(refused(proof), 'signature invalid');
  });

  it('refuses a proof whose claims were changed after signing', async () => {
    const { sign, refused } = fixture();
    const [header, , signature] = sign({ htm: 'POST' }).split('.');
    const honestClaims = sign().split('.')[1];
    await expectInvalid(refused(`${header!}.${honestClaims!}.${signature!}`), 'signature invalid');
  });

  it('refuses alg "none" with an empty signature', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ header: { alg: 'none' }, signer: { kind: 'none' } })), 'proof is not a compact JWS');
  });

  it('refuses alg "none" even when a valid signature is attached', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ header: { alg: 'none' } })), 'alg not allowed');
  });

  it('refuses alg HS256 keyed with the public key (algorithm confusion)', async () => {
    const { sign, refused, key } = fixture();
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const secret of [JSON.stringify(key.publicJwk), key.publicJwk['x']!, publicKey.export({ format: 'pem', type: 'spki' })]) {
      await expectInvalid(refused(sign({ header: { alg: 'HS256' }, signer: { kind: 'hmac', secret } })), 'alg not allowed');
    }
  });

  it.each(['RS256', 'PS256', 'ES384', 'ES256K', 'Ed25519', 'es256', 'EDDSA', '', 42, null])('refuses alg %j', async (alg) => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ header: { alg } })), 'alg not allowed');
  });

  it('refuses a proof without alg', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ header: { alg: undefined } })), 'alg not allowed');
  });

  it('refuses an RSA key, whatever alg the header claims', async () => {
    const { sign, refused } = fixture();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { kty, n, e } = rsa.publicKey.export({ format: 'jwk' });
    await expectInvalid(refused(sign({ header: { jwk: { kty, n, e } } })), 'jwk key type not supported');
    await expectInvalid(
      refused(sign({ header: { alg: 'RS256', jwk: { kty, n, e } }, signer: { kind: 'raw', signature: 'AAAA' } })),
      'alg not allowed',
    );
  });

  it.each(['ES256', 'EdDSA'] as const)('refuses an embedded private key (%s, member "d")', async (alg) => {
    const { sign, refused } = fixture();
    const key = generateTestDPoPKey(alg);
    await expectInvalid(refused(sign({ header: { jwk: key.privateJwk } }, key)), 'jwk contains a private key');
  });

  it('refuses a symmetric key in jwk', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ header: { jwk: { kty: 'oct', k: 'c2VjcmV0' } } })), 'jwk contains a private key');
  });

  it('refuses a proof without jwk', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ header: { jwk: undefined, kid: 'key-1' } })), 'jwk missing');
  });

  it('refuses a malformed jwk', async () => {
    const { sign, refused, key } = fixture();
    await expectInvalid(refused(sign({ header: { jwk: { ...key.publicJwk, x: key.publicJwk['x']!.slice(1) } } })), 'jwk malformed');
    await expectInvalid(refused(sign({ header: { jwk: 'not-an-object' } })), 'jwk malformed');
  });

  it('refuses a key of the other algorithm (Ed25519 key under ES256, P-256 key under EdDSA)', async () => {
    const { sign, refused } = fixture();
    const ed = generateTestDPoPKey('EdDSA');
    await expectInvalid(refused(sign({ header: { alg: 'ES256' } }, ed)), 'jwk does not match alg');
    await expectInvalid(refused(sign({ header: { alg: 'EdDSA' } })), 'jwk does not match alg');
  });

  it('refuses any crit header (RFC 7515 section 4.1.11), e.g. b64=false', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ header: { crit: ['b64'], b64: false } })), 'crit not supported');
    await expectInvalid(refused(sign({ header: { crit: [] } })), 'crit not supported');
  });

  it.each([undefined, 'JWT', 'at+jwt', 'dpop+JWT', 'application/dpop+jwt', ['dpop+jwt']])(
    'refuses typ %j (explicit typing, ASVS V9.2.2)',
    async (typ) => {
      const { sign, refused } = fixture();
      await expectInvalid(refused(sign({ header: { typ } })), 'typ is not dpop+jwt');
    },
  );
});

describe('invariant: a proof is bound to one method and one URL (section 4.3 steps 8-9)', () => {
  it('refuses a proof made for another method', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ htm: 'POST' })), 'htm mismatch');
    await expectInvalid(refused(sign({ htm: 'get' })), 'htm mismatch');
    await expectInvalid(refused(sign({ claims: { htm: undefined } })), 'htm mismatch');
  });

  it.each([
    ['another path', 'https://api.example.test/v1/admin'],
    ['a trailing slash', 'https://api.example.test/v1/me/'],
    ['a path prefix only', 'https://api.example.test/v1'],
    ['different path case', 'https://api.example.test/v1/ME'],
    ['another host', 'https://evil.example.test/v1/me'],
    ['a sub-domain', 'https://api.example.test.evil.example/v1/me'],
    ['plain http', 'http://api.example.test/v1/me'],
    ['another port', 'https://api.example.test:8443/v1/me'],
    ['the path smuggled into the query', 'https://api.example.test/v1/other?/v1/me'],
    ['the path smuggled into the fragment', 'https://api.example.test/#/v1/me'],
    ['userinfo', 'https://user@api.example.test/v1/me'],
    ['a relative reference', '/v1/me'],
    ['an encoded slash', 'https://api.example.test/v1%2Fme'],
    ['another scheme', 'wss://api.example.test/v1/me'],
  ])('refuses a proof made for %s', async (_name, htu) => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ htu })), 'htu mismatch');
  });

  it('refuses an htu that is not a string', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ claims: { htu: { href: HTU } } })), 'htu mismatch');
    await expectInvalid(refused(sign({ claims: { htu: undefined } })), 'htu mismatch');
  });

  it('an absolute-form request target cannot choose the authority the proof is checked against', async () => {
    const { sign, refused, verifier } = fixture();
    const request = { method: 'GET', htu: buildHtu(PUBLIC_URL, 'http://evil.example/v1/me') };
    await expectInvalid(refused(sign({ htu: 'http://evil.example/v1/me' }), request), 'htu mismatch');
    await expect(verifier.verify(sign(), request)).resolves.toBeDefined();
  });

  it('a request query string does not change which proof matches (query is never part of htu)', async () => {
    const { sign, verifier } = fixture();
    await expect(verifier.verify(sign(), { method: 'GET', htu: buildHtu(PUBLIC_URL, '/v1/me?as=admin') })).resolves.toBeDefined();
    await expect(verifier.verify(sign(), { method: 'GET', htu: buildHtu(PUBLIC_URL, '/v1/me/?as=admin') })).rejects.toMatchObject({
      detail: 'htu mismatch',
    });
  });
});

describe('invariant: a proof is fresh (section 4.3 step 11, section 11.1; ASVS V9.2.1)', () => {
  it('refuses a proof older than proofMaxAgeSeconds, accepts one exactly that old', async () => {
    const { sign, refused, verifier, clock, config } = fixture();
    const now = clock.now() / 1000;
    await expectInvalid(refused(sign({ iat: now - config.proofMaxAgeSeconds - 1 })), 'iat too old');
    await expect(verifier.verify(sign({ iat: now - config.proofMaxAgeSeconds }), GET)).resolves.toBeDefined();
  });

  it('refuses a proof dated more than 5 s in the future, accepts one 5 s ahead', async () => {
    const { sign, refused, verifier, clock } = fixture();
    const now = clock.now() / 1000;
    await expectInvalid(refused(sign({ iat: now + 6 })), 'iat in the future');
    await expect(verifier.verify(sign({ iat: now + 5 }), GET)).resolves.toBeDefined();
  });

  it('refuses a proof without a numeric iat', async () => {
    const { sign, refused, clock } = fixture();
    await expectInvalid(refused(sign({ claims: { iat: undefined } })), 'iat missing');
    await expectInvalid(refused(sign({ claims: { iat: String(clock.now() / 1000) } })), 'iat missing');
  });
});

describe('invariant: with an access token, the proof is bound to that token and its key (section 4.3 step 12; ASVS V10.3.5)', () => {
  const withToken: DPoPRequest = { ...GET, accessToken: ACCESS_TOKEN };

  it('refuses a proof without ath when an access token is presented', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign(), withToken), 'ath missing');
  });

  it('refuses a proof whose ath is the hash of another token', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ accessToken: `${ACCESS_TOKEN}x` }), withToken), 'ath mismatch');
    await expectInvalid(refused(sign({ claims: { ath: testAth(ACCESS_TOKEN).slice(0, -1) } }), withToken), 'ath mismatch');
  });

  it('refuses a proof whose ath is not a string', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ claims: { ath: 0 } }), withToken), 'ath missing');
  });

  it('refuses a proof carrying ath when no access token is presented (a proof for a token call is not spent elsewhere)', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ accessToken: ACCESS_TOKEN })), 'ath without access token');
  });

  it('a stolen token with a valid proof from the thief key fails the binding check', async () => {
    const { sign, verifier } = fixture();
    const victim = generateTestDPoPKey();
    const thief = generateTestDPoPKey();
    const proof = await verifier.verify(sign({ accessToken: ACCESS_TOKEN }, thief), withToken);
    expect(() => checkProofBinding(proof, victim.jkt)).toThrow(expect.objectContaining({ detail: 'key does not match token binding' }));
  });
});

describe('invariant: a proof is accepted once (section 11.1)', () => {
  it('refuses the same proof the second time', async () => {
    const { sign, refused, verifier } = fixture();
    const proof = sign();
    await verifier.verify(proof, GET);
    await expectInvalid(refused(proof), 'jti replayed');
  });

  it('refuses a new proof that reuses a jti under the same key', async () => {
    const { sign, refused, verifier } = fixture();
    await verifier.verify(sign({ jti: 'same-jti-0123456789' }), GET);
    await expectInvalid(refused(sign({ jti: 'same-jti-0123456789', htm: 'POST' }), { method: 'POST', htu: HTU }), 'jti replayed');
  });

  it('of 20 concurrent verifications of one proof, exactly one succeeds', async () => {
    const { sign, verifier } = fixture();
    const proof = sign();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verifier.verify(proof, GET)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const reasons = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as { detail: string }).detail] : []));
    expect(reasons).toEqual(Array.from({ length: 19 }, () => 'jti replayed'));
  });

  it('remembers a proof for as long as its iat could be accepted (TTL = proofMaxAgeSeconds + 5 s)', async () => {
    const { sign, refused, verifier, clock, config } = fixture();
    const proof = sign({ iat: clock.now() / 1000 + 5 }); // the latest iat accepted now
    await verifier.verify(proof, GET);
    clock.advance((config.proofMaxAgeSeconds + 5) * 1000 - 1); // the iat check still passes here
    await expectInvalid(refused(proof), 'jti replayed');
  });

  it('scopes jti to the key: another client may use the same jti', async () => {
    const { sign, verifier } = fixture();
    await verifier.verify(sign({ jti: 'shared-jti-0123456789' }), GET);
    await expect(verifier.verify(sign({ jti: 'shared-jti-0123456789' }, generateTestDPoPKey('EdDSA')), GET)).resolves.toBeDefined();
  });

  it('runs last: a refused proof does not consume its jti', async () => {
    const { sign, refused, verifier } = fixture();
    const jti = 'not-yet-used-0123456789';
    await expectInvalid(refused(sign({ jti, htm: 'DELETE' })), 'htm mismatch');
    await expectInvalid(refused(sign({ jti }), { ...GET, accessToken: ACCESS_TOKEN }), 'ath missing');
    await expect(verifier.verify(sign({ jti }), GET)).resolves.toMatchObject({ jti });
  });

  it.each([
    ['missing', undefined],
    ['too short (15 characters)', 'a'.repeat(15)],
    ['too long (257 characters)', 'a'.repeat(257)],
    ['a number', 1234567890123456],
  ])('refuses a jti that is %s', async (_name, jti) => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ claims: { jti } })), 'jti invalid');
  });

  it('accepts a jti of 16 and of 256 characters', async () => {
    const { sign, verifier } = fixture();
    await expect(verifier.verify(sign({ jti: 'a'.repeat(16) }), GET)).resolves.toBeDefined();
    await expect(verifier.verify(sign({ jti: 'b'.repeat(256) }), GET)).resolves.toBeDefined();
  });
});

describe('invariant: with nonces enabled, a proof carries a nonce this deployment issued for the current or previous window (section 8)', () => {
  async function expectNonceRequired(promise: Promise<Refusal>, reason: DPoPFailureReason, fresh: string | undefined): Promise<void> {
    const result = await promise;
    expect(result).toMatchObject({ code: 'AUTH_DPOP_NONCE_REQUIRED', detail: reason });
    expect(result.headers['dpop-nonce']).toBe(fresh);
    expect(result.headers['www-authenticate']).toBe('DPoP error="use_dpop_nonce", algs="ES256 EdDSA"');
  }

  it('refuses a proof without a nonce and says which nonce to use', async () => {
    const { sign, refused, verifier } = fixture();
    await expectNonceRequired(refused(sign({ nonce: undefined })), 'nonce missing', verifier.currentNonce());
  });

  it('accepts a nonce from the previous window, refuses one from two windows ago', async () => {
    const { sign, refused, verifier, clock, config } = fixture();
    const old = verifier.currentNonce();
    clock.advance(config.nonce.lifetimeSeconds * 1000);
    expect(verifier.currentNonce()).not.toBe(old);
    await expect(verifier.verify(sign({ nonce: old }), GET)).resolves.toBeDefined();
    clock.advance(config.nonce.lifetimeSeconds * 1000);
    await expectNonceRequired(refused(sign({ nonce: old })), 'nonce stale or unknown', verifier.currentNonce());
  });

  it('refuses a forged nonce: random, or the right construction under another key', async () => {
    const { sign, refused, verifier, clock, config } = fixture();
    const window = Math.floor(clock.now() / 1000 / config.nonce.lifetimeSeconds);
    const otherKey = Buffer.alloc(32, 7);
    const forged = [
      'AAAAAAAAAAAAAAAAAAAAAA',
      `${verifier.currentNonce()!.slice(0, -1)}A`,
      hmacSha256(otherKey, `portcullis.dpop-nonce.v1.${window}`).slice(0, 22),
      `${verifier.currentNonce()!}x`,
      '',
    ];
    for (const nonce of forged) {
      if (nonce === verifier.currentNonce()) continue;
      await expectNonceRequired(refused(sign({ nonce })), 'nonce stale or unknown', verifier.currentNonce());
    }
  });

  it('refuses a nonce that is not a string', async () => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ claims: { nonce: 12345 } })), 'nonce malformed');
  });

  it('accepts a nonce issued by another instance that shares the key ring, and refuses one from another deployment', async () => {
    const keyRing = keyRingFromFile(generateKeyRingFile({ development: true }), 'shared');
    const clock = createTestClock();
    const instanceA = createTestDPoPVerifier({ keyRing, clock });
    const instanceB = createTestDPoPVerifier({ keyRing, clock });
    const elsewhere = createTestDPoPVerifier({ clock });
    const key = generateTestDPoPKey();
    const proof = (nonce: string | undefined) => signTestProof(key, { htu: HTU, now: clock.now(), nonce });
    await expect(instanceB.verifier.verify(proof(instanceA.verifier.currentNonce()), GET)).resolves.toBeDefined();
    await expect(instanceB.verifier.verify(proof(elsewhere.verifier.currentNonce()), GET)).rejects.toMatchObject({
      code: 'AUTH_DPOP_NONCE_REQUIRED',
    });
  });
});

describe('invariant: untrusted input is bounded and parsed strictly before anything else (ASVS V2.4.1)', () => {
  it('refuses a validly signed proof longer than 4 KiB without decoding it, accepts one just under', async () => {
    const { sign, refused, verifier } = fixture();
    const padded = (size: number) => sign({ claims: { pad: 'p'.repeat(size) } });
    let size = 0;
    while (padded(size + 1).length <= MAX_PROOF_LENGTH) size += 1;
    const largest = padded(size);
    expect(largest.length).toBeGreaterThan(MAX_PROOF_LENGTH - 4);
    await expect(verifier.verify(largest, GET)).resolves.toBeDefined();
    await expectInvalid(refused(padded(size + 1)), 'proof too large');
    await expectInvalid(refused(padded(100_000)), 'proof too large');
  });

  it('refuses more than one DPoP header (section 4.3 step 1)', async () => {
    const { sign, refused } = fixture();
    const proof = sign();
    await expectInvalid(refused([proof, proof]), 'more than one proof');
    await expectInvalid(refused([proof]), 'more than one proof');
    // Node joins repeated unknown headers with ", ".
    await expectInvalid(refused(`${proof}, ${sign()}`), 'proof is not a compact JWS');
  });

  it.each([
    ['two segments', (proof: string) => proof.split('.').slice(0, 2).join('.')],
    ['four segments', (proof: string) => `${proof}.AAAA`],
    ['padding', (proof: string) => `${proof}==`],
    ['whitespace', (proof: string) => ` ${proof}`],
    ['a line break', (proof: string) => proof.replace('.', '.\n')],
    ['standard base64 characters', (proof: string) => `${proof.slice(0, -1)}+`],
    ['JSON serialization', () => JSON.stringify({ protected: 'e30', payload: 'e30', signature: 'AA' })],
  ])('refuses a proof that is not one compact JWS: %s', async (_name, mangle) => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(mangle(sign())), 'proof is not a compact JWS');
  });

  it.each([
    ['not JSON', Buffer.from('{"typ":').toString('base64url')],
    ['a JSON array', Buffer.from('["dpop+jwt"]').toString('base64url')],
    ['JSON null', Buffer.from('null').toString('base64url')],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')],
    ['an impossible base64 length', 'eyJ0eXAiOiJkcG9wK2p3dCJ9A'],
  ])('refuses a header that is %s', async (_name, header) => {
    const { sign, refused } = fixture();
    const [, payload, signature] = sign().split('.');
    await expectInvalid(refused(`${header}.${payload!}.${signature!}`), 'header is not a JSON object');
  });

  it.each([
    ['not JSON', '{"jti":'],
    ['a JSON array', '[]'],
    ['a JSON string', '"claims"'],
  ])('refuses a validly signed payload that is %s', async (_name, payloadJson) => {
    const { sign, refused } = fixture();
    await expectInvalid(refused(sign({ payloadJson })), 'payload is not a JSON object');
  });
});

describe('invariant: a refusal names the failed check and never echoes the proof, the token or a claim (ASVS V16.2.5)', () => {
  it('every refusal detail is a fixed reason string', async () => {
    const { sign, refused } = fixture();
    const jti = 'secretish-jti-value-0123456789';
    const cases: Array<[string, DPoPRequest]> = [
      [sign({ jti, htm: 'POST' }), GET],
      [sign({ jti, accessToken: `${ACCESS_TOKEN}x` }), { ...GET, accessToken: ACCESS_TOKEN }],
      [sign({ jti, header: { typ: 'JWT' } }), GET],
      [sign({ jti, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }), GET],
      [sign({ jti, htu: 'https://evil.example/v1/me' }), GET],
      [`${sign({ jti })}x`, GET],
    ];
    const known: readonly string[] = [...DPOP_INVALID_REASONS, ...DPOP_NONCE_REASONS];
    for (const [proof, request] of cases) {
      const result = await refused(proof, request);
      expect(known).toContain(result.detail);
      for (const text of [result.detail!, result.message, result.publicDetail ?? '']) {
        for (const secret of [proof, ...proof.split('.'), ACCESS_TOKEN, jti, 'evil.example']) expect(text).not.toContain(secret);
      }
    }
  });

  it('only an htu mismatch carries a public hint, and it names the configured public origin, not the request path', async () => {
    const { sign, refused } = fixture();
    const request: DPoPRequest = { method: 'GET', htu: buildHtu(PUBLIC_URL, '/v1/%3Cscript%3Emarker') };
    const mismatch = await refused(sign({ htu: 'https://127.0.0.1:8443/v1/%3Cscript%3Emarker' }), request);
    expect(mismatch).toMatchObject({
      detail: 'htu mismatch',
      publicDetail: `DPoP proofs must name this server's public URL, ${PUBLIC_URL}, followed by the request path (htu).`,
    });
    expect((await refused(sign({ htm: 'POST' }))).publicDetail).toBeUndefined();
    expect((await refused(sign({ nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }))).publicDetail).toBeUndefined();
  });
});
