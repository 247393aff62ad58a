/**
 * Security invariants of federated sign-in, stated as what an attacker cannot do, each against
 * the real test providers on SQLite and PostgreSQL. Tokens the real provider would never issue
 * (wrong issuer, expired, bad nonce, `alg: none`, a key it does not publish) are signed here
 * with the provider's own key (or deliberately another), so only the one property under test
 * is wrong; a positive control proves the forging path itself is accepted when nothing is.
 *
 * ASVS 5.0: V6.8.2 (signatures always validated), V10.1.2 (state/nonce/PKCE bound to the
 * transaction and the user agent), V10.2.1 (CSRF on the code flow), V10.2.2 (mix-up),
 * V10.5.1 (ID token replay), V10.5.3 (issuer), V10.5.4 (audience), V3.3.2 (SameSite per purpose),
 * V3.5.1 (cross-origin requests), V16.2.5 (nothing sensitive in logs).
 */
import { generateKeyPairSync, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FederatedSignInResponse } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import { TEST_PUBLIC_URL } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import {
  APP_RETURN_URL,
  APPLE_USERS,
  appleNonceFor,
  buildFederationApp,
  FOREIGN_CLIENT_ID,
  FOREIGN_REDIRECT,
  GOOGLE_ANDROID_CLIENT_ID,
  GOOGLE_USERS,
  GOOGLE_WEB_CLIENT_ID,
  idTokenClaims,
  loginAtProvider,
  nativeIdToken,
  newPkce,
  rawNonce,
  useFederationApp,
  startPath,
  webSignIn,
  type FederationFixture,
} from './test-support/fixtures.ts';
import { TestBrowser, type Landing } from './test-support/test-browser.ts';

const DEVICE = { label: 'Test phone', platform: 'android' as const };

