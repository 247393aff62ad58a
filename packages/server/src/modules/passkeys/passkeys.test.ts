/**
 * Passkeys over HTTP, on SQLite and PostgreSQL: registration for a signed-in account, discoverable
 * sign-in into a DPoP-bound aal2_phr session, management, native-app origins and association
 * files, and the attestation policy. Every response comes from the software authenticator, so the
 * server verifies real attestation objects and signatures.
 */
import { emailIndexOf } from '../../test-support/account-rows.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Passkey, PasskeyCreationOptions, PasskeyList, PasskeyRequestOptions, TokenResponse } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import type { ConfigOverrides } from '../../config/schema.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, createVerifiedAccount } from '../../test-support/dpop-client.ts';
import { storePasskeyRow } from '../../test-support/stored-passkey.ts';
import {
  SoftwareAuthenticator,
  TEST_WEB_ORIGIN,
  createTestAttestationAuthority,
  passkeySignInOptions,
  registerPasskey,
  sha256Fingerprint,
  androidApkKeyHashOrigin,
  signInWithPasskey,
} from '../../test-support/software-authenticator.ts';

async function signedInDevice(app: App, email: string): Promise<TestDevice> {
  const device = new TestDevice(app);
  const { password } = await createVerifiedAccount(app, device, email);
  const signIn = await device.signIn(email, password);
  if (signIn.statusCode !== 201) throw new Error(`password sign-in failed: ${signIn.body}`);
  return device;
}

async function auditActions(app: App): Promise<string[]> {
  const rows = await app.portcullis.database.db.selectFrom('audit_events').select('action').orderBy('occurred_at').execute();
  return rows.map((r) => r.action);
}

