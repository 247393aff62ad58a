/**
 * Linking external identities only from a signed-in session, listing and unlinking them, and
 * revoking Apple's tokens at the provider when an Apple identity is unlinked or an account is
 * forgotten — against the real test providers, on SQLite and PostgreSQL.
 * ASVS V6.8.1 (identity = provider + subject), V8.2.1 / V8.3.1 (scoped to the caller),
 * V16.3.1 (security events audited without personal data).
 */
import { describe, expect, it } from 'vitest';
import type { FederatedSignInResponse, LinkedIdentity, LinkedIdentityList } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import { rmSync } from 'node:fs';
import { testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { createVerifiedAccount, TestDevice } from '../../test-support/dpop-client.ts';
import { registerPasskey, signInWithPasskey, SoftwareAuthenticator } from '../../test-support/software-authenticator.ts';
import { storePasskeyRow } from '../../test-support/stored-passkey.ts';
import {
  APPLE_USERS,
  appleNonceFor,
  buildFederationApp,
  federationConfig,
  GOOGLE_USERS,
  nativeIdToken,
  newPkce,
  rawNonce,
  useFederationApp,
  webSignIn,
  type FederationFixture,
} from './test-support/fixtures.ts';
import { TestBrowser } from './test-support/test-browser.ts';
import { forgetAccountIdentities } from './index.ts';
import { createProviderRegistry } from './providers/provider.ts';
import { resolveProviderSettings } from './providers/settings.ts';
import { createTokenVault, tokenBinding } from './token-vault.ts';
import { testRequestContext } from '../../test-support/request-context.ts';

describe.each(testDatabases())('linking and unlinking external identities ($dialect)', ({ dialect }) => {
  let fixture: FederationFixture;
  let app: App;
  useFederationApp(dialect, (current) => ({ fixture, app } = current));

  async function signedInWithPassword(email: string): Promise<TestDevice> {
    const credentials = await createVerifiedAccount(app, new TestDevice(app), email);
    const device = new TestDevice(app);
    expect((await device.signIn(credentials.email, credentials.password)).statusCode).toBe(201);
    return device;
  }

  async function linkApple(device: TestDevice, user = APPLE_USERS.shared) {
    const raw = rawNonce();
    const { idToken, code } = await nativeIdToken(app, fixture.apple, user, { nonce: appleNonceFor(raw) });
    return device.call('POST', '/v1/federation/links', { provider: 'apple', idToken, nonce: raw, authorizationCode: code });
  }

  it('links with an ID token from the signed-in session, lists it, and relinking is idempotent', async () => {
    const device = await signedInWithPassword('owner@example.test');
    const linked = await linkApple(device);
    expect(linked.statusCode).toBe(201);
    const identity = linked.json<LinkedIdentity>();
    expect(identity).toMatchObject({ provider: 'apple', email: 'sam@example.test', emailVerified: true });
    const again = await linkApple(device);
    expect(again.json<LinkedIdentity>().id).toBe(identity.id);
    const list = (await device.call('GET', '/v1/federation/links')).json<LinkedIdentityList>();
    expect(list.identities.map((entry) => entry.id)).toEqual([identity.id]);

    const audit = await app.portcullis.database.db
      .selectFrom('audit_events')
      .select(['action', 'reason'])
      .where('action', 'like', 'federation.%')
      .execute();
    expect(audit).toContainEqual({ action: 'federation.identity_linked', reason: 'apple' });
  });

  it('links the result of a web sign-in with the exchange code and the app’s verifier', async () => {
    const device = await signedInWithPassword('web-owner@example.test');
    const pkce = newPkce();
    const landing = await webSignIn(new TestBrowser(app), 'google', GOOGLE_USERS.alice, { challenge: pkce.challenge });
    const code = landing.url.searchParams.get('code') ?? '';
    const wrong = await device.call('POST', '/v1/federation/links/exchange', { code, codeVerifier: newPkce().verifier });
    expect(wrong.json()).toMatchObject({ code: 'FEDERATION_EXCHANGE_CODE_INVALID' });

    const second = newPkce();
    const retry = await webSignIn(new TestBrowser(app), 'google', GOOGLE_USERS.alice, { challenge: second.challenge });
    const linked = await device.call('POST', '/v1/federation/links/exchange', {
      code: retry.url.searchParams.get('code'),
      codeVerifier: second.verifier,
    });
    expect(linked.statusCode).toBe(201);
    expect(linked.json()).toMatchObject({ provider: 'google', email: 'alice@example.test' });
  });

  it('refuses to link an identity that belongs to another account (FEDERATION_IDENTITY_IN_USE)', async () => {
    const first = await signedInWithPassword('first@example.test');
    expect((await linkApple(first)).statusCode).toBe(201);
    const second = await signedInWithPassword('second@example.test');
    const response = await linkApple(second);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'FEDERATION_IDENTITY_IN_USE' });
  });

  it('unlinks only the caller’s own identities (V8.3.1)', async () => {
    const owner = await signedInWithPassword('owner2@example.test');
    const identity = (await linkApple(owner)).json<LinkedIdentity>();
    const other = await signedInWithPassword('intruder@example.test');
    const response = await other.call('DELETE', `/v1/federation/links/${identity.id}`);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'FEDERATION_IDENTITY_NOT_FOUND' });
    expect((await owner.call('GET', '/v1/federation/links')).json<LinkedIdentityList>().identities).toHaveLength(1);
  });

  async function signedInWithGoogle(user: (typeof GOOGLE_USERS)[keyof typeof GOOGLE_USERS], on: App = app): Promise<TestDevice> {
    const nonce = rawNonce();
    const { idToken } = await nativeIdToken(on, fixture.google, user, { nonce });
    const device = new TestDevice(on);
    const signedIn = await device.send({
      method: 'POST',
      url: '/v1/federation/sessions',
      payload: { provider: 'google', idToken, nonce, device: { label: 'Phone', platform: 'android' } },
    });
    expect(signedIn.statusCode).toBe(201);
    device.tokens = signedIn.json<FederatedSignInResponse>();
    return device;
  }

  async function unlinkOnlyIdentity(device: TestDevice) {
    const [identity] = (await device.call('GET', '/v1/federation/links')).json<LinkedIdentityList>().identities;
    return device.call('DELETE', `/v1/federation/links/${identity?.id ?? ''}`);
  }

  it('refuses to unlink the last way into a federated-only account', async () => {
    const device = await signedInWithGoogle(GOOGLE_USERS.bob);
    const response = await unlinkOnlyIdentity(device);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'FEDERATION_LAST_SIGN_IN_METHOD' });
  });

  it('unlinks the last identity of an account that has a passkey, which then still signs in (V6.8.1)', async () => {
    const device = await signedInWithGoogle(GOOGLE_USERS.bob);
    const authenticator = new SoftwareAuthenticator();
    expect((await registerPasskey(device, authenticator)).statusCode).toBe(201);
    expect((await unlinkOnlyIdentity(device)).statusCode).toBe(204);
    expect((await device.call('GET', '/v1/federation/links')).json<LinkedIdentityList>().identities).toEqual([]);
    const later = new TestDevice(app);
    expect((await signInWithPasskey(later, authenticator)).statusCode).toBe(201);
    expect((await later.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
  });

  it('a suspended passkey is not a way in: the last identity stays', async () => {
    const device = await signedInWithGoogle(GOOGLE_USERS.bob);
    const me = (await device.call('GET', '/v1/accounts/me')).json<{ id: string }>();
    await storePasskeyRow(app, me.id, { suspendedAt: Date.now() });
    const response = await unlinkOnlyIdentity(device);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'FEDERATION_LAST_SIGN_IN_METHOD' });
  });

  it('with passkeys switched off, a stored passkey is not a way in: the last identity stays', async () => {
    const off = await buildFederationApp(fixture, { dialect, config: { passkeys: { enabled: false } } });
    try {
      const device = await signedInWithGoogle(GOOGLE_USERS.bob, off);
      const me = (await device.call('GET', '/v1/accounts/me')).json<{ id: string }>();
      await storePasskeyRow(off, me.id);
      const response = await unlinkOnlyIdentity(device);
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ code: 'FEDERATION_LAST_SIGN_IN_METHOD' });
    } finally {
      await off.close();
    }
  });

  it("unlinking Apple revokes Apple's refresh token at the provider (Apple guideline 5.1.1(v))", async () => {
    const device = await signedInWithPassword('revoker@example.test');
    const identity = (await linkApple(device)).json<LinkedIdentity>();
    const row = await app.portcullis.database.db
      .selectFrom('external_identities')
      .selectAll()
      .where('id', '=', identity.id)
      .executeTakeFirstOrThrow();
    const refreshToken = createTokenVault(app.portcullis.keyRing).open(row.provider_token ?? '', tokenBinding('apple', row.subject)) ?? '';
    expect(refreshToken).not.toBe('');
    const revocationsBefore = fixture.apple.requests.revocation.length;

    expect((await device.call('DELETE', `/v1/federation/links/${identity.id}`)).statusCode).toBe(204);
    expect(fixture.apple.requests.revocation.slice(revocationsBefore)).toEqual([{ status: 200 }]);
    // The provider no longer honours the token.
    const secret = fixture.apple.clientSecretsSeen.at(-1) ?? '';
    const refresh = await fetch(`${fixture.apple.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: row.provider_client_id ?? '',
        client_secret: secret,
      }),
    });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: 'invalid_grant' });
    const audit = await app.portcullis.database.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'reason'])
      .where('action', 'like', 'federation.%')
      .execute();
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'federation.identity_unlinked', outcome: 'success', reason: 'apple' },
        { action: 'federation.provider_token_revoked', outcome: 'success', reason: 'revoked' },
      ]),
    );
    expect(JSON.stringify(audit)).not.toContain('@');
  });

  it('forgetting an account (for account deletion) revokes every provider token and removes the links', async () => {
    const device = await signedInWithPassword('leaving@example.test');
    await linkApple(device);
    const me = (await device.call('GET', '/v1/accounts/me')).json<{ id: string }>();
    const before = fixture.apple.requests.revocation.length;
    const config = testConfig({ dialect, config: federationConfig(fixture) });
    rmSync(config.dataDir, { recursive: true, force: true });
    const deps = {
      db: app.portcullis.database.db,
      clock: app.portcullis.clock,
      providers: createProviderRegistry(resolveProviderSettings(config), { timings: config.federation, now: () => Date.now() }),
      vault: createTokenVault(app.portcullis.keyRing),
    };
    expect(await forgetAccountIdentities(deps, me.id, testRequestContext(deps))).toBe(1);
    expect(fixture.apple.requests.revocation.slice(before)).toEqual([{ status: 200 }]);
    expect((await device.call('GET', '/v1/federation/links')).json<LinkedIdentityList>().identities).toEqual([]);
  });
});
