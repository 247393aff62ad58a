/**
 * The web redirect flow against a real OpenID provider (oidc-provider on loopback), once shaped
 * like Google (query response, static client secret) and once like Sign in with Apple
 * (form_post, ES256 client-secret JWT, string booleans, the `user` JSON on first authorization),
 * on SQLite and PostgreSQL: start → provider login and consent → callback → exchange code at the
 * app's return URL → DPoP-bound session. ASVS V10.1.2, V10.2.1, V10.5.1, V3.3.1–V3.3.4.
 */
import { describe, expect, it } from 'vitest';
import type { FederatedSignInResponse } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import { TEST_PUBLIC_URL } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import {
  APP_RETURN_URL,
  APPLE_SERVICES_ID,
  APPLE_USERS,
  buildFederationApp,
  GOOGLE_USERS,
  GOOGLE_WEB_CLIENT_ID,
  NATIVE_RETURN_URL,
  newPkce,
  useFederationApp,
  webSignIn,
  type FederationFixture,
} from './test-support/fixtures.ts';
import { TestBrowser } from './test-support/test-browser.ts';

const DEVICE = { label: 'Test phone', platform: 'android' as const };

describe.each(testDatabases())('web sign-in through a real provider ($dialect)', ({ dialect }) => {
  let fixture: FederationFixture;
  let app: App;
  useFederationApp(dialect, (current) => ({ fixture, app } = current));

  async function redeem(device: TestDevice, code: string, verifier: string) {
    return device.send({
      method: 'POST',
      url: '/v1/federation/sessions/exchange',
      payload: { code, codeVerifier: verifier, device: DEVICE },
    });
  }

  it('Google-like: signs a new person up with the provider-verified address and a DPoP-bound session (V10.5.2)', async () => {
    const pkce = newPkce();
    const browser = new TestBrowser(app);
    const landing = await webSignIn(browser, 'google', GOOGLE_USERS.alice, { challenge: pkce.challenge });
    expect(landing.external).toBe(true);
    expect(`${landing.url.origin}${landing.url.pathname}`).toBe(APP_RETURN_URL);
    const code = landing.url.searchParams.get('code');
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const device = new TestDevice(app);
    const response = await redeem(device, code ?? '', pkce.verifier);
    expect(response.statusCode).toBe(201);
    const body = response.json<FederatedSignInResponse>();
    expect(body).toMatchObject({
      tokenType: 'DPoP',
      aal: 'aal1',
      accountCreated: true,
      profile: { givenName: 'Alice', familyName: 'Liddell' },
    });
    device.tokens = body;
    const me = await device.call('GET', '/v1/accounts/me');
    expect(me.json()).toMatchObject({ email: 'alice@example.test', emailVerified: true, roles: ['patient'] });

    const session = await app.portcullis.database.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', body.sessionId)
      .executeTakeFirstOrThrow();
    expect(session.jkt).toBe(device.key.jkt);
    expect(JSON.parse(session.amr)).toEqual(['fed']);
  });

  it('Google-like: a second sign-in returns to the same account, not a new one', async () => {
    const first = newPkce();
    const firstCode =
      (await webSignIn(new TestBrowser(app), 'google', GOOGLE_USERS.bob, { challenge: first.challenge })).url.searchParams.get('code') ??
      '';
    const a = (await redeem(new TestDevice(app), firstCode, first.verifier)).json<FederatedSignInResponse>();
    const second = newPkce();
    const secondCode =
      (await webSignIn(new TestBrowser(app), 'google', GOOGLE_USERS.bob, { challenge: second.challenge })).url.searchParams.get('code') ??
      '';
    const b = (await redeem(new TestDevice(app), secondCode, second.verifier)).json<FederatedSignInResponse>();
    expect(a.accountCreated).toBe(true);
    expect(b.accountCreated).toBe(false);
    const accounts = await app.portcullis.database.db.selectFrom('accounts').select('id').execute();
    expect(accounts).toHaveLength(1);
  });

  it('Apple-like: form_post with an ES256 client secret, private relay treated as verified, name from the first `user` JSON only', async () => {
    const pkce = newPkce();
    const browser = new TestBrowser(app);
    const landing = await webSignIn(browser, 'apple', APPLE_USERS.relay, { challenge: pkce.challenge, returnTo: NATIVE_RETURN_URL });
    expect(landing.external).toBe(true);
    expect(landing.url.protocol).toBe('com.example.clinic:');
    // The callback was a cross-site POST from the provider's origin (form_post).
    const callback = landing.trail.find((hop) => hop.url.startsWith(`${TEST_PUBLIC_URL}/v1/federation/apple/callback`));
    expect(callback?.method).toBe('POST');
    expect(callback?.cookies).toMatch(/__Host-portcullis-federation-apple=/);

    const device = new TestDevice(app);
    const response = await redeem(device, landing.url.searchParams.get('code') ?? '', pkce.verifier);
    expect(response.statusCode).toBe(201);
    const body = response.json<FederatedSignInResponse>();
    expect(body.accountCreated).toBe(true);
    expect(body.profile).toEqual({ givenName: 'Jane', familyName: 'Appleseed' });
    device.tokens = body;
    expect((await device.call('GET', '/v1/accounts/me')).json()).toMatchObject({
      email: 'x7k2p9qz@privaterelay.appleid.com',
      emailVerified: true,
    });

    // The provider verified our client secret: an ES256 JWT naming the team, key and Services ID.
    const secret = fixture.apple.clientSecretsSeen.at(-1) ?? '';
    const [header, payload] = secret
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'ES256', kid: fixture.team.keyId });
    expect(payload).toMatchObject({ iss: fixture.team.teamId, sub: APPLE_SERVICES_ID, aud: fixture.apple.issuer });
    expect(Number(payload?.['exp']) - Number(payload?.['iat'])).toBeLessThanOrEqual(15_777_000);

    // Apple's refresh token is kept, sealed, for revocation.
    const identity = await app.portcullis.database.db.selectFrom('external_identities').selectAll().executeTakeFirstOrThrow();
    expect(identity.provider_token).toMatch(/^v1\./);
    expect(identity.provider_client_id).toBe(APPLE_SERVICES_ID);

    // Second authorization: Apple sends no name any more.
    const again = newPkce();
    const second = await webSignIn(new TestBrowser(app), 'apple', APPLE_USERS.relay, { challenge: again.challenge });
    const secondBody = (
      await redeem(new TestDevice(app), second.url.searchParams.get('code') ?? '', again.verifier)
    ).json<FederatedSignInResponse>();
    expect(secondBody.accountCreated).toBe(false);
    expect(secondBody.profile).toBeUndefined();
  });

  it('sets the browser-binding cookie __Host-, Secure, HttpOnly, SameSite=Lax for query and SameSite=None for form_post (V3.3.1–V3.3.4)', async () => {
    const pkce = newPkce();
    const query = new URLSearchParams({ returnTo: APP_RETURN_URL, codeChallenge: pkce.challenge, codeChallengeMethod: 'S256' });
    const google = await app.inject({ method: 'GET', url: `/v1/federation/google/start?${query.toString()}` });
    const apple = await app.inject({ method: 'GET', url: `/v1/federation/apple/start?${query.toString()}` });
    expect(google.statusCode).toBe(303);
    expect(google.headers['set-cookie']).toMatch(
      /^__Host-portcullis-federation-google=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; Secure; HttpOnly; SameSite=Lax$/,
    );
    expect(apple.headers['set-cookie']).toMatch(
      /^__Host-portcullis-federation-apple=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; Secure; HttpOnly; SameSite=None$/,
    );
    const location = new URL(String(apple.headers.location));
    expect(location.searchParams.get('response_mode')).toBe('form_post');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('scope')).toBe('openid email name');
    // The state is stored only as a hash; the verifier and nonce not at all.
    const flows = await app.portcullis.database.db.selectFrom('federation_flows').selectAll().execute();
    const serialised = JSON.stringify(flows);
    expect(serialised).not.toContain(location.searchParams.get('state'));
    expect(serialised).not.toContain(location.searchParams.get('nonce'));
  });

  it('sends a cancelled sign-in back to the app as error=FEDERATION_CANCELLED', async () => {
    const pkce = newPkce();
    const browser = new TestBrowser(app);
    const login = await browser.open(
      `${TEST_PUBLIC_URL}/v1/federation/google/start?${new URLSearchParams({ returnTo: APP_RETURN_URL, codeChallenge: pkce.challenge, codeChallengeMethod: 'S256' }).toString()}`,
    );
    const landing = await browser.submit(login, 1);
    expect(landing.external).toBe(true);
    expect(landing.url.searchParams.get('error')).toBe('FEDERATION_CANCELLED');
    expect(landing.url.searchParams.get('code')).toBeNull();
  });

  it('lists the providers that offer the web flow, Apple first, by id, name and kind only: no client id, issuer or secret', async () => {
    const listed = await buildFederationApp(fixture, {
      dialect,
      config: {
        federation: {
          providers: {
            // A generic provider with a web client, and one that offers the native flow only (no secret).
            keycloak: { kind: 'oidc', issuer: fixture.google.issuer, clientId: 'keycloak-web', clientSecretFile: fixture.googleSecretFile },
            entra: { kind: 'oidc', issuer: fixture.google.issuer, clientId: 'entra-native' },
          },
        },
      },
    });
    try {
      const response = await listed.inject({ method: 'GET', url: '/v1/federation/providers' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        providers: [
          { id: 'apple', name: 'Apple', kind: 'apple' },
          { id: 'google', name: 'Google', kind: 'google' },
          { id: 'keycloak', name: 'keycloak', kind: 'oidc' },
        ],
      });
      const openapi = (await listed.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
      expect(openapi.paths).toHaveProperty(['/v1/federation/providers', 'get']);
      for (const secret of [
        APPLE_SERVICES_ID,
        GOOGLE_WEB_CLIENT_ID,
        'keycloak-web',
        fixture.googleSecret,
        fixture.google.issuer,
        fixture.team.keyId,
      ]) {
        expect(response.body).not.toContain(secret);
      }
    } finally {
      await listed.close();
    }
  });

  it('returns to the web app served at its public URL without the URL being listed in returnUrls', async () => {
    const pkce = newPkce();
    const returnTo = `${TEST_PUBLIC_URL}/federation/return`;
    const landing = await webSignIn(new TestBrowser(app), 'google', GOOGLE_USERS.bob, { challenge: pkce.challenge, returnTo });
    expect(`${landing.url.origin}${landing.url.pathname}`).toBe(returnTo);
    expect(landing.url.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
