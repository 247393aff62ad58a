/**
 * The SDK's federation API against the real server and the real test providers: native
 * sign-in with `createNonce` + `signInWithIdToken`, the web flow with `startFederation`
 * (code bound to the SDK's non-extractable DPoP key) + `readFederationReturn` +
 * `redeemFederationCode`, and linking/unlinking. The SDK reaches the server through a `fetch`
 * that hands each request to `app.inject`, so the browser half of the web flow (TestBrowser)
 * and the SDK share one server and database; SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { MemoryTokenStore, PortcullisClient, createNonce, isApiError, readFederationReturn } from '@portcullis/sdk';
import type { App } from '../../app.ts';
import { TEST_PUBLIC_URL } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import {
  APP_RETURN_URL,
  APPLE_USERS,
  GOOGLE_USERS,
  loginAtProvider,
  nativeIdToken,
  useFederationApp,
  type FederationFixture,
} from './test-support/fixtures.ts';
import { TestBrowser } from './test-support/test-browser.ts';

/** A `fetch` that delivers each request to the app in process (no socket), as the SDK would over the network. */
function injectFetch(app: App): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body === null ? undefined : await request.text();
    const response = await app.inject({
      method: request.method as 'GET',
      url: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(request.headers),
      ...(body === undefined ? {} : { payload: body }),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    }
    const empty = response.statusCode === 204 || response.statusCode === 304;
    return new Response(empty ? null : response.rawPayload, { status: response.statusCode, headers });
  };
}

describe.each(testDatabases())('SDK federation API against the server ($dialect)', ({ dialect }) => {
  let fixture: FederationFixture;
  let app: App;
  useFederationApp(dialect, (current) => ({ fixture, app } = current));

  const client = () => new PortcullisClient({ baseUrl: TEST_PUBLIC_URL, tokenStore: new MemoryTokenStore(), fetch: injectFetch(app) });

  it('native: createNonce → provider → signInWithIdToken, then link listing and the last-method guard', async () => {
    const sdk = client();
    const nonce = await createNonce();
    const { idToken, code } = await nativeIdToken(app, fixture.apple, APPLE_USERS.relay, { nonce: nonce.sha256Hex });
    const session = await sdk.signInWithIdToken('apple', idToken, nonce.raw, {
      authorizationCode: code,
      device: { label: 'iPhone', platform: 'ios' },
    });
    expect(session).toMatchObject({ aal: 'aal1', accountCreated: true });
    expect(await sdk.getAccount()).toMatchObject({ email: APPLE_USERS.relay.claims.email, emailVerified: true });
    const { identities } = await sdk.listLinkedIdentities();
    expect(identities).toEqual([expect.objectContaining({ provider: 'apple' })]);
    const error: unknown = await sdk.unlinkIdentity(identities[0]?.id ?? '').catch((e: unknown) => e);
    expect(isApiError(error, 'FEDERATION_LAST_SIGN_IN_METHOD')).toBe(true);
  });

  it('listFederationProviders: the providers with a web flow, without a session', async () => {
    expect(await client().listFederationProviders()).toEqual({
      providers: [
        { id: 'apple', name: 'Apple', kind: 'apple' },
        { id: 'google', name: 'Google', kind: 'google' },
      ],
    });
  });

  it('web: startFederation (bound to the device key) → browser → readFederationReturn → redeemFederationCode', async () => {
    const sdk = client();
    const start = await sdk.startFederation('google', APP_RETURN_URL, { bindToDeviceKey: true });
    expect(new URL(start.url).searchParams.get('dpopJkt')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const browser = new TestBrowser(app);
    const landing = await loginAtProvider(browser, await browser.open(start.url), GOOGLE_USERS.alice);
    const result = readFederationReturn(landing.url);
    if (!result || !('code' in result)) throw new Error(`no code at ${landing.url.href}`);

    // Another client (another DPoP key) cannot redeem it, even with the verifier.
    const thief = client();
    const stolen: unknown = await thief.redeemFederationCode(result.code, start.codeVerifier).catch((e: unknown) => e);
    expect(isApiError(stolen, 'FEDERATION_EXCHANGE_CODE_INVALID')).toBe(true);

    const again = await sdk.startFederation('google', APP_RETURN_URL, { bindToDeviceKey: true });
    const secondBrowser = new TestBrowser(app);
    const second = readFederationReturn(
      (await loginAtProvider(secondBrowser, await secondBrowser.open(again.url), GOOGLE_USERS.alice)).url,
    );
    if (!second || !('code' in second)) throw new Error('no code');
    const session = await sdk.redeemFederationCode(second.code, again.codeVerifier, { label: 'Web', platform: 'web' });
    expect(session).toMatchObject({ accountCreated: true, profile: { givenName: 'Alice', familyName: 'Liddell' } });
    expect(await sdk.getAccount()).toMatchObject({ email: 'alice@example.test' });
  });

  it('surfaces a cancelled web sign-in as a typed error code on the return URL', async () => {
    const start = await client().startFederation('google', APP_RETURN_URL);
    const browser = new TestBrowser(app);
    const login = await browser.open(start.url);
    const landing = await browser.submit(login, 1);
    expect(readFederationReturn(landing.url)).toEqual({ error: 'FEDERATION_CANCELLED' });
  });
});