describe.each(testDatabases())('passkeys (WebAuthn L3) on $dialect', ({ dialect }) => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ dialect });
  });
  afterAll(() => app.close());

  it('registers a passkey for a signed-in account, then signs in with it without a username into an aal2_phr session', async () => {
    const device = await signedInDevice(app, 'pat@example.test');
    const options = (await device.call('POST', '/v1/passkeys/registration/options', {})).json<PasskeyCreationOptions>();
    expect(options).toMatchObject({
      rp: { id: 'portcullis.test' },
      user: { name: 'pat@example.test' },
      attestation: 'none',
      excludeCredentials: [],
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    });
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -8, -257]);
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The user handle is the account id's bytes: opaque, no email inside.
    expect(Buffer.from(options.user.id, 'base64url').toString('utf8')).not.toContain('pat');

    const phone = new SoftwareAuthenticator();
    const credential = phone.register(options, { origin: TEST_WEB_ORIGIN });
    const registered = await device.call('POST', '/v1/passkeys/registration', { name: 'Pat’s iPhone', credential });
    expect(registered.statusCode).toBe(201);
    expect(registered.json<Passkey>()).toMatchObject({
      name: 'Pat’s iPhone',
      lastUsedAt: null,
      backupEligible: true,
      backedUp: true,
      transports: ['internal', 'hybrid'],
      aaguid: '5e1f7e57-0000-4000-8000-00000000a11c',
      suspended: false,
    });
    expect(registered.json<Record<string, unknown>>()).not.toHaveProperty('publicKey');

    // Sign in on a fresh device (a new DPoP key): no email, no password.
    const laptop = new TestDevice(app);
    const request = await passkeySignInOptions(app);
    expect(request).toEqual({
      challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
      rpId: 'portcullis.test',
      timeout: 300000,
      userVerification: 'required',
    });
    expect(request).not.toHaveProperty('allowCredentials');
    const signIn = await signInWithPasskey(laptop, phone);
    expect(signIn.statusCode).toBe(201);
    const tokens = signIn.json<TokenResponse>();
    expect(tokens).toMatchObject({ tokenType: 'DPoP', aal: 'aal2_phr' });
    const session = await app.portcullis.database.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', tokens.sessionId)
      .executeTakeFirstOrThrow();
    expect([session.aal, JSON.parse(session.amr), session.jkt]).toEqual(['aal2_phr', ['hwk', 'user'], laptop.key.jkt]);
    expect((await laptop.call('GET', '/v1/accounts/me')).json()).toMatchObject({ email: 'pat@example.test' });
    // Tokens are bound to the laptop's key: the phone's key cannot use them.
    const thief = new TestDevice(app);
    thief.nonce = laptop.nonce;
    expect((await thief.send({ method: 'GET', url: '/v1/accounts/me', accessToken: tokens.accessToken })).statusCode).toBe(401);

    const list = (await device.call('GET', '/v1/passkeys')).json<PasskeyList>();
    expect(list.passkeys).toHaveLength(1);
    expect(list.passkeys[0]?.lastUsedAt).not.toBeNull();
    expect(await auditActions(app)).toEqual(expect.arrayContaining(['passkey.registered', 'passkey.authenticated', 'session.created']));
  });

  it('excludes the account’s passkeys from new registrations and refuses a credential id registered already (WebAuthn §7.1 step 24)', async () => {
    const device = await signedInDevice(app, 'exclude@example.test');
    const key = new SoftwareAuthenticator();
    expect((await registerPasskey(device, key)).statusCode).toBe(201);
    const options = (await device.call('POST', '/v1/passkeys/registration/options', {})).json<PasskeyCreationOptions>();
    expect(options.excludeCredentials).toEqual([{ id: key.credentialIds[0], type: 'public-key', transports: ['internal', 'hybrid'] }]);
    expect(() => key.register(options, { origin: TEST_WEB_ORIGIN })).toThrow(/InvalidStateError/);

    // A hostile authenticator on another account claims the same credential id.
    const other = await signedInDevice(app, 'hijack@example.test');
    const claimed = await registerPasskey(other, new SoftwareAuthenticator(), { overrides: { credentialId: key.credentialIds[0] ?? '' } });
    expect([claimed.statusCode, claimed.json<{ code: string }>().code]).toEqual([409, 'PASSKEY_ALREADY_REGISTERED']);
    // The original still signs in.
    expect((await signInWithPasskey(new TestDevice(app), key)).statusCode).toBe(201);
  });

  it('lists, renames and removes my passkeys; removal needs a fresh passkey authentication; other accounts’ passkeys are not found', async () => {
    const device = await signedInDevice(app, 'manage@example.test');
    const phone = new SoftwareAuthenticator();
    const key = new SoftwareAuthenticator({ backupEligible: false, counter: 'increasing', transports: ['usb', 'nfc'] });
    const first = (await registerPasskey(device, phone, { name: 'Phone' })).json<Passkey>();
    const second = (await registerPasskey(device, key, { name: 'Key' })).json<Passkey>();
    expect(second).toMatchObject({ backupEligible: false, backedUp: false, transports: ['usb', 'nfc'] });

    const renamed = await device.call('PATCH', `/v1/passkeys/${first.id}`, { name: 'Work phone' });
    expect([renamed.statusCode, renamed.json<Passkey>().name]).toEqual([200, 'Work phone']);
    const names = (await device.call('GET', '/v1/passkeys')).json<PasskeyList>().passkeys.map((p) => p.name);
    expect(names).toEqual(['Work phone', 'Key']);

    const stranger = await signedInDevice(app, 'stranger@example.test');
    const foreign = await stranger.call('PATCH', `/v1/passkeys/${first.id}`, { name: 'Mine now' });
    expect([foreign.statusCode, foreign.json<{ code: string }>().code]).toEqual([404, 'PASSKEY_NOT_FOUND']);

    // A password (aal1) session is asked for a passkey step-up (modules/step-up); a session that
    // just signed in with a passkey is not.
    const byPassword = await device.call('DELETE', `/v1/passkeys/${first.id}`);
    expect([byPassword.statusCode, byPassword.json<{ code: string }>().code]).toEqual([401, 'STEP_UP_REQUIRED']);
    const withKey = new TestDevice(app);
    expect((await signInWithPasskey(withKey, key)).statusCode).toBe(201);
    expect((await withKey.call('DELETE', `/v1/passkeys/${first.id}`)).statusCode).toBe(204);
    expect((await withKey.call('DELETE', `/v1/passkeys/${first.id}`)).statusCode).toBe(404);
    // Not a staff account: the last passkey may go too.
    expect((await withKey.call('DELETE', `/v1/passkeys/${second.id}`)).statusCode).toBe(204);
    expect((await device.call('GET', '/v1/passkeys')).json<PasskeyList>().passkeys).toEqual([]);
    expect(await auditActions(app)).toEqual(expect.arrayContaining(['passkey.renamed', 'passkey.removed']));
  });

  it('lets a staff member without a passkey enrol one from the restricted session their role gets, then sign in fully', async () => {
    const device = new TestDevice(app);
    const { email, password } = await createVerifiedAccount(app, device, 'new.clinician@example.test');
    await app.portcullis.database.db
      .updateTable('accounts')
      .set({ roles: '["clinician"]' })
      .where('email_index', '=', await emailIndexOf(app, email))
      .execute();
    const restricted = await device.signIn(email, password);
    expect([restricted.statusCode, restricted.json<TokenResponse>().aal]).toEqual([201, 'aal1']);
    const phone = new SoftwareAuthenticator();
    const passkey = await registerPasskey(device, phone);
    expect(passkey.statusCode).toBe(201);
    expect((await device.call('GET', '/v1/passkeys')).statusCode).toBe(200);
    // Only enrolment routes: renaming waits for a full session.
    const rename = await device.call('PATCH', `/v1/passkeys/${passkey.json<Passkey>().id}`, { name: 'x' });
    expect([rename.statusCode, rename.json<{ code: string }>().code]).toEqual([403, 'MFA_ENROLMENT_REQUIRED']);
    const full = new TestDevice(app);
    expect((await signInWithPasskey(full, phone)).json<TokenResponse>().aal).toBe('aal2_phr');
    expect((await full.call('PATCH', `/v1/passkeys/${passkey.json<Passkey>().id}`, { name: 'Clinic phone' })).statusCode).toBe(200);
  });

  it('answers bad input with 4xx problems, never 500', async () => {
    const device = await signedInDevice(app, 'input@example.test');
    const garbage = {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      response: { clientDataJSON: 'e30', attestationObject: 'oA' },
      clientExtensionResults: {},
    };
    const notJson = { ...garbage, response: { clientDataJSON: 'bm90LWpzb24', attestationObject: 'oA' } };
    for (const credential of [garbage, notJson]) {
      const response = await device.call('POST', '/v1/passkeys/registration', { name: 'x', credential });
      expect([response.statusCode, response.json<{ code: string }>().code]).toEqual([400, 'PASSKEY_REGISTRATION_INVALID']);
    }
    const options = (await device.call('POST', '/v1/passkeys/registration/options', {})).json<PasskeyCreationOptions>();
    const valid = new SoftwareAuthenticator().register(options, { origin: TEST_WEB_ORIGIN });
    const corrupt = { ...valid, response: { ...valid.response, attestationObject: 'AAAA' } };
    expect((await device.call('POST', '/v1/passkeys/registration', { name: 'x', credential: corrupt })).statusCode).toBe(400);
    const schema = await device.call('POST', '/v1/passkeys/registration', { name: '', credential: valid });
    expect([schema.statusCode, schema.json<{ code: string }>().code]).toEqual([400, 'REQUEST_INVALID']);
    const signIn = await new TestDevice(app).send({
      method: 'POST',
      url: '/v1/passkeys/sign-in',
      payload: {
        credential: { ...garbage, response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' } },
        device: { label: 'x', platform: 'web' },
      },
    });
    expect([signIn.statusCode, signIn.json<{ code: string }>().code]).toEqual([401, 'PASSKEY_SIGN_IN_FAILED']);
  });

  it('serves no association files when no apps are configured', async () => {
    for (const url of ['/.well-known/apple-app-site-association', '/.well-known/assetlinks.json']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
  });
});

