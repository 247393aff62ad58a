/**
 * Start-up checks of `federation.providers`: misconfiguration stops the server with every
 * problem listed. ASVS V13.4.2 (no insecure settings in production), V10.5.3 (issuer pinned).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../config/schema.ts';
import { resolveProviderSettings } from './settings.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'federation-settings-'));
const p8 = path.join(dir, 'AuthKey.p8');
writeFileSync(p8, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
const rsa = path.join(dir, 'rsa.pem');
writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
const secret = path.join(dir, 'secret');
writeFileSync(secret, 's3cret\n');

type Providers = Config['federation']['providers'];

function resolve(providers: Record<string, unknown>, environment: Config['environment'] = 'production', web = { enabled: false }) {
  return resolveProviderSettings({
    environment,
    publicUrl: 'https://auth.example.com',
    web,
    federation: { providers: providers as Providers } as Config['federation'],
  });
}

const apple = {
  kind: 'apple',
  clientId: 'com.example.web',
  apple: { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKeyFile: p8 },
  returnUrls: ['https://app.example.com/r'],
};

describe('federation provider settings', () => {
  it('applies the defaults of each kind', () => {
    const [settings] = resolve({ apple, google: { kind: 'google', clientId: 'g', clientSecretFile: secret } });
    expect(settings).toMatchObject({
      issuer: 'https://appleid.apple.com',
      responseMode: 'form_post',
      nativeNonce: 'sha256-hex',
      scopes: ['openid', 'email', 'name'],
      redirectUrl: 'https://auth.example.com/v1/federation/apple/callback',
      algorithms: ['RS256', 'ES256'],
      allowInsecureHttp: false,
    });
    expect(settings?.discoveryUrl.href).toBe('https://appleid.apple.com/.well-known/openid-configuration');
    const google = resolve({ google: { kind: 'google', clientId: 'g', clientSecretFile: secret } })[0];
    expect(google).toMatchObject({
      responseMode: 'query',
      nativeNonce: 'raw',
      credentials: { kind: 'secret', secret: 's3cret', method: 'client_secret_post' },
    });
  });

  it('lists every problem at once', () => {
    const attempt = () =>
      resolve({
        a: { kind: 'apple', clientId: 'x' },
        b: { ...apple, apple: { ...apple.apple, privateKeyFile: rsa } },
        c: { kind: 'oidc', clientId: 'x' },
        d: { kind: 'oidc', issuer: 'http://idp.example.com', clientId: 'x' },
        e: {
          kind: 'google',
          clientId: 'x',
          returnUrls: ['javascript:alert(1)', 'https://app.example.com/r#frag', 'http://app.example.com/r'],
        },
        f: { kind: 'google', clientId: 'x', clientSecretFile: path.join(dir, 'missing') },
        g: { ...apple, responseMode: 'query' },
        h: { kind: 'google', clientId: 'x', scopes: ['email'] },
      });
    expect(attempt).toThrow(TypeError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const expected of [
      'federation.providers.a.apple: teamId, keyId and privateKeyFile are required',
      'federation.providers.b.apple.privateKeyFile: must be a P-256',
      'federation.providers.c.issuer: required for kind "oidc"',
      'federation.providers.d.issuer: must use https://',
      '"javascript:alert(1)" must not use javascript:',
      'must not have a fragment',
      '"http://app.example.com/r" must use https://',
      'federation.providers.f.clientSecretFile: the file cannot be read',
      'federation.providers.g.responseMode: Apple requires "form_post"',
      'federation.providers.h.scopes: must include "openid"',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('allows plain-HTTP providers and return URLs on loopback outside production only', () => {
    const loopback = { kind: 'oidc', issuer: 'http://127.0.0.1:8080', clientId: 'x', returnUrls: ['http://localhost:5173/r'] };
    expect(resolve({ local: loopback }, 'test')[0]?.allowInsecureHttp).toBe(true);
    expect(() => resolve({ local: loopback }, 'production')).toThrow(/must use https/);
  });

  it('accepts an app scheme as return URL', () => {
    expect(
      resolve({ google: { kind: 'google', clientId: 'x', returnUrls: ['com.example.clinic:/federation'] } })[0]?.returnUrls.has(
        'com.example.clinic:/federation',
      ),
    ).toBe(true);
  });

  it('lets the web app served at publicUrl be returned to without listing it, and only while the server serves it', () => {
    const google = { kind: 'google', clientId: 'x', returnUrls: ['com.example.clinic:/federation'] };
    const served = resolve({ google }, 'production', { enabled: true })[0]?.returnUrls;
    expect([...(served ?? [])]).toEqual(['com.example.clinic:/federation', 'https://auth.example.com/federation/return']);
    expect(resolve({ google }, 'production', { enabled: false })[0]?.returnUrls.has('https://auth.example.com/federation/return')).toBe(
      false,
    );
  });
});
