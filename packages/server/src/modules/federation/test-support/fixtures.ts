/**
 * @module modules/federation/test-support/fixtures
 *
 * Everything a federation test needs around the real test providers: an Apple team with a real
 * `.p8` key on disk, a Google-like client secret file, test users shaped like each provider's,
 * the `federation` configuration pointing at the providers, a PKCE pair for the app, and the
 * two ways an app obtains what it sends to Portcullis — the browser redirect flow, and a native
 * ID token issued by the provider for the app's own client id.
 */
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { App } from '../../../app.ts';
import type { ConfigOverrides } from '../../../config/schema.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../../../test-support/build-test-app.ts';
import type { TestDialect } from '../../../test-support/databases.ts';
import { TestBrowser, type Landing } from './test-browser.ts';
import { startTestProvider, type AppleTeam, type TestProvider, type TestUser } from './test-provider.ts';

export const APP_RETURN_URL = 'https://app.example.test/auth/return';
export const NATIVE_RETURN_URL = 'com.example.clinic:/federation';

export const APPLE_SERVICES_ID = 'com.example.clinic.web';
export const APPLE_BUNDLE_ID = 'com.example.clinic';
export const APPLE_NATIVE_REDIRECT = 'com.example.clinic:/apple';
export const GOOGLE_WEB_CLIENT_ID = 'web-client.apps.googleusercontent.test';
export const GOOGLE_ANDROID_CLIENT_ID = 'android-client.apps.googleusercontent.test';
export const GOOGLE_NATIVE_REDIRECT = 'com.example.clinic:/google';
/** Registered at the provider but not configured in Portcullis: tokens for it have a foreign `aud`. */
export const FOREIGN_CLIENT_ID = 'someone-elses-app';
export const FOREIGN_REDIRECT = 'com.example.other:/cb';

export const APPLE_USERS = {
  relay: {
    id: '001234.apple-relay',
    password: 'apple-pass-1',
    claims: { email: 'x7k2p9qz@privaterelay.appleid.com', email_verified: 'true', is_private_email: 'true' },
    name: { firstName: 'Jane', lastName: 'Appleseed' },
  },
  shared: {
    id: '001234.apple-shared',
    password: 'apple-pass-2',
    claims: { email: 'sam@example.test', email_verified: 'true', is_private_email: 'false' },
    name: { firstName: 'Sam', lastName: 'Shared' },
  },
  unverified: {
    id: '001234.apple-unverified',
    password: 'apple-pass-3',
    claims: { email: 'unverified.apple@example.test', email_verified: 'false', is_private_email: 'false' },
  },
} as const satisfies Record<string, TestUser>;

export const GOOGLE_USERS = {
  alice: {
    id: '1093847562',
    password: 'google-pass-1',
    claims: { email: 'alice@example.test', email_verified: true, given_name: 'Alice', family_name: 'Liddell' },
  },
  unverified: {
    id: '2093847562',
    password: 'google-pass-2',
    claims: { email: 'taken@example.test', email_verified: false },
  },
  taken: {
    id: '3093847562',
    password: 'google-pass-3',
    claims: { email: 'taken@example.test', email_verified: true },
  },
  bob: {
    id: '4093847562',
    password: 'google-pass-4',
    claims: { email: 'bob@example.test', email_verified: true },
  },
} as const satisfies Record<string, TestUser>;

export interface AppleTeamFixture extends AppleTeam {
  readonly privateKey: KeyObject;
  readonly keyFile: string;
}

export interface FederationFixture {
  readonly apple: TestProvider;
  readonly google: TestProvider;
  readonly team: AppleTeamFixture;
  readonly googleSecretFile: string;
  readonly googleSecret: string;
  close(): Promise<void>;
}