describe.each(testDatabases())('passkeys for native apps on $dialect', ({ dialect }) => {
  // A stand-in for the app's signing certificate: its SHA-256 is what asset links and the origin carry.
  const signingCertificate = Buffer.from('portcullis test app signing certificate');
  const androidOrigin = androidApkKeyHashOrigin(signingCertificate);
  const config: ConfigOverrides = {
    passkeys: {
      allowedOrigins: [TEST_WEB_ORIGIN, androidOrigin],
      ios: { appIds: ['ABCDE12345.test.portcullis.clinic'] },
      android: { apps: [{ packageName: 'test.portcullis.clinic', sha256CertFingerprints: [sha256Fingerprint(signingCertificate)] }] },
    },
  };
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ dialect, config });
  });
  afterAll(() => app.close());

  it('serves apple-app-site-association with the configured app ids as JSON', async () => {
    const response = await app.inject({ method: 'GET', url: '/.well-known/apple-app-site-association' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ webcredentials: { apps: ['ABCDE12345.test.portcullis.clinic'] } });
  });

  it('serves assetlinks.json granting get_login_creds and handle_all_urls to the configured app', async () => {
    const response = await app.inject({ method: 'GET', url: '/.well-known/assetlinks.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual([
      {
        relation: ['delegate_permission/common.handle_all_urls', 'delegate_permission/common.get_login_creds'],
        target: {
          namespace: 'android_app',
          package_name: 'test.portcullis.clinic',
          sha256_cert_fingerprints: [sha256Fingerprint(signingCertificate)],
        },
      },
    ]);
  });

  it('accepts registration and sign-in from the configured Android app (android:apk-key-hash origin)', async () => {
    const device = await signedInDevice(app, 'android@example.test');
    const phone = new SoftwareAuthenticator();
    expect((await registerPasskey(device, phone, { overrides: { origin: androidOrigin } })).statusCode).toBe(201);
    const signIn = await signInWithPasskey(new TestDevice(app), phone, { overrides: { origin: androidOrigin } });
    expect([signIn.statusCode, signIn.json<TokenResponse>().aal]).toEqual([201, 'aal2_phr']);
  });

  it('refuses an Android app whose signing certificate is not configured', async () => {
    const device = await signedInDevice(app, 'repackaged@example.test');
    const repackaged = androidApkKeyHashOrigin(Buffer.from('someone else’s signing certificate'));
    const response = await registerPasskey(device, new SoftwareAuthenticator(), { overrides: { origin: repackaged } });
    expect([response.statusCode, response.json<{ code: string }>().code]).toEqual([400, 'PASSKEY_REGISTRATION_INVALID']);
  });
});

