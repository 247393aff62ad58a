/**
 * Passkey configuration: the relying party derived from `publicUrl` by default, origins that
 * must sit under the RP id (WebAuthn L3 §5.1.4.1), Android origins in their one valid form,
 * plain HTTP refused in production, and unparseable attestation roots stopping the server at
 * start. ASVS V13.4.2 (no development settings in production), V6.7.1 (attestation roots are
 * part of the frozen configuration).
 */
import { COSEALG } from '@simplewebauthn/server/helpers';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/load.ts';
import type { ConfigOverrides } from '../../config/schema.ts';
import { createTestAttestationAuthority } from '../../test-support/software-authenticator.ts';
import { createRelyingParty, SUPPORTED_ALGORITHMS } from './relying-party.ts';

const PRODUCTION = {
  NODE_ENV: 'production',
  PORTCULLIS_PUBLIC_URL: 'https://auth.example.com',
  PORTCULLIS_HTTP_TLS_MODE: 'upstream',
  DATABASE_URL: 'postgres://portcullis@db.internal/portcullis',
  SMTP_URL: 'smtps://mailer@smtp.example.com:465',
  PORTCULLIS_KEYS_RING_FILE: '/run/secrets/portcullis-keyring.json',
  PORTCULLIS_KEY_SERVICE_LOCAL_KEY_FILE: '/run/secrets/portcullis-kek.json',
  PORTCULLIS_SMS_URL: 'https://sms-relay.internal/v1/messages',
  PORTCULLIS_SMS_TOKEN_FILE: '/run/secrets/sms-token',
};

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
const ANDROID_ORIGIN = `android:apk-key-hash:${Buffer.from(FINGERPRINT.replaceAll(':', ''), 'hex').toString('base64url')}`;

function load(passkeys: ConfigOverrides['passkeys'], env: Record<string, string> = PRODUCTION) {
  return loadConfig({ env, overrides: { passkeys } });
}

function problems(passkeys: ConfigOverrides['passkeys'], env?: Record<string, string>): readonly string[] {
  try {
    load(passkeys, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('passkey configuration', () => {
  it('derives the RP id and the one allowed origin from publicUrl', async () => {
    const rp = await createRelyingParty(load({}).config);
    expect([rp.id, rp.origins, rp.challengeTtlMs, rp.attestation.conveyance]).toEqual([
      'auth.example.com',
      ['https://auth.example.com'],
      300_000,
      'none',
    ]);
  });

  it('accepts a parent-domain RP id with web and Android origins under it', async () => {
    const { config, warnings } = load({
      rpId: 'example.com',
      allowedOrigins: ['https://app.example.com', 'https://auth.example.com', ANDROID_ORIGIN],
      android: { apps: [{ packageName: 'com.example.clinic', sha256CertFingerprints: [FINGERPRINT] }] },
    });
    expect((await createRelyingParty(config)).origins).toHaveLength(3);
    expect(warnings.filter((w) => w.startsWith('passkeys'))).toEqual([]);
  });

  it('refuses origins outside the RP id, malformed Android origins, and an RP id that does not cover publicUrl', () => {
    expect(
      problems({ rpId: 'example.com', allowedOrigins: ['https://example.com.evil.test', 'android:apk-key-hash:short', 'app.example.com'] }),
    ).toEqual([
      expect.stringMatching(/"https:\/\/example\.com\.evil\.test" is not example\.com or a subdomain/),
      expect.stringMatching(/"android:apk-key-hash:short" is not android:apk-key-hash:<43 base64url characters>/),
      expect.stringMatching(/"app\.example\.com" is not an origin/),
    ]);
    expect(problems({ rpId: 'other.example' })).toEqual([
      expect.stringMatching(/passkeys\.rpId: "other\.example" is neither the host of publicUrl/),
    ]);
  });

  it('refuses a plain-HTTP origin in production and only warns in development', () => {
    expect(
      problems(
        { rpId: 'localhost', allowedOrigins: ['http://localhost:5173'] },
        { ...PRODUCTION, PORTCULLIS_PUBLIC_URL: 'https://localhost' },
      ),
    ).toEqual([expect.stringMatching(/passkeys\.allowedOrigins: "http:\/\/localhost:5173" is not https/)]);
    const { warnings } = load({ allowedOrigins: ['http://localhost:5173'] }, {});
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/"http:\/\/localhost:5173" is not https/)]));
  });

  it('warns when a configured Android app’s origin is not allowed, and when packed roots are missing for direct attestation', () => {
    const { warnings } = load({
      android: { apps: [{ packageName: 'com.example.clinic', sha256CertFingerprints: [FINGERPRINT] }] },
      attestation: { conveyance: 'direct' },
    });
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`com.example.clinic is listed but its origin ${ANDROID_ORIGIN} is not in passkeys.allowedOrigins`),
        expect.stringMatching(/trustedRoots\.packed: empty/),
      ]),
    );
  });

  it('refuses malformed app ids and fingerprints in the schema', () => {
    expect(
      problems({ ios: { appIds: ['com.example.clinic'] }, android: { apps: [{ packageName: 'x', sha256CertFingerprints: ['ab:cd'] }] } })
        .length,
    ).toBeGreaterThanOrEqual(3);
  });

  it('stops at start on an attestation root that is not a certificate, and accepts a real one', async () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    await expect(createRelyingParty(load({ attestation: { trustedRoots: { packed: [broken] } } }).config)).rejects.toThrow(TypeError);
    const { rootPem } = await createTestAttestationAuthority();
    const rp = await createRelyingParty(load({ attestation: { trustedRoots: { packed: [rootPem] } } }).config);
    expect(rp.attestation.packedRoots).toEqual([rootPem]);
  });

  it('offers ES256, EdDSA and RS256, in that order', () => {
    expect(SUPPORTED_ALGORITHMS).toEqual([COSEALG.ES256, COSEALG.EdDSA, COSEALG.RS256]);
  });
});
