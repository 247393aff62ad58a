/**
 * The SDK's federation helpers: PKCE pair and start URL (RFC 7636 S256), nonce for Apple's
 * convention, return-URL parsing, DPoP key thumbprint (RFC 7638), and misuse as TypeError.
 */
import { createHash, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createFederationStart,
  createNonce,
  dpopThumbprint,
  exchangeBody,
  idTokenBody,
  parseFederationProviderList,
  readFederationReturn,
} from './provider-flow.ts';

describe('federation helpers', () => {
  it('createFederationStart: a fresh verifier and its S256 challenge in the start URL', async () => {
    const start = await createFederationStart({
      baseUrl: 'https://auth.example.com/prefix/',
      provider: 'google',
      returnTo: 'https://app.example.com/r',
    });
    const url = new URL(start.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://auth.example.com/prefix/v1/federation/google/start');
    expect(start.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('codeChallenge')).toBe(createHash('sha256').update(start.codeVerifier).digest('base64url'));
    expect(url.searchParams.get('codeChallengeMethod')).toBe('S256');
    expect(url.searchParams.get('returnTo')).toBe('https://app.example.com/r');
    expect(url.searchParams.has('dpopJkt')).toBe(false);
    const other = await createFederationStart({ baseUrl: 'https://auth.example.com', provider: 'google', returnTo: 'x:/r' });
    expect(other.codeVerifier).not.toBe(start.codeVerifier);
  });

  it('createNonce: the raw value for Portcullis, its hex SHA-256 for Apple', async () => {
    const nonce = await createNonce();
    expect(nonce.raw).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(nonce.sha256Hex).toBe(createHash('sha256').update(nonce.raw).digest('hex'));
  });

  it('readFederationReturn: a code, a known error code, an unknown error, or nothing', () => {
    const code = 'A'.repeat(43);
    expect(readFederationReturn(`https://app.example.com/r?code=${code}`)).toEqual({ code });
    expect(readFederationReturn('com.example.app:/federation?error=FEDERATION_CANCELLED')).toEqual({ error: 'FEDERATION_CANCELLED' });
    expect(readFederationReturn('https://app.example.com/r?error=<script>')).toEqual({ error: 'UNRECOGNISED_ERROR' });
    expect(readFederationReturn('https://app.example.com/r?code=short')).toBeNull();
  });

  it('dpopThumbprint: RFC 7638 over crv, kty, x, y', async () => {
    const { publicKey } = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const jwk = await webcrypto.subtle.exportKey('jwk', publicKey);
    const expected = createHash('sha256')
      .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
      .digest('base64url');
    expect(await dpopThumbprint(publicKey)).toBe(expected);
  });

  it('refuses misuse with TypeError before any request', async () => {
    await expect(createFederationStart({ baseUrl: 'https://a.example', provider: '../admin', returnTo: 'x:/r' })).rejects.toThrow(
      TypeError,
    );
    await expect(
      createFederationStart({ baseUrl: 'https://a.example', provider: 'google', returnTo: 'x:/r', dpopJkt: 'nope' }),
    ).rejects.toThrow(TypeError);
    expect(() => idTokenBody('google', 'not-a-jwt', 'n'.repeat(20))).toThrow(TypeError);
    expect(() => idTokenBody('google', 'a.b.c', 'short')).toThrow(TypeError);
    expect(() => exchangeBody('x', 'y')).toThrow(TypeError);
    expect(idTokenBody('apple', 'a.b.c', 'n'.repeat(20), { authorizationCode: 'c' })).toEqual({
      provider: 'apple',
      idToken: 'a.b.c',
      nonce: 'n'.repeat(20),
      authorizationCode: 'c',
    });
  });

  it('parseFederationProviderList: ids, names and known kinds only', () => {
    const list = {
      providers: [
        { id: 'apple', name: 'Apple', kind: 'apple' },
        { id: 'keycloak', name: 'keycloak', kind: 'oidc' },
      ],
    };
    expect(parseFederationProviderList(list)).toEqual(list);
    expect(parseFederationProviderList({ providers: [] })).toEqual({ providers: [] });
    expect(parseFederationProviderList({ providers: [{ id: '../admin', name: 'x', kind: 'oidc' }] })).toBeUndefined();
    expect(parseFederationProviderList({ providers: [{ id: 'saml', name: 'x', kind: 'saml' }] })).toBeUndefined();
    expect(parseFederationProviderList({ providers: [{ id: 'apple', kind: 'apple' }] })).toBeUndefined();
    expect(parseFederationProviderList([])).toBeUndefined();
  });
});