describe.each(testDatabases())('passkey attestation policy on $dialect', ({ dialect }) => {
  async function withApp(config: ConfigOverrides, run: (app: App) => Promise<void>): Promise<void> {
    const app = await buildTestApp({ dialect, config });
    try {
      await run(app);
    } finally {
      await app.close();
    }
  }

  async function trustOf(app: App, id: string): Promise<string> {
    const row = await app.portcullis.database.db
      .selectFrom('passkey_credentials')
      .select('attestation_trust')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return row.attestation_trust;
  }

  it('asks for direct attestation and accepts packed self attestation by default', async () => {
    await withApp({ passkeys: { attestation: { conveyance: 'direct' } } }, async (app) => {
      const device = await signedInDevice(app, 'direct@example.test');
      const options = (await device.call('POST', '/v1/passkeys/registration/options', {})).json<PasskeyCreationOptions>();
      expect(options.attestation).toBe('direct');
      const registered = await registerPasskey(device, new SoftwareAuthenticator({ attestation: { format: 'packed-self' } }));
      expect(registered.statusCode).toBe(201);
      expect(await trustOf(app, registered.json<Passkey>().id)).toBe('self');
      // `none` is not among the default direct formats.
      const unattested = await registerPasskey(device, new SoftwareAuthenticator({ attestation: { format: 'none' } }));
      expect([unattested.statusCode, unattested.json<{ code: string }>().code]).toEqual([400, 'PASSKEY_REGISTRATION_INVALID']);
    });
  });

  it('refuses self attestation when configured to', async () => {
    await withApp({ passkeys: { attestation: { conveyance: 'direct', selfAttestation: 'refuse' } } }, async (app) => {
      const device = await signedInDevice(app, 'noself@example.test');
      const response = await registerPasskey(device, new SoftwareAuthenticator({ attestation: { format: 'packed-self' } }));
      expect(response.statusCode).toBe(400);
      const reasons = await app.portcullis.database.db
        .selectFrom('audit_events')
        .select('reason')
        .where('action', '=', 'passkey.registration_failed')
        .execute();
      expect(reasons.map((r) => r.reason)).toEqual(['self_attestation_refused']);
    });
  });

  it('accepts a packed certificate that chains to a configured root and refuses one from another vendor', async () => {
    const vendor = await createTestAttestationAuthority('Trusted Vendor Root');
    const other = await createTestAttestationAuthority('Unknown Vendor Root');
    const config: ConfigOverrides = {
      passkeys: { attestation: { conveyance: 'direct', selfAttestation: 'refuse', trustedRoots: { packed: [vendor.rootPem] } } },
    };
    await withApp(config, async (app) => {
      const device = await signedInDevice(app, 'roots@example.test');
      const trusted = await registerPasskey(
        device,
        new SoftwareAuthenticator({ attestation: { format: 'packed-full', certificate: vendor.certificate } }),
      );
      expect(trusted.statusCode).toBe(201);
      expect(await trustOf(app, trusted.json<Passkey>().id)).toBe('anchored');
      const unknown = await registerPasskey(
        device,
        new SoftwareAuthenticator({ attestation: { format: 'packed-full', certificate: other.certificate } }),
      );
      expect([unknown.statusCode, unknown.json<{ code: string }>().code]).toEqual([400, 'PASSKEY_REGISTRATION_INVALID']);
    });
  });

  it('records a packed certificate as unanchored when no root is configured', async () => {
    const vendor = await createTestAttestationAuthority();
    await withApp({ passkeys: { attestation: { conveyance: 'direct' } } }, async (app) => {
      const device = await signedInDevice(app, 'unanchored@example.test');
      const response = await registerPasskey(
        device,
        new SoftwareAuthenticator({ attestation: { format: 'packed-full', certificate: vendor.certificate } }),
      );
      expect(response.statusCode).toBe(201);
      expect(await trustOf(app, response.json<Passkey>().id)).toBe('unanchored');
    });
  });

  it('a stored passkey is offered as a second factor only while passkeys are enabled', async () => {
    for (const enabled of [true, false]) {
      await withApp({ passkeys: { enabled } }, async (app) => {
        const device = new TestDevice(app);
        const { email, password } = await createVerifiedAccount(app, device, `kept-${enabled}@example.test`);
        const account = await app.portcullis.database.db
          .selectFrom('accounts')
          .select('id')
          .where('email_index', '=', await emailIndexOf(app, email))
          .executeTakeFirstOrThrow();
        await storePasskeyRow(app, account.id);
        const response = await device.signIn(email, password);
        if (enabled) {
          expect(response.statusCode).toBe(401);
          expect(response.json()).toMatchObject({ code: 'MFA_REQUIRED', challenge: { methods: ['passkey', 'email_code'] } });
        } else {
          // Switched off, the passkey cannot answer a challenge: the patient role needs one factor.
          expect(response.statusCode).toBe(201);
          expect(response.json<TokenResponse>().aal).toBe('aal1');
        }
      });
    }
  });

  it('serves no passkey routes when passkeys are disabled', async () => {
    await withApp({ passkeys: { enabled: false } }, async (app) => {
      const response = await app.inject({ method: 'POST', url: '/v1/passkeys/sign-in/options', payload: {} });
      expect(response.statusCode).toBe(404);
    });
  });
});

describe('passkey options requests', () => {
  it('accept an empty JSON object body', async () => {
    const app = await buildTestApp();
    try {
      const options: PasskeyRequestOptions = await passkeySignInOptions(app);
      expect(options.rpId).toBe('portcullis.test');
    } finally {
      await app.close();
    }
  });
});
