/**
 * Claim shapes as providers send them: Apple's string booleans, private-relay addresses,
 * the unsigned `user` JSON. ASVS V6.8.1 (identity is the subject, never the address).
 */
import { describe, expect, it } from 'vitest';
import type { ProviderSettings } from '../providers/settings.ts';
import { identityFromClaims, parseAppleUser, parseBooleanClaim } from './claims.ts';

const claims = { subject: 'sub', email: 'email', emailVerified: 'email_verified', givenName: 'given_name', familyName: 'family_name' };
const apple = { id: 'apple', kind: 'apple', claims } as unknown as ProviderSettings;
const entra = { id: 'entra', kind: 'oidc', claims: { ...claims, emailVerified: 'xms_edov' } } as unknown as ProviderSettings;

describe('ID-token claim mapping', () => {
  it('reads booleans given as booleans or as the strings "true"/"false"; anything else is false', () => {
    expect([true, 'true', 'TRUE'].map(parseBooleanClaim)).toEqual([true, true, true]);
    expect([false, 'false', '1', 1, null, undefined, {}, 'yes'].map(parseBooleanClaim)).toEqual(Array(8).fill(false));
  });

  it('treats an Apple private-relay address as verified even without email_verified', () => {
    const identity = identityFromClaims(apple, { sub: '001.abc', email: 'Q7@PrivateRelay.AppleID.com', is_private_email: 'true' });
    expect(identity).toMatchObject({ subject: '001.abc', email: 'q7@privaterelay.appleid.com', emailVerified: true, isPrivateEmail: true });
  });

  it('never treats a relay-looking address as verified for another provider', () => {
    const identity = identityFromClaims(entra, { sub: 'x', email: 'q7@privaterelay.appleid.com' });
    expect(identity).toMatchObject({ emailVerified: false, isPrivateEmail: false });
  });

  it('follows the claim mapping (Entra ID: xms_edov)', () => {
    expect(identityFromClaims(entra, { sub: 'x', email: 'a@example.test', email_verified: true }).emailVerified).toBe(false);
    expect(identityFromClaims(entra, { sub: 'x', email: 'a@example.test', xms_edov: true }).emailVerified).toBe(true);
  });

  it('drops implausible addresses and refuses a token without a usable subject', () => {
    expect(identityFromClaims(apple, { sub: 'x', email: 'not an address', email_verified: 'true' })).toMatchObject({
      email: null,
      emailVerified: false,
    });
    expect(() => identityFromClaims(apple, { email: 'a@example.test' })).toThrow(
      expect.objectContaining({ code: 'FEDERATION_TOKEN_INVALID' }) as Error,
    );
    expect(() => identityFromClaims(apple, { sub: 'x'.repeat(256) })).toThrow();
  });
});

describe("Sign in with Apple's `user` parameter", () => {
  it('reads the first and last name', () => {
    expect(parseAppleUser('{"name":{"firstName":"Jane","lastName":"Appleseed"},"email":"j@x.test"}')).toEqual({
      givenName: 'Jane',
      familyName: 'Appleseed',
    });
  });

  it('ignores malformed, oversized or nameless values instead of failing the sign-in', () => {
    for (const raw of [
      undefined,
      '',
      'not json',
      'null',
      '[]',
      '{"name":"Jane"}',
      '{"email":"j@x.test"}',
      `{"name":{"firstName":"${'a'.repeat(5000)}"}}`,
    ]) {
      expect(parseAppleUser(raw)).toBeUndefined();
    }
    expect(parseAppleUser(`{"name":{"firstName":"${'a'.repeat(300)}"}}`)?.givenName).toHaveLength(100);
  });
});
