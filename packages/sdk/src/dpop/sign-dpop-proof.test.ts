/**
 * DPoP proofs (RFC 9449 §4) produced by the SDK, verified independently with node:crypto: the
 * test decodes the compact JWS itself and checks the signature with Node's ECDSA verifier in
 * IEEE P1363 form, so a bug shared by signer and verifier cannot hide.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDpopKey } from './create-dpop-key.ts';
import { MemoryDpopKeyStore } from './key-store.ts';
import { signDpopProof } from './sign-dpop-proof.ts';

interface DecodedProof {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

function decode(proof: string): DecodedProof {
  const [header = '', payload = '', signature = '', ...rest] = proof.split('.');
  expect(rest).toEqual([]);
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

function verifiesWithNode(decoded: DecodedProof): boolean {
  const jwk = decoded.header['jwk'] as { kty: string; crv: string; x: string; y: string };
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return verify('sha256', Buffer.from(decoded.signingInput), { key, dsaEncoding: 'ieee-p1363' }, decoded.signature);
}

const fixedClock = { now: () => 1_700_000_000_987 };

describe('createDpopKey', () => {
  it('creates an ECDSA P-256 key pair whose private key cannot be exported', async () => {
    const key = await createDpopKey();
    expect(key.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(key.privateKey.extractable).toBe(false);
    expect(key.privateKey.usages).toEqual(['sign']);
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('pkcs8', key.privateKey)).rejects.toThrow();
  });

  it('creates a different key each time', async () => {
    const [a, b] = await Promise.all([createDpopKey(), createDpopKey()]);
    const [ja, jb] = await Promise.all([crypto.subtle.exportKey('jwk', a.publicKey), crypto.subtle.exportKey('jwk', b.publicKey)]);
    expect(ja.x).not.toBe(jb.x);
  });
});

describe('DPoP proof RFC 9449 §4', () => {
  it('is a compact JWS whose ES256 signature verifies with node:crypto (IEEE P1363 r||s)', async () => {
    const key = await createDpopKey();
    const proof = await signDpopProof({ key, htm: 'POST', htu: 'https://auth.example.com/v1/sessions' });
    const decoded = decode(proof);
    expect(decoded.signature).toHaveLength(64);
    expect(verifiesWithNode(decoded)).toBe(true);
  });

  it('fails verification when a single payload byte changes', async () => {
    const key = await createDpopKey();
    const decoded = decode(await signDpopProof({ key, htm: 'GET', htu: 'https://auth.example.com/v1/accounts/me' }));
    const tampered = Buffer.from(JSON.stringify({ ...decoded.payload, htm: 'PUT' })).toString('base64url');
    const [header = ''] = decoded.signingInput.split('.');
    expect(verifiesWithNode({ ...decoded, signingInput: `${header}.${tampered}` })).toBe(false);
  });

  it('has header typ dpop+jwt, alg ES256 and a public-only jwk (kty, crv, x, y; never d)', async () => {
    const key = await createDpopKey();
    const { header } = decode(await signDpopProof({ key, htm: 'GET', htu: 'https://auth.example.com/v1/sessions' }));
    expect(header['typ']).toBe('dpop+jwt');
    expect(header['alg']).toBe('ES256');
    const jwk = header['jwk'] as Record<string, unknown>;
    expect(Object.keys(jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(jwk).not.toHaveProperty('d');
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    const exported = await crypto.subtle.exportKey('jwk', key.publicKey);
    expect(jwk['x']).toBe(exported.x);
    expect(jwk['y']).toBe(exported.y);
  });

  it('carries jti, htm, htu and iat in seconds from the injected clock, and no ath or nonce unless given', async () => {
    const key = await createDpopKey();
    const { payload } = decode(await signDpopProof({ key, htm: 'POST', htu: 'https://auth.example.com/v1/sessions', clock: fixedClock }));
    expect(Object.keys(payload).sort()).toEqual(['htm', 'htu', 'iat', 'jti']);
    expect(payload).toMatchObject({ htm: 'POST', htu: 'https://auth.example.com/v1/sessions', iat: 1_700_000_000 });
  });

  it('uses a fresh jti of at least 128 random bits (base64url) on every proof', async () => {
    const key = await createDpopKey();
    const jtis = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { payload } = decode(await signDpopProof({ key, htm: 'GET', htu: 'https://auth.example.com/v1/sessions' }));
      const jti = payload['jti'] as string;
      expect(jti).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(jti, 'base64url').length).toBeGreaterThanOrEqual(16);
      jtis.add(jti);
    }
    expect(jtis.size).toBe(50);
  });

  it('drops the query and fragment from htu (§4.2)', async () => {
    const key = await createDpopKey();
    const { payload } = decode(
      await signDpopProof({ key, htm: 'GET', htu: new URL('https://auth.example.com/v1/sessions?page=2&token=secret#frag') }),
    );
    expect(payload['htu']).toBe('https://auth.example.com/v1/sessions');
  });

  it('sets ath to base64url(SHA-256(access token)) (§4.2)', async () => {
    const key = await createDpopKey();
    const accessToken = 'at_Kq3vX0c9.secretpart-_';
    const { payload } = decode(await signDpopProof({ key, htm: 'GET', htu: 'https://auth.example.com/v1/accounts/me', accessToken }));
    expect(payload['ath']).toBe(createHash('sha256').update(accessToken, 'ascii').digest('base64url'));
  });

  it('echoes the server nonce (§8)', async () => {
    const key = await createDpopKey();
    const { payload } = decode(
      await signDpopProof({ key, htm: 'POST', htu: 'https://auth.example.com/v1/sessions', nonce: 'eyJ7S_zG.9eyJ-fQ' }),
    );
    expect(payload['nonce']).toBe('eyJ7S_zG.9eyJ-fQ');
  });

  it('refuses misuse with TypeError', async () => {
    const key = await createDpopKey();
    const htu = 'https://auth.example.com/v1/sessions';
    await expect(signDpopProof({ key, htm: 'GET', htu: '/v1/sessions' })).rejects.toThrow(TypeError);
    await expect(signDpopProof({ key, htm: 'GET', htu: 'ftp://auth.example.com/x' })).rejects.toThrow(TypeError);
    await expect(signDpopProof({ key, htm: 'GET', htu: 'https://user:pw@auth.example.com/x' })).rejects.toThrow(TypeError);
    await expect(signDpopProof({ key, htm: 'G ET', htu })).rejects.toThrow(TypeError);
    await expect(signDpopProof({ key, htm: 'GET', htu, accessToken: '' })).rejects.toThrow(TypeError);
    await expect(signDpopProof({ key, htm: 'GET', htu, nonce: 'has space' })).rejects.toThrow(TypeError);
    await expect(signDpopProof({ key, htm: 'GET', htu, nonce: 'quote"' })).rejects.toThrow(TypeError);
    await expect(signDpopProof({ key: {} as CryptoKeyPair, htm: 'GET', htu })).rejects.toThrow(TypeError);
    const rsa = await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    await expect(signDpopProof({ key: rsa, htm: 'GET', htu })).rejects.toThrow(/ES256/);
    const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify']);
    await expect(signDpopProof({ key: p384, htm: 'GET', htu })).rejects.toThrow(/ES256/);
  });
});

describe('MemoryDpopKeyStore', () => {
  it('keeps the CryptoKeyPair object itself, and forgets it on delete', async () => {
    const store = new MemoryDpopKeyStore();
    expect(await store.get()).toBeNull();
    const key = await createDpopKey();
    await store.put(key);
    expect(await store.get()).toBe(key);
    await store.delete();
    expect(await store.get()).toBeNull();
  });
});
