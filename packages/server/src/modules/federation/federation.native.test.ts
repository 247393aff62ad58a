/**
 * Native sign-in with ID tokens issued by a real OpenID provider (oidc-provider on loopback)
 * for the app's own client id, on SQLite and PostgreSQL: Apple-like (hybrid response with an
 * authorization code, nonce = hex SHA-256 of the raw nonce, string booleans) and Google-like
 * (Android public client, raw nonce). Account creation and the no-takeover rule: an unknown
 * identity is never linked to an existing account by email. ASVS V6.8.1, V10.5.1–V10.5.4.
 */
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import type { FederatedSignInResponse } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { createVerifiedAccount, TestDevice } from '../../test-support/dpop-client.ts';
import {
  APPLE_BUNDLE_ID,
  APPLE_USERS,
  appleNonceFor,
  GOOGLE_USERS,
  nativeIdToken,
  rawNonce,
  useFederationApp,
  type FederationFixture,
} from './test-support/fixtures.ts';

const DEVICE = { label: 'Test phone', platform: 'ios' as const };

describe.each(testDatabases())('native sign-in with provider ID tokens ($dialect)', ({ dialect }) => {
  let fixture: FederationFixture;
  let app: App;
  useFederationApp(dialect, (current) => ({ fixture, app } = current));

  const signIn = (device: TestDevice, payload: Record<string, unknown>) =>
    device.send({ method: 'POST', url: '/v1/federation/sessions', payload: { device: DEVICE, ...payload } });

  async function auditRows() {
    return app.portcullis.database.db.selectFrom('audit_events').select(['action', 'outcome', 'reason', 'subject_id']).execute();
  }

  it('Apple-like: verifies the token (hex SHA-256 nonce), redeems the authorization code with an ES256 secret for the bundle id, keeps the refresh token sealed', async () => {
    const raw = rawNonce();
    const { idToken, code } = await nativeIdToken(app, fixture.apple, APPLE_USERS.shared, { nonce: appleNonceFor(raw) });
    expect(code).toBeDefined();
    const device = new TestDevice(app);
    const response = await signIn(device, { provider: 'apple', idToken, nonce: raw, authorizationCode: code });
    expect(response.statusCode).toBe(201);
    const body = response.json<FederatedSignInResponse>();
    expect(body).toMatchObject({ tokenType: 'DPoP', aal: 'aal1', accountCreated: true });
    device.tokens = body;
    expect((await device.call('GET', '/v1/accounts/me')).json()).toMatchObject({ email: 'sam@example.test', emailVerified: true });

    const identity = await app.portcullis.database.db.selectFrom('external_identities').selectAll().executeTakeFirstOrThrow();
    expect(identity).toMatchObject({
      provider: 'apple',
      subject: APPLE_USERS.shared.id,
      provider_client_id: APPLE_BUNDLE_ID,
      email_verified: 1,
    });
    expect(identity.provider_token).toMatch(/^v1\./);
    const secret = fixture.apple.clientSecretsSeen.at(-1) ?? '';
    expect(JSON.parse(Buffer.from(secret.split('.')[1] ?? '', 'base64url').toString())).toMatchObject({ sub: APPLE_BUNDLE_ID });
  });

  it('Google-like: accepts a token for the Android client id with the raw nonce', async () => {
    const nonce = rawNonce();
    const { idToken } = await nativeIdToken(app, fixture.google, GOOGLE_USERS.alice, { nonce });
    const response = await signIn(new TestDevice(app), { provider: 'google', idToken, nonce });
    expect(response.statusCode).toBe(201);
    expect(response.json<FederatedSignInResponse>().accountCreated).toBe(true);
    const audit = await auditRows();
    expect(audit.map((row) => row.action)).toEqual(
      expect.arrayContaining(['federation.account_created', 'federation.signed_in', 'session.created']),
    );
  });

  it('accepts each (token, nonce) once: a replay is refused (V10.5.1)', async () => {
    const nonce = rawNonce();
    const { idToken } = await nativeIdToken(app, fixture.google, GOOGLE_USERS.bob, { nonce });
    expect((await signIn(new TestDevice(app), { provider: 'google', idToken, nonce })).statusCode).toBe(201);
    const replay = await signIn(new TestDevice(app), { provider: 'google', idToken, nonce });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'FEDERATION_TOKEN_INVALID' });
    expect((await auditRows()).some((row) => row.action === 'federation.sign_in_failed' && row.reason === 'token_replayed')).toBe(true);
  });

  it('refuses a new account when the provider has not verified the address, and creates nothing (V10.5.2)', async () => {
    const nonce = rawNonce();
    const { idToken } = await nativeIdToken(app, fixture.google, GOOGLE_USERS.unverified, { nonce });
    const response = await signIn(new TestDevice(app), { provider: 'google', idToken, nonce });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'FEDERATION_EMAIL_NOT_VERIFIED' });
    expect(await app.portcullis.database.db.selectFrom('accounts').select('id').execute()).toEqual([]);
    expect(await app.portcullis.database.db.selectFrom('external_identities').select('id').execute()).toEqual([]);
  });

  it('Apple-like: "false" as a string is unverified, not truthy', async () => {
    const raw = rawNonce();
    const { idToken } = await nativeIdToken(app, fixture.apple, APPLE_USERS.unverified, { nonce: appleNonceFor(raw) });
    const response = await signIn(new TestDevice(app), { provider: 'apple', idToken, nonce: raw });
    expect(response.json()).toMatchObject({ code: 'FEDERATION_EMAIL_NOT_VERIFIED' });
  });

  describe('no account takeover by email (V6.8.1)', () => {
    it('refuses to link an unknown identity whose verified address has an account, and tells the person to sign in and link', async () => {
      const owner = await createVerifiedAccount(app, new TestDevice(app), 'taken@example.test');
      const nonce = rawNonce();
      const { idToken } = await nativeIdToken(app, fixture.google, GOOGLE_USERS.taken, { nonce });
      const response = await signIn(new TestDevice(app), { provider: 'google', idToken, nonce });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ code: 'FEDERATION_ACCOUNT_EXISTS' });
      expect(await app.portcullis.database.db.selectFrom('external_identities').select('id').execute()).toEqual([]);
      expect(await app.portcullis.database.db.selectFrom('sessions').select('id').execute()).toEqual([]);

      // The owner signs in the usual way and links the provider from the account.
      const device = new TestDevice(app);
      expect((await device.signIn(owner.email, owner.password)).statusCode).toBe(201);
      const linkNonce = rawNonce();
      const link = await nativeIdToken(app, fixture.google, GOOGLE_USERS.taken, { nonce: linkNonce });
      const linked = await device.call('POST', '/v1/federation/links', { provider: 'google', idToken: link.idToken, nonce: linkNonce });
      expect(linked.statusCode).toBe(201);

      // From now on the provider signs in to that same account.
      const again = rawNonce();
      const later = await nativeIdToken(app, fixture.google, GOOGLE_USERS.taken, { nonce: again });
      const signedIn = await signIn(new TestDevice(app), { provider: 'google', idToken: later.idToken, nonce: again });
      expect(signedIn.statusCode).toBe(201);
      expect(signedIn.json<FederatedSignInResponse>().accountCreated).toBe(false);
      expect(await app.portcullis.database.db.selectFrom('accounts').select('id').execute()).toHaveLength(1);
    });

    it('answers an unverified address that has an account exactly as one that has none (no enumeration)', async () => {
      await createVerifiedAccount(app, new TestDevice(app), 'taken@example.test');
      const nonce = rawNonce();
      const { idToken } = await nativeIdToken(app, fixture.google, GOOGLE_USERS.unverified, { nonce });
      const response = await signIn(new TestDevice(app), { provider: 'google', idToken, nonce });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ code: 'FEDERATION_EMAIL_NOT_VERIFIED' });
      expect(await app.portcullis.database.db.selectFrom('external_identities').select('id').execute()).toEqual([]);
    });
  });

  it('refuses a locked account without revealing more than the refusal', async () => {
    const nonce = rawNonce();
    const { idToken } = await nativeIdToken(app, fixture.google, GOOGLE_USERS.alice, { nonce });
    const created = (await signIn(new TestDevice(app), { provider: 'google', idToken, nonce })).json<FederatedSignInResponse>();
    const session = await app.portcullis.database.db
      .selectFrom('sessions')
      .select('account_id')
      .where('id', '=', created.sessionId)
      .executeTakeFirstOrThrow();
    await app.portcullis.database.db.updateTable('accounts').set({ status: 'locked' }).where('id', '=', session.account_id).execute();
    const again = rawNonce();
    const next = await nativeIdToken(app, fixture.google, GOOGLE_USERS.alice, { nonce: again });
    const response = await signIn(new TestDevice(app), { provider: 'google', idToken: next.idToken, nonce: again });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'FEDERATION_SIGN_IN_REFUSED' });
  });

  it('a federated sign-in is a first factor: an account with a second factor gets MFA_REQUIRED, then aal2 (V6.8.4)', async () => {
    const nonce = rawNonce();
    const first = await nativeIdToken(app, fixture.google, GOOGLE_USERS.alice, { nonce });
    const device = new TestDevice(app);
    device.tokens = (await signIn(device, { provider: 'google', idToken: first.idToken, nonce })).json<FederatedSignInResponse>();
    const enrolment = (await device.call('POST', '/v1/mfa/totp', { label: 'Phone' })).json<{ factorId: string; secret: string }>();
    const totp = new TOTP({ secret: Secret.fromBase32(enrolment.secret) });
    const confirmed = await device.call('POST', `/v1/mfa/totp/${enrolment.factorId}/confirm`, { code: totp.generate() });
    const codes = confirmed.json<{ recoveryCodes: { codes: string[] } | null }>().recoveryCodes?.codes ?? [];
    expect(codes.length).toBeGreaterThan(0);

    const again = rawNonce();
    const second = await nativeIdToken(app, fixture.google, GOOGLE_USERS.alice, { nonce: again });
    const phone = new TestDevice(app);
    const response = await signIn(phone, { provider: 'google', idToken: second.idToken, nonce: again });
    expect(response.statusCode).toBe(401);
    const problem = response.json<{ code: string; challenge: { token: string; methods: string[] } }>();
    expect(problem.code).toBe('MFA_REQUIRED');
    expect(problem.challenge.methods).toContain('totp');
    const completed = await phone.send({
      method: 'POST',
      url: '/v1/sessions/mfa',
      payload: { challenge: problem.challenge.token, method: 'recovery_code', code: codes[0] },
    });
    expect(completed.statusCode).toBe(201);
    expect(completed.json()).toMatchObject({ aal: 'aal2' });
  });

  it('answers an unknown provider with 404 and a request without a DPoP proof with 401', async () => {
    const nonce = rawNonce();
    const { idToken } = await nativeIdToken(app, fixture.google, GOOGLE_USERS.alice, { nonce });
    const unknown = await signIn(new TestDevice(app), { provider: 'facebook', idToken, nonce });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'FEDERATION_PROVIDER_UNKNOWN' });
    const noProof = await app.inject({
      method: 'POST',
      url: '/v1/federation/sessions',
      payload: { provider: 'google', idToken, nonce, device: DEVICE },
    });
    expect(noProof.statusCode).toBe(401);
  });
});