describe.each(testDatabases())('federated sign-in security invariants ($dialect)', ({ dialect }) => {
  let fixture: FederationFixture;
  let app: App;
  useFederationApp(dialect, (current) => ({ fixture, app } = current));

  const signIn = (payload: Record<string, unknown>, device = new TestDevice(app)) =>
    device.send({ method: 'POST', url: '/v1/federation/sessions', payload: { device: DEVICE, ...payload } });

  async function lastFailure(): Promise<string | null> {
    const rows = await app.portcullis.database.db
      .selectFrom('audit_events')
      .select(['reason', 'occurred_at'])
      .where('action', 'in', ['federation.sign_in_failed', 'federation.link_refused'])
      .execute();
    return rows.at(-1)?.reason ?? null;
  }

  async function expectTokenRefused(payload: Record<string, unknown>, reason: string): Promise<void> {
    const response = await signIn(payload);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'FEDERATION_TOKEN_INVALID' });
    expect(await lastFailure()).toBe(`token_${reason}`);
    expect(await app.portcullis.database.db.selectFrom('sessions').select('id').execute()).toEqual([]);
  }

  describe('ID tokens: only genuine, fresh tokens for us, with our nonce, are accepted (V6.8.2, V10.5.x)', () => {
    it('positive control: a token signed with the provider key and correct claims is accepted', async () => {
      const nonce = rawNonce();
      const response = await signIn({ provider: 'google', idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce })), nonce });
      expect(response.statusCode).toBe(201);
    });

    it('refuses a real token issued for another client (wrong aud) (V10.5.4)', async () => {
      const nonce = rawNonce();
      const { idToken } = await nativeIdToken(app, fixture.google, GOOGLE_USERS.alice, {
        nonce,
        clientId: FOREIGN_CLIENT_ID,
        redirectUri: FOREIGN_REDIRECT,
      });
      await expectTokenRefused({ provider: 'google', idToken, nonce }, 'bad_aud');
    });

    it('refuses a token from another issuer, even signed with a trusted key (V10.5.3)', async () => {
      const nonce = rawNonce();
      const idToken = fixture.google.sign(idTokenClaims(fixture.google, { nonce, iss: 'https://accounts.google.com.evil.test' }));
      await expectTokenRefused({ provider: 'google', idToken, nonce }, 'bad_iss');
    });

    it("refuses one provider's token presented as another's (Apple token at the Google provider)", async () => {
      const raw = rawNonce();
      const { idToken } = await nativeIdToken(app, fixture.apple, APPLE_USERS.shared, { nonce: appleNonceFor(raw) });
      const response = await signIn({ provider: 'google', idToken, nonce: raw });
      expect(response.statusCode).toBe(401);
    });

    it('refuses an expired token and a token issued too long ago', async () => {
      const now = Math.floor(Date.now() / 1000);
      const nonce = rawNonce();
      await expectTokenRefused(
        {
          provider: 'google',
          idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce, iat: now - 1200, exp: now - 600 })),
          nonce,
        },
        'expired',
      );
      const old = rawNonce();
      await expectTokenRefused(
        {
          provider: 'google',
          idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce: old, iat: now - 1200, exp: now + 600 })),
          nonce: old,
        },
        'too_old',
      );
    });

    it('refuses a token whose nonce is not the one given, and a missing nonce (V10.5.1)', async () => {
      const nonce = rawNonce();
      const { idToken } = await nativeIdToken(app, fixture.google, GOOGLE_USERS.alice, { nonce });
      await expectTokenRefused({ provider: 'google', idToken, nonce: rawNonce() }, 'bad_nonce');
      const missing = rawNonce();
      await expectTokenRefused(
        { provider: 'google', idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce: undefined })), nonce: missing },
        'bad_nonce',
      );
    });

    it('Apple convention: the raw nonce must hash to the token nonce; presenting the hash itself fails', async () => {
      const raw = rawNonce();
      const { idToken } = await nativeIdToken(app, fixture.apple, APPLE_USERS.relay, { nonce: appleNonceFor(raw) });
      await expectTokenRefused({ provider: 'apple', idToken, nonce: appleNonceFor(raw) }, 'bad_nonce');
    });

    it('refuses an unsigned token (alg none) (V6.8.2)', async () => {
      const nonce = rawNonce();
      const idToken = fixture.google.sign(idTokenClaims(fixture.google, { nonce }), { alg: 'none' });
      await expectTokenRefused({ provider: 'google', idToken, nonce }, 'alg_not_allowed');
    });

    it('refuses an HMAC token keyed with public material (algorithm confusion)', async () => {
      const nonce = rawNonce();
      const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: fixture.google.keyId })).toString('base64url');
      const payload = Buffer.from(JSON.stringify(idTokenClaims(fixture.google, { nonce }))).toString('base64url');
      const mac = createHmac('sha256', fixture.google.keyId).update(`${header}.${payload}`).digest('base64url');
      await expectTokenRefused({ provider: 'google', idToken: `${header}.${payload}.${mac}`, nonce }, 'alg_not_allowed');
    });

    it('refuses a token signed by a key the JWKS does not contain, under a known or an unknown kid', async () => {
      const { privateKey: other } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const nonce = rawNonce();
      await expectTokenRefused(
        { provider: 'google', idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce }), { key: other }), nonce },
        'bad_signature',
      );
      const second = rawNonce();
      await expectTokenRefused(
        {
          provider: 'google',
          idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce: second }), { key: other, kid: 'attacker-key' }),
          nonce: second,
        },
        'unknown_key',
      );
    });

    it('a token for several audiences needs an azp we know (OIDC Core 3.1.3.7)', async () => {
      const nonce = rawNonce();
      const foreignAzp = fixture.google.sign(
        idTokenClaims(fixture.google, { nonce, aud: [GOOGLE_WEB_CLIENT_ID, FOREIGN_CLIENT_ID], azp: FOREIGN_CLIENT_ID }),
      );
      await expectTokenRefused({ provider: 'google', idToken: foreignAzp, nonce }, 'bad_azp');
      const noAzp = rawNonce();
      await expectTokenRefused(
        {
          provider: 'google',
          idToken: fixture.google.sign(
            idTokenClaims(fixture.google, { nonce: noAzp, aud: [GOOGLE_WEB_CLIENT_ID, GOOGLE_ANDROID_CLIENT_ID] }),
          ),
          nonce: noAzp,
        },
        'bad_azp',
      );
      // Google's Android shape: aud = web client id, azp = Android client id.
      const android = rawNonce();
      const ok = await signIn({
        provider: 'google',
        idToken: fixture.google.sign(
          idTokenClaims(fixture.google, { nonce: android, aud: GOOGLE_WEB_CLIENT_ID, azp: GOOGLE_ANDROID_CLIENT_ID }),
        ),
        nonce: android,
      });
      expect(ok.statusCode).toBe(201);
    });

    it('answers malformed tokens with 4xx, never 500', async () => {
      for (const idToken of [
        'aaaa.bbbb.cccc',
        'eyJhbGciOiJSUzI1NiJ9.e30.',
        `${'a'.repeat(20)}.${'b'.repeat(20)}.${'c'.repeat(20)}`,
        `${'e30'.repeat(8)}.e30.e30`,
      ]) {
        const response = await signIn({ provider: 'google', idToken, nonce: rawNonce() });
        expect([400, 401]).toContain(response.statusCode);
      }
      const invalid = await signIn({ provider: 'google', idToken: 'not a jwt', nonce: rawNonce() });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json()).toMatchObject({ code: 'REQUEST_INVALID' });
    });
  });

  describe('any OpenID Connect provider by discovery, with claim mapping (V6.8.1)', () => {
    async function withCorpProvider<T>(work: (corp: App) => Promise<T>): Promise<T> {
      const corp = await buildFederationApp(fixture, {
        dialect,
        config: {
          federation: {
            providers: {
              corp: {
                kind: 'oidc',
                issuer: fixture.google.issuer,
                clientId: GOOGLE_WEB_CLIENT_ID,
                audiences: [GOOGLE_ANDROID_CLIENT_ID],
                claims: { emailVerified: 'xms_edov' },
              },
            },
          },
        },
      });
      try {
        return await work(corp);
      } finally {
        await corp.close();
      }
    }
    const post = (target: App, payload: Record<string, unknown>) =>
      new TestDevice(target).send({ method: 'POST', url: '/v1/federation/sessions', payload: { device: DEVICE, ...payload } });

    it('reads "verified" only from the mapped claim', async () => {
      await withCorpProvider(async (corp) => {
        const nonce = rawNonce();
        const unmapped = await post(corp, {
          provider: 'corp',
          idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce, email_verified: true })),
          nonce,
        });
        expect(unmapped.json()).toMatchObject({ code: 'FEDERATION_EMAIL_NOT_VERIFIED' });
        const mapped = rawNonce();
        const accepted = await post(corp, {
          provider: 'corp',
          idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce: mapped, xms_edov: true })),
          nonce: mapped,
        });
        expect(accepted.statusCode).toBe(201);
      });
    });

    it('the same subject at two providers is two people: provider id namespaces the identity', async () => {
      await withCorpProvider(async (corp) => {
        const sub = 'same-subject-at-both';
        const a = rawNonce();
        const viaGoogle = await post(corp, {
          provider: 'google',
          idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce: a, sub, email: 'one@example.test' })),
          nonce: a,
        });
        const b = rawNonce();
        const viaCorp = await post(corp, {
          provider: 'corp',
          idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce: b, sub, email: 'two@example.test', xms_edov: true })),
          nonce: b,
        });
        expect([viaGoogle.statusCode, viaCorp.statusCode]).toEqual([201, 201]);
        const accounts = await corp.portcullis.database.db
          .selectFrom('external_identities')
          .select(['provider', 'account_id'])
          .where('subject', '=', sub)
          .execute();
        expect(accounts).toHaveLength(2);
        expect(new Set(accounts.map((row) => row.account_id)).size).toBe(2);
      });
    });
  });

  describe('provider keys: cached, fetched again for an unknown kid, but not more than once per cooldown', () => {
    it('a flood of invented key ids costs the provider at most one extra key-set request', async () => {
      const nonce = rawNonce();
      expect(
        (await signIn({ provider: 'google', idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce })), nonce })).statusCode,
      ).toBe(201);
      const before = fixture.google.requests.jwks;
      const { privateKey: other } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      for (let i = 0; i < 5; i++) {
        const n = rawNonce();
        const response = await signIn({
          provider: 'google',
          idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce: n }), { key: other, kid: `rotated-${String(i)}` }),
          nonce: n,
        });
        expect(response.statusCode).toBe(401);
      }
      expect(fixture.google.requests.jwks - before).toBeLessThanOrEqual(1);
    });

    it('refreshes the key set for an unknown kid once the cooldown has passed', async () => {
      const quick = await buildFederationApp(fixture, { dialect, config: { federation: { jwksCooldownSeconds: 1 } } });
      try {
        const nonce = rawNonce();
        const device = new TestDevice(quick);
        await device.send({
          method: 'POST',
          url: '/v1/federation/sessions',
          payload: { provider: 'google', idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce })), nonce, device: DEVICE },
        });
        const before = fixture.google.requests.jwks;
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const n = rawNonce();
        const response = await new TestDevice(quick).send({
          method: 'POST',
          url: '/v1/federation/sessions',
          payload: {
            provider: 'google',
            idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce: n }), { kid: 'new-key-id' }),
            nonce: n,
            device: DEVICE,
          },
        });
        expect(response.statusCode).toBe(401);
        expect(fixture.google.requests.jwks - before).toBe(1);
      } finally {
        await quick.close();
      }
    });
  });

  describe('web flow: the provider answer counts only in the browser and transaction that started it (V10.1.2, V10.2.1)', () => {
    /** Runs the flow up to (not into) the callback; returns the callback navigation. */
    async function interceptedCallback(
      browser: TestBrowser,
      provider: 'google' | 'apple',
      user: Parameters<typeof loginAtProvider>[2],
    ): Promise<Landing> {
      browser.stopBefore = (navigation) => navigation.url.pathname === `/v1/federation/${provider}/callback`;
      browser.stopAtFormPost = provider === 'apple';
      const landing = await loginAtProvider(
        browser,
        await browser.open(`${TEST_PUBLIC_URL}${startPath(provider, { challenge: newPkce().challenge })}`),
        user,
      );
      browser.stopBefore = undefined;
      browser.stopAtFormPost = false;
      return landing;
    }

    async function expectStateRefused(response: Landing, reason: string): Promise<void> {
      expect(response.external).toBe(false);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ code: 'FEDERATION_STATE_INVALID' });
      expect(await lastFailure()).toBe(reason);
      expect(await app.portcullis.database.db.selectFrom('federation_exchange_codes').select('id').execute()).toEqual([]);
    }

    it('refuses a replayed callback: the state is single-use', async () => {
      const browser = new TestBrowser(app);
      const callback = await interceptedCallback(browser, 'google', GOOGLE_USERS.alice);
      expect(callback.intercepted).toBe(true);
      const first = await browser.open(callback.url.href);
      expect(first.external).toBe(true);
      await app.portcullis.database.db.deleteFrom('federation_exchange_codes').execute();
      await expectStateRefused(await browser.open(callback.url.href), 'state_unknown');
    });

    it("refuses the attacker's callback in the victim's browser (login CSRF): the binding cookie does not match", async () => {
      const attacker = new TestBrowser(app);
      const callback = await interceptedCallback(attacker, 'google', GOOGLE_USERS.bob);
      const victim = new TestBrowser(app);
      await victim.open(`${TEST_PUBLIC_URL}${startPath('google', { challenge: newPkce().challenge })}`);
      expect(victim.cookieNames(TEST_PUBLIC_URL)).toContain('__Host-portcullis-federation-google');
      await expectStateRefused(await victim.open(callback.url.href), 'browser_mismatch');
    });

    it('refuses a form_post callback that arrives without the binding cookie (what a SameSite=Lax cookie would do) (V3.3.2)', async () => {
      const browser = new TestBrowser(app);
      const formPage = await interceptedCallback(browser, 'apple', APPLE_USERS.relay);
      expect(formPage.forms[0]?.fields).toHaveProperty('state');
      browser.forget(/^__Host-portcullis-federation-apple$/);
      await expectStateRefused(await browser.submit(formPage), 'browser_mismatch');
    });

    it('refuses a state started for one provider at another provider’s callback (mix-up defence, V10.2.2)', async () => {
      const browser = new TestBrowser(app);
      const callback = await interceptedCallback(browser, 'google', GOOGLE_USERS.alice);
      const forged = new URL(callback.url.href.replace('/v1/federation/google/callback', '/v1/federation/apple/callback'));
      const response = await app.inject({
        method: 'POST',
        url: '/v1/federation/apple/callback',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: fixture.apple.issuer },
        payload: new URLSearchParams({
          code: forged.searchParams.get('code') ?? '',
          state: forged.searchParams.get('state') ?? '',
        }).toString(),
      });
      expect(response.statusCode).toBe(400);
      expect(await lastFailure()).toBe('state_provider_mismatch');
    });

    it('refuses a form_post answer replayed as a query (response-mode downgrade)', async () => {
      const browser = new TestBrowser(app);
      const formPage = await interceptedCallback(browser, 'apple', APPLE_USERS.relay);
      const fields = formPage.forms[0]?.fields ?? {};
      const url = `${TEST_PUBLIC_URL}/v1/federation/apple/callback?${new URLSearchParams({ code: fields['code'] ?? '', state: fields['state'] ?? '' }).toString()}`;
      await expectStateRefused(await browser.open(url), 'response_mode_mismatch');
    });

    it('refuses an expired flow', async () => {
      const browser = new TestBrowser(app);
      const callback = await interceptedCallback(browser, 'google', GOOGLE_USERS.alice);
      await app.portcullis.database.db.updateTable('federation_flows').set({ expires_at: 0 }).execute();
      await expectStateRefused(await browser.open(callback.url.href), 'state_expired');
    });

    it('refuses a callback without state, and an invented state', async () => {
      const browser = new TestBrowser(app);
      await expectStateRefused(await browser.open(`${TEST_PUBLIC_URL}/v1/federation/google/callback?code=abc`), 'state_missing');
      await expectStateRefused(
        await browser.open(`${TEST_PUBLIC_URL}/v1/federation/google/callback?code=abc&state=${'A'.repeat(43)}`),
        'state_unknown',
      );
    });

    it('only allow-listed return URLs, compared exactly', async () => {
      for (const returnTo of ['https://evil.example/return', `${APP_RETURN_URL}/../evil`, `${APP_RETURN_URL}?x=1`, 'javascript:alert(1)']) {
        const response = await app.inject({ method: 'GET', url: startPath('google', { challenge: newPkce().challenge, returnTo }) });
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ code: 'FEDERATION_RETURN_URL_INVALID' });
        expect(response.headers['set-cookie']).toBeUndefined();
      }
    });

    it('accepts the form_post from the provider’s origin but still refuses other cross-origin writes (V3.5.1)', async () => {
      const formBody = new URLSearchParams({ code: 'x', state: 'y' }).toString();
      const fromProvider = await app.inject({
        method: 'POST',
        url: '/v1/federation/apple/callback',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://appleid.apple.com' },
        payload: formBody,
      });
      expect(fromProvider.json()).toMatchObject({ code: 'FEDERATION_STATE_INVALID' });
      const jsonToCallback = await app.inject({
        method: 'POST',
        url: '/v1/federation/apple/callback',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        payload: { code: 'x', state: 'y' },
      });
      expect(jsonToCallback.statusCode).toBe(403);
      expect(jsonToCallback.json()).toMatchObject({ code: 'CORS_ORIGIN_FORBIDDEN' });
      const formElsewhere = await app.inject({
        method: 'POST',
        url: '/v1/federation/sessions',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        payload: formBody,
      });
      expect(formElsewhere.statusCode).toBe(403);
    });
  });

  describe('exchange codes: one redemption, by the app that started the flow', () => {
    async function codeFor(options: { dpopJkt?: string } = {}) {
      const pkce = newPkce();
      const landing = await webSignIn(new TestBrowser(app), 'google', GOOGLE_USERS.alice, { challenge: pkce.challenge, ...options });
      return { code: landing.url.searchParams.get('code') ?? '', verifier: pkce.verifier };
    }
    const redeem = (payload: Record<string, unknown>, device = new TestDevice(app)) =>
      device.send({ method: 'POST', url: '/v1/federation/sessions/exchange', payload: { device: DEVICE, ...payload } });

    it('a wrong verifier fails and burns the code; the right one afterwards fails too', async () => {
      const { code, verifier } = await codeFor();
      const wrong = await redeem({ code, codeVerifier: newPkce().verifier });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json()).toMatchObject({ code: 'FEDERATION_EXCHANGE_CODE_INVALID' });
      expect((await redeem({ code, codeVerifier: verifier })).statusCode).toBe(400);
    });

    it('a code is redeemed once, even by two concurrent requests', async () => {
      const { code, verifier } = await codeFor();
      const results = await Promise.all([redeem({ code, codeVerifier: verifier }), redeem({ code, codeVerifier: verifier })]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 400]);
    });

    it('an expired code is refused', async () => {
      const { code, verifier } = await codeFor();
      await app.portcullis.database.db.updateTable('federation_exchange_codes').set({ expires_at: 0 }).execute();
      expect((await redeem({ code, codeVerifier: verifier })).statusCode).toBe(400);
    });

    it('with dpopJkt at start, only that DPoP key can redeem (RFC 9449 section 10)', async () => {
      const device = new TestDevice(app);
      const { code, verifier } = await codeFor({ dpopJkt: device.key.jkt });
      const thief = await redeem({ code, codeVerifier: verifier }, new TestDevice(app));
      expect(thief.statusCode).toBe(400);
      const again = await codeFor({ dpopJkt: device.key.jkt });
      const response = await redeem({ code: again.code, codeVerifier: again.verifier }, device);
      expect(response.statusCode).toBe(201);
      expect(response.json<FederatedSignInResponse>().tokenType).toBe('DPoP');
    });
  });

  describe('availability and logs', () => {
    it('an unreachable provider is 503 FEDERATION_PROVIDER_UNAVAILABLE, not a 500', async () => {
      const broken = await buildFederationApp(fixture, {
        dialect,
        config: {
          federation: {
            providers: {
              okta: {
                kind: 'oidc',
                issuer: 'http://127.0.0.1:9',
                clientId: 'x',
                clientSecretFile: fixture.googleSecretFile,
                returnUrls: [APP_RETURN_URL],
              },
            },
          },
        },
      });
      try {
        const start = await broken.inject({ method: 'GET', url: startPath('okta', { challenge: newPkce().challenge }) });
        expect(start.statusCode).toBe(503);
        expect(start.json()).toMatchObject({ code: 'FEDERATION_PROVIDER_UNAVAILABLE' });
        const nonce = rawNonce();
        const native = await new TestDevice(broken).send({
          method: 'POST',
          url: '/v1/federation/sessions',
          payload: { provider: 'okta', idToken: fixture.google.sign(idTokenClaims(fixture.google, { nonce })), nonce, device: DEVICE },
        });
        expect(native.statusCode).toBe(503);
      } finally {
        await broken.close();
      }
    });

    it('refuses a discovery document that names another issuer (V10.5.3)', async () => {
      const impostor = await buildFederationApp(fixture, {
        dialect,
        config: {
          federation: {
            providers: {
              corp: {
                kind: 'oidc',
                issuer: `${fixture.google.issuer}/corp`,
                discoveryUrl: fixture.google.discoveryUrl,
                clientId: GOOGLE_WEB_CLIENT_ID,
                clientSecretFile: fixture.googleSecretFile,
                returnUrls: [APP_RETURN_URL],
              },
            },
          },
        },
      });
      try {
        const start = await impostor.inject({ method: 'GET', url: startPath('corp', { challenge: newPkce().challenge }) });
        expect(start.statusCode).toBe(503);
      } finally {
        await impostor.close();
      }
    });

    it('never logs ID tokens, codes, nonces, states or email addresses (V16.2.5)', async () => {
      const lines: string[] = [];
      const logged = await buildFederationApp(fixture, { dialect, logLines: lines, config: { log: { level: 'debug' } } });
      try {
        const pkce = newPkce();
        const landing = await webSignIn(new TestBrowser(logged), 'google', GOOGLE_USERS.alice, { challenge: pkce.challenge });
        const code = landing.url.searchParams.get('code') ?? '';
        await new TestDevice(logged).send({
          method: 'POST',
          url: '/v1/federation/sessions/exchange',
          payload: { code, codeVerifier: pkce.verifier, device: DEVICE },
        });
        const nonce = rawNonce();
        const { idToken } = await nativeIdToken(logged, fixture.google, GOOGLE_USERS.bob, { nonce });
        await new TestDevice(logged).send({
          method: 'POST',
          url: '/v1/federation/sessions',
          payload: { provider: 'google', idToken, nonce: rawNonce(), device: DEVICE },
        });
        const text = lines.join('\n');
        expect(lines.length).toBeGreaterThan(0);
        for (const secret of [code, pkce.verifier, idToken, nonce, 'alice@example.test', 'bob@example.test', idToken.split('.')[1] ?? '']) {
          expect(text).not.toContain(secret);
        }
        const audit = JSON.stringify(await logged.portcullis.database.db.selectFrom('audit_events').selectAll().execute());
        expect(audit).not.toContain('@example.test');
        expect(audit).not.toContain('Alice');
      } finally {
        await logged.close();
      }
    });
  });
});