/** Starts an Apple-like and a Google-like provider with their keys and secrets on disk. */
export async function startFederationFixture(): Promise<FederationFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-federation-'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyFile = path.join(dir, 'AuthKey_KEY1234567.p8');
  writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const team: AppleTeamFixture = { teamId: 'TEAM123456', keyId: 'KEY1234567', publicKey, privateKey, keyFile };
  const googleSecret = randomBytes(24).toString('base64url');
  const googleSecretFile = path.join(dir, 'google-secret');
  writeFileSync(googleSecretFile, `${googleSecret}\n`, { mode: 0o600 });

  const apple = await startTestProvider({
    flavor: 'apple',
    users: Object.values(APPLE_USERS),
    appleTeam: team,
    clients: [
      {
        client_id: APPLE_SERVICES_ID,
        redirect_uris: [`${TEST_PUBLIC_URL}/v1/federation/apple/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        client_id: APPLE_BUNDLE_ID,
        redirect_uris: [APPLE_NATIVE_REDIRECT],
        response_types: ['code id_token'],
        grant_types: ['authorization_code', 'implicit', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_post',
        application_type: 'native',
      },
      {
        client_id: FOREIGN_CLIENT_ID,
        redirect_uris: [FOREIGN_REDIRECT],
        response_types: ['code id_token'],
        grant_types: ['authorization_code', 'implicit'],
        token_endpoint_auth_method: 'client_secret_post',
        application_type: 'native',
      },
    ],
  });
  const google = await startTestProvider({
    flavor: 'google',
    users: Object.values(GOOGLE_USERS),
    clients: [
      {
        client_id: GOOGLE_WEB_CLIENT_ID,
        client_secret: googleSecret,
        redirect_uris: [`${TEST_PUBLIC_URL}/v1/federation/google/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        client_id: GOOGLE_ANDROID_CLIENT_ID,
        redirect_uris: [GOOGLE_NATIVE_REDIRECT],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      },
      {
        client_id: FOREIGN_CLIENT_ID,
        redirect_uris: [FOREIGN_REDIRECT],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      },
    ],
  });
  return {
    apple,
    google,
    team,
    googleSecretFile,
    googleSecret,
    async close() {
      await Promise.all([apple.close(), google.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `federation` configuration of a Portcullis that trusts both test providers. */
export function federationConfig(fixture: FederationFixture, extra: NonNullable<ConfigOverrides['federation']> = {}): ConfigOverrides {
  return {
    federation: {
      ...extra,
      providers: {
        apple: {
          kind: 'apple',
          issuer: fixture.apple.issuer,
          clientId: APPLE_SERVICES_ID,
          audiences: [APPLE_BUNDLE_ID],
          apple: { teamId: fixture.team.teamId, keyId: fixture.team.keyId, privateKeyFile: fixture.team.keyFile },
          returnUrls: [APP_RETURN_URL, NATIVE_RETURN_URL],
        },
        google: {
          kind: 'google',
          issuer: fixture.google.issuer,
          clientId: GOOGLE_WEB_CLIENT_ID,
          audiences: [GOOGLE_ANDROID_CLIENT_ID],
          clientSecretFile: fixture.googleSecretFile,
          returnUrls: [APP_RETURN_URL, NATIVE_RETURN_URL],
        },
        ...extra.providers,
      },
    },
  };
}

export async function buildFederationApp(
  fixture: FederationFixture,
  options: { readonly dialect?: TestDialect; readonly config?: ConfigOverrides; readonly logLines?: string[] } = {},
): Promise<App> {
  return buildTestApp({
    ...(options.dialect ? { dialect: options.dialect } : {}),
    ...(options.logLines ? { logLines: options.logLines } : {}),
    config: { ...options.config, ...federationConfig(fixture, options.config?.federation) },
  });
}

/**
 * Registers the hooks every federation suite needs: one provider fixture for the suite, a fresh
 * app (on `dialect`) for each test, both closed afterwards. `use` receives them before each test.
 *
 * @example
 * let fixture: FederationFixture;
 * let app: App;
 * useFederationApp(dialect, (current) => ({ fixture, app } = current));
 */
export function useFederationApp(dialect: TestDialect, use: (current: { fixture: FederationFixture; app: App }) => void): void {
  let fixture: FederationFixture | undefined;
  let app: App | undefined;
  beforeAll(async () => {
    fixture = await startFederationFixture();
  });
  afterAll(() => fixture?.close());
  beforeEach(async () => {
    if (!fixture) throw new Error('the federation fixture did not start');
    app = await buildFederationApp(fixture, { dialect });
    use({ fixture, app });
  });
  afterEach(() => app?.close());
}

/** The app's own PKCE pair for the exchange code (RFC 7636 S256). */
export function newPkce(): { readonly verifier: string; readonly challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function startPath(
  provider: string,
  options: { readonly returnTo?: string; readonly challenge: string; readonly dpopJkt?: string },
): string {
  const query = new URLSearchParams({
    returnTo: options.returnTo ?? APP_RETURN_URL,
    codeChallenge: options.challenge,
    codeChallengeMethod: 'S256',
  });
  if (options.dpopJkt !== undefined) query.set('dpopJkt', options.dpopJkt);
  return `/v1/federation/${provider}/start?${query.toString()}`;
}

/** Signs in at the provider's login page (and consents when asked) until the browser leaves the provider. */
export async function loginAtProvider(browser: TestBrowser, landing: Landing, user: TestUser): Promise<Landing> {
  let current = landing;
  if (current.external || !current.forms.some((form) => 'password' in form.fields)) {
    throw new Error(
      `expected the provider's login page, got ${current.url.href} (${String(current.status)}): ${current.body.slice(0, 300)}`,
    );
  }
  current = await browser.submit(current, 0, { login: user.id, password: user.password });
  if (!current.external && current.url.pathname.startsWith('/interaction/') && current.body.includes('/confirm')) {
    current = await browser.submit(current, 0);
  }
  return current;
}

/** The whole web flow, from `start` to the app's return URL. */
export async function webSignIn(
  browser: TestBrowser,
  provider: string,
  user: TestUser,
  options: { readonly returnTo?: string; readonly challenge: string; readonly dpopJkt?: string },
): Promise<Landing> {
  const atProvider = await browser.open(`${TEST_PUBLIC_URL}${startPath(provider, options)}`);
  return loginAtProvider(browser, atProvider, user);
}

/**
 * A native ID token issued by the real provider for `clientId`, as the platform SDK would hand it
 * to the app. Apple flavour: the hybrid `code id_token` response (the app gets an authorization
 * code too). Google flavour: code + PKCE as a public client, then the token request.
 */
export async function nativeIdToken(
  app: App,
  provider: TestProvider,
  user: TestUser,
  options: { readonly nonce: string; readonly clientId?: string; readonly redirectUri?: string },
): Promise<{ readonly idToken: string; readonly code?: string }> {
  const browser = new TestBrowser(app);
  const apple = provider.flavor === 'apple';
  const clientId = options.clientId ?? (apple ? APPLE_BUNDLE_ID : GOOGLE_ANDROID_CLIENT_ID);
  const redirectUri = options.redirectUri ?? (apple ? APPLE_NATIVE_REDIRECT : GOOGLE_NATIVE_REDIRECT);
  const pkce = newPkce();
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid email',
    nonce: options.nonce,
    state: randomBytes(8).toString('hex'),
    response_type: apple ? 'code id_token' : 'code',
    ...(apple ? {} : { code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
  });
  const landing = await loginAtProvider(browser, await browser.open(`${provider.issuer}/auth?${query.toString()}`), user);
  if (!landing.external) throw new Error(`native flow did not reach the app: ${landing.url.href} ${landing.body.slice(0, 300)}`);
  const params = new URLSearchParams(apple ? landing.url.hash.slice(1) : landing.url.search);
  const code = params.get('code') ?? undefined;
  if (apple) {
    const idToken = params.get('id_token');
    if (!idToken) throw new Error(`no id_token in ${landing.url.href}`);
    return { idToken, ...(code ? { code } : {}) };
  }
  const response = await fetch(`${provider.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code ?? '',
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: pkce.verifier,
    }),
  });
  const tokens = (await response.json()) as { id_token?: string; error?: string };
  if (!tokens.id_token) throw new Error(`token request failed: ${tokens.error ?? response.status}`);
  return { idToken: tokens.id_token };
}

/** Claims as the provider would put them in an ID token for `audience`, for tokens signed with the provider's own key. */
export function idTokenClaims(provider: TestProvider, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: provider.issuer,
    aud: provider.flavor === 'apple' ? APPLE_BUNDLE_ID : GOOGLE_ANDROID_CLIENT_ID,
    sub: `forged-${randomBytes(4).toString('hex')}`,
    iat: now,
    exp: now + 600,
    email: `${randomBytes(4).toString('hex')}@example.test`,
    email_verified: true,
    ...overrides,
  };
}

/** A fresh raw nonce as an app generates it. */
export function rawNonce(): string {
  return randomBytes(24).toString('base64url');
}

/** What an Apple-convention app passes to Apple: hex SHA-256 of the raw nonce. */
export function appleNonceFor(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}
