/**
 * The software authenticator is checked against @simplewebauthn/server directly (not through
 * Portcullis), and its bytes are read back by hand, so the passkey tests rest on an authenticator
 * that is known to speak WebAuthn L3: real CBOR, real authenticator data, real signatures.
 */
import { describe, expect, it } from 'vitest';
import { verifyAuthenticationResponse, verifyRegistrationResponse, type WebAuthnCredential } from '@simplewebauthn/server';
import { decodeAttestationObject, isoBase64URL, parseAuthenticatorData, validateCertificatePath } from '@simplewebauthn/server/helpers';
import type { RegistrationCredential } from '@portcullis/protocol';
import {
  AUTHENTICATOR_FLAGS,
  SoftwareAuthenticator,
  createTestAttestationAuthority,
  type SoftwareAuthenticatorOptions,
} from './software-authenticator.ts';

const RP_ID = 'rp.example.test';
const ORIGIN = `https://${RP_ID}`;
const USER_HANDLE = isoBase64URL.fromBuffer(new Uint8Array(16).fill(7));

function creationOptions(challenge = 'Y2hhbGxlbmdlLWNoYWxsZW5nZS1jaGFsbGVuZ2U') {
  return { challenge, rp: { id: RP_ID, name: 'Test' }, user: { id: USER_HANDLE } };
}

async function register(options: SoftwareAuthenticatorOptions = {}) {
  const authenticator = new SoftwareAuthenticator(options);
  const response = authenticator.register(creationOptions(), { origin: ORIGIN });
  const verified = await verifyRegistrationResponse({
    response,
    expectedChallenge: creationOptions().challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    requireUserVerification: true,
  });
  if (!verified.verified) throw new Error('registration did not verify');
  return { authenticator, response, info: verified.registrationInfo };
}

function authData(response: RegistrationCredential) {
  const attestation = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject));
  return { fmt: attestation.get('fmt'), attStmt: attestation.get('attStmt'), parsed: parseAuthenticatorData(attestation.get('authData')) };
}

