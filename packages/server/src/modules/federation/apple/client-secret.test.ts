/**
 * The Sign in with Apple client secret: an ES256 JWT with Apple's required claims, signed with
 * the `.p8` key, at most 6 months long, re-signed before it expires.
 */
import { generateKeyPairSync } from 'node:crypto';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { APPLE_MAX_CLIENT_SECRET_TTL_SECONDS, createAppleClientSecrets } from './client-secret.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const credentials = { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey, clientSecretTtlSeconds: 3600 };

describe('Apple client secret', () => {
  it('is an ES256 JWT: iss team id, sub client id, aud Apple, kid key id', async () => {
    const secrets = createAppleClientSecrets({ credentials, audience: 'https://appleid.apple.com', now: () => Date.UTC(2026, 0, 1) });
    const jwt = secrets.secretFor('com.example.web');
    const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, { currentDate: new Date(Date.UTC(2026, 0, 1)) });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'KEY1234567' });
    expect(payload).toEqual({
      iss: 'TEAM123456',
      sub: 'com.example.web',
      aud: 'https://appleid.apple.com',
      iat: Date.UTC(2026, 0, 1) / 1000,
      exp: Date.UTC(2026, 0, 1) / 1000 + 3600,
    });
  });

  it('reuses a secret while it is comfortably valid and signs a new one before it expires', () => {
    let now = Date.UTC(2026, 0, 1);
    const secrets = createAppleClientSecrets({ credentials, audience: 'https://appleid.apple.com', now: () => now });
    const first = secrets.secretFor('com.example.web');
    now += 3000 * 1000;
    expect(secrets.secretFor('com.example.web')).toBe(first);
    now += 400 * 1000; // less than 5 minutes of validity left
    expect(secrets.secretFor('com.example.web')).not.toBe(first);
  });

  it('keeps one secret per client id (web Services ID and native bundle id)', () => {
    const secrets = createAppleClientSecrets({ credentials, audience: 'https://appleid.apple.com', now: () => Date.UTC(2026, 0, 1) });
    expect(secrets.secretFor('com.example.web')).not.toBe(secrets.secretFor('com.example.app'));
  });

  it('never signs for longer than Apple allows (6 months)', async () => {
    const secrets = createAppleClientSecrets({
      credentials: { ...credentials, clientSecretTtlSeconds: 400 * 86400 },
      audience: 'https://appleid.apple.com',
      now: () => Date.UTC(2026, 0, 1),
    });
    const { payload } = await jwtVerify(secrets.secretFor('x'), publicKey, { currentDate: new Date(Date.UTC(2026, 0, 1)) });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(APPLE_MAX_CLIENT_SECRET_TTL_SECONDS);
  });
});