describe('software authenticator (WebAuthn L3 test double with real cryptography)', () => {
  it('creates a credential with none attestation that @simplewebauthn/server verifies', async () => {
    const { response, info } = await register();
    const { fmt, parsed } = authData(response);
    expect(fmt).toBe('none');
    expect(info.fmt).toBe('none');
    expect(info.credential.id).toBe(response.id);
    expect(info.aaguid).toBe('5e1f7e57-0000-4000-8000-00000000a11c');
    // Flags byte: UP, UV, BE, BS and AT (attested credential data present).
    const { UP, UV, BE, BS, AT } = AUTHENTICATOR_FLAGS;
    expect(parsed.flags.flagsInt).toBe(UP | UV | BE | BS | AT);
    expect(isoBase64URL.fromBuffer(parsed.rpIdHash)).toBe(
      isoBase64URL.fromBuffer(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(RP_ID)))),
    );
    expect(parsed.counter).toBe(0);
  });

  it('creates packed self attestation signed by the credential key (ES256 and EdDSA)', async () => {
    for (const algorithm of ['ES256', 'EdDSA'] as const) {
      const { response, info } = await register({ algorithm, attestation: { format: 'packed-self' } });
      const { fmt, attStmt } = authData(response);
      expect([algorithm, fmt, attStmt.get('alg'), attStmt.get('x5c')]).toEqual([
        algorithm,
        'packed',
        algorithm === 'ES256' ? -7 : -8,
        undefined,
      ]);
      expect(info.fmt).toBe('packed');
    }
  });

  it('creates packed full attestation whose certificate chains to its test root', async () => {
    const authority = await createTestAttestationAuthority();
    const { response } = await register({ attestation: { format: 'packed-full', certificate: authority.certificate } });
    const x5c = authData(response).attStmt.get('x5c') ?? [];
    expect(x5c).toHaveLength(1);
    const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(x5c[0] ?? new Uint8Array()).toString('base64')}\n-----END CERTIFICATE-----\n`;
    await expect(validateCertificatePath([pem], [authority.rootPem])).resolves.toBe(true);
    const stranger = await createTestAttestationAuthority('Someone Else');
    await expect(validateCertificatePath([pem], [stranger.rootPem])).rejects.toThrow();
  });

  it('signs assertions that verify, counting signatures (or reporting 0 like a synced passkey)', async () => {
    const { authenticator, info } = await register({ backupEligible: false });
    const credential: WebAuthnCredential = info.credential;
    const challenge = 'YW5vdGhlci1jaGFsbGVuZ2UtZm9yLXRoZS1hc3NlcnRpb24';
    for (const expectedCounter of [1, 2]) {
      const assertion = authenticator.assert({ challenge, rpId: RP_ID }, { origin: ORIGIN });
      expect(assertion.response.userHandle).toBe(USER_HANDLE);
      const result = await verifyAuthenticationResponse({
        response: assertion,
        expectedChallenge: challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        credential: { ...credential, counter: expectedCounter - 1 },
        requireUserVerification: true,
      });
      expect([result.verified, result.authenticationInfo.newCounter, result.authenticationInfo.credentialBackedUp]).toEqual([
        true,
        expectedCounter,
        false,
      ]);
    }
    const synced = await register({ counter: 'zero' });
    const flat = synced.authenticator.assert({ challenge, rpId: RP_ID }, { origin: ORIGIN });
    expect(parseAuthenticatorData(isoBase64URL.toBuffer(flat.response.authenticatorData)).counter).toBe(0);
  });

  it('applies overrides: origin, RP id hash, missing UV, forced counter, and clones share keys and counters', async () => {
    const { authenticator, info } = await register();
    const challenge = 'b3ZlcnJpZGVzLWNoYWxsZW5nZS1mb3ItdGhlLXRlc3Q';
    const verify = (response: unknown, counter = 0) =>
      verifyAuthenticationResponse({
        response: response as Parameters<typeof verifyAuthenticationResponse>[0]['response'],
        expectedChallenge: challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        credential: { ...info.credential, counter },
        requireUserVerification: true,
      });
    await expect(verify(authenticator.assert({ challenge, rpId: RP_ID }, { origin: 'https://evil.test' }))).rejects.toThrow(/origin/);
    await expect(verify(authenticator.assert({ challenge, rpId: RP_ID }, { origin: ORIGIN, rpId: 'evil.test' }))).rejects.toThrow(/RP ID/);
    await expect(verify(authenticator.assert({ challenge, rpId: RP_ID }, { origin: ORIGIN, userVerified: false }))).rejects.toThrow(
      /verification/,
    );
    const clone = authenticator.clone();
    expect(clone.credentialIds).toEqual(authenticator.credentialIds);
    const original = authenticator.assert({ challenge, rpId: RP_ID }, { origin: ORIGIN });
    const copied = clone.assert({ challenge, rpId: RP_ID }, { origin: ORIGIN });
    // Both continue from the same counter: the clone's next signature repeats a value already seen.
    const counterOf = (a: typeof original) => parseAuthenticatorData(isoBase64URL.toBuffer(a.response.authenticatorData)).counter;
    expect(counterOf(copied)).toBe(counterOf(original));
    expect((await verify(copied)).verified).toBe(true);
    expect(counterOf(authenticator.assert({ challenge, rpId: RP_ID }, { origin: ORIGIN, counter: 1 }))).toBe(1);
  });

  it('refuses to create a second credential when one it holds is excluded', () => {
    const authenticator = new SoftwareAuthenticator();
    const first = authenticator.register(creationOptions(), { origin: ORIGIN });
    expect(() => authenticator.register({ ...creationOptions(), excludeCredentials: [{ id: first.id }] }, { origin: ORIGIN })).toThrow(
      /InvalidStateError/,
    );
  });
});
