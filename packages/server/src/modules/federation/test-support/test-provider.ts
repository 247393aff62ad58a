/**
 * @module modules/federation/test-support/test-provider
 *
 * A real OpenID provider for the federation tests: `oidc-provider` on 127.0.0.1, configured to
 * behave like Sign in with Apple or like Google. Nothing in Portcullis is bypassed: discovery,
 * JWKS, authorization, interactions (a small login/consent handler with test users and
 * passwords), token and revocation endpoints are the provider's own.
 *
 * Apple flavour:
 * - `response_mode=form_post`, and the `user` JSON (name) added to the posted form on the first
 *   authorization of a person for a client only, as Apple does;
 * - client authentication with an ES256 client-secret JWT (`iss` team id, `sub` client id, `aud`
 *   issuer, `kid` key id, lifetime ≤ 6 months), verified with the team's public key — oidc-provider's
 *   `compareClientSecret` is replaced for that, so a wrong or expired JWT is refused by the provider;
 * - `email_verified` / `is_private_email` as the strings "true"/"false";
 * - a native client with the hybrid `code id_token` response (an app gets both, as from
 *   ASAuthorization), and refresh tokens for every code so revocation can be exercised.
 *
 * Google flavour: `response_mode=query`, `client_secret_post` with a static secret, boolean claims,
 * and a public native client (PKCE) standing in for the Android app.
 *
 * The helper also signs arbitrary JWTs with the provider's own signing key (`sign`), for the
 * negative cases a real provider would never issue (wrong `iss`, expired, bad nonce) and for
 * Apple's server-to-server notifications.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, randomUUID, sign as signBytes, type KeyObject } from 'node:crypto';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { jwtVerify } from 'jose';

export type ProviderFlavor = 'apple' | 'google';

export interface TestUser {
  /** Login name, also the `sub`. */
  readonly id: string;
  readonly password: string;
  readonly claims: Readonly<Record<string, unknown>>;
  /** Apple flavour: the name sent in the `user` form parameter on first authorization. */
  readonly name?: { readonly firstName: string; readonly lastName: string };
}

export interface TestClient {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly redirect_uris: readonly string[];
  readonly response_types: readonly string[];
  readonly grant_types: readonly string[];
  readonly token_endpoint_auth_method: 'client_secret_post' | 'client_secret_basic' | 'none';
  readonly application_type?: 'web' | 'native';
}

export interface AppleTeam {
  readonly teamId: string;
  readonly keyId: string;
  readonly publicKey: KeyObject;
}

export interface TestProviderOptions {
  readonly flavor: ProviderFlavor;
  readonly users: readonly TestUser[];
  readonly clients: readonly TestClient[];
  /** Apple flavour: whose ES256 client secrets the provider accepts. */
  readonly appleTeam?: AppleTeam;
}

export interface SignOptions {
  /** Header `kid`; defaults to the provider's key id. */
  readonly kid?: string;
  /** Header `alg`; `none` produces an unsigned token. */
  readonly alg?: 'RS256' | 'none';
  /** Sign with another RSA key (e.g. one the JWKS does not contain). */
  readonly key?: KeyObject;
}

export interface RequestLog {
  readonly jwks: number;
  readonly token: number;
  readonly revocation: { readonly status: number }[];
}

export interface TestProvider {
  readonly flavor: ProviderFlavor;
  readonly issuer: string;
  readonly discoveryUrl: string;
  readonly keyId: string;
  readonly requests: RequestLog;
  /** Client secrets presented to the token and revocation endpoints (Apple flavour: the JWTs). */
  readonly clientSecretsSeen: readonly string[];
  /** Grants the provider revoked (through the revocation endpoint or otherwise). */
  readonly revokedGrants: readonly string[];
  /**
   * Registers one more redirect URI for a client, as a developer adds one in the provider's
   * console: for a Portcullis whose URL is known only after the provider started (a server on a
   * free port).
   */
  allowRedirectUri(clientId: string, uri: string): void;
  /** Signs `claims` as this provider would (RS256 with its own key unless told otherwise). */
  sign(claims: Record<string, unknown>, options?: SignOptions): string;
  close(): Promise<void>;
}

const APPLE_MAX_SECRET_LIFETIME_SECONDS = 15_777_000;

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function htmlEscape(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function signJwt(claims: Record<string, unknown>, key: KeyObject, header: Record<string, unknown>): string {
  const input = `${base64url(header)}.${base64url(claims)}`;
  if (header['alg'] === 'none') return `${input}.`;
  return `${input}.${signBytes('sha256', Buffer.from(input), key).toString('base64url')}`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function page(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE html><html><body>${body}</body></html>`);
}

/** Login and consent pages in the simplest HTML a test browser can submit. */
function loginPage(uid: string, error?: string): string {
  return `${error ? `<p class="error">${htmlEscape(error)}</p>` : ''}<form method="post" action="/interaction/${uid}/login">
<input type="text" name="login" value=""><input type="password" name="password" value=""><button type="submit">Sign in</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`;
}

function consentPage(uid: string): string {
  return `<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Continue</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`;
}

export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = `test-${options.flavor}-${randomBytes(4).toString('hex')}`;
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${String(port)}`;
  const apple = options.flavor === 'apple';
  const requests = { jwks: 0, token: 0, revocation: [] as { status: number }[] };
  const clientSecretsSeen: string[] = [];
  const revokedGrants: string[] = [];
  const usersById = new Map(options.users.map((user) => [user.id, user]));
  /** Apple sends the name once per person and client: remembered here. */
  const namedOnce = new Set<string>();

  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({
      ...client,
      ...(apple && client.token_endpoint_auth_method !== 'none' ? { client_secret: `apple-jwt-only-${randomUUID()}` } : {}),
    })),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: keyId, alg: 'RS256', use: 'sig' }] },
    findAccount: (_ctx: unknown, id: string) => {
      const user = usersById.get(id);
      return user ? { accountId: id, claims: () => ({ sub: id, ...user.claims }) } : undefined;
    },
    scopes: ['openid', 'email', 'profile', 'name', 'offline_access'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified', 'is_private_email'],
      profile: ['name', 'given_name', 'family_name'],
      name: [],
    },
    // Apple and Google put the requested claims in the ID token itself.
    conformIdTokenClaims: false,
    responseTypes: ['code', 'code id_token'],
    features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    cookies: { keys: [randomBytes(16).toString('hex')] },
    pkce: { required: () => false },
    clockTolerance: 5,
    ttl: { AuthorizationCode: 60, IdToken: 600, AccessToken: 600, RefreshToken: 86_400, Interaction: 600, Session: 3600, Grant: 3600 },
  });

  if (apple && options.appleTeam) {
    const team = options.appleTeam;
    // Apple authenticates clients with an ES256 JWT sent as `client_secret` (not RFC 7523's
    // client_assertion). Verify exactly what Apple checks, with the team's public key.
    provider.Client.prototype.compareClientSecret = async function compareAppleClientSecret(actual: string): Promise<boolean> {
      clientSecretsSeen.push(actual);
      try {
        const { payload, protectedHeader } = await jwtVerify(actual, team.publicKey, {
          algorithms: ['ES256'],
          issuer: team.teamId,
          audience: issuer,
          subject: this.clientId,
          requiredClaims: ['iat', 'exp'],
        });
        return protectedHeader.kid === team.keyId && (payload.exp ?? 0) - (payload.iat ?? 0) <= APPLE_MAX_SECRET_LIFETIME_SECONDS;
      } catch {
        return false;
      }
    };
  }

  const laterRedirects = new Map<string, Set<string>>();
  const registeredRedirect = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value: string): boolean {
    return laterRedirects.get(this.clientId)?.has(value) === true || registeredRedirect.call(this, value);
  };

  provider.on('grant.revoked', (...args: unknown[]) => {
    revokedGrants.push(String(args[1]));
  });

  if (apple) {
    // Sign in with Apple adds `user` (name and email, unsigned JSON) to the form it posts back,
    // on a person's first authorization for the client only.
    provider.use(async (ctx: KoaContextWithOIDC, next) => {
      await next();
      const accountId = ctx.oidc?.session?.accountId;
      const clientId = ctx.oidc?.client?.clientId;
      if (typeof ctx.body !== 'string' || !ctx.body.includes('<title>Submitting Callback</title>') || !accountId || !clientId) return;
      const user = usersById.get(accountId);
      const once = `${accountId}\0${clientId}`;
      if (!user?.name || namedOnce.has(once) || !ctx.body.includes('name="code"')) return;
      namedOnce.add(once);
      const json = JSON.stringify({ name: user.name, email: user.claims['email'] });
      ctx.body = ctx.body.replace('<noscript>', `<input type="hidden" name="user" value="${htmlEscape(json)}"/>\n    <noscript>`);
    });
  }

  const handleInteraction = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const [, , uid = '', action] = path.split('/');
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (req.method === 'GET') {
      page(res, details.prompt.name === 'login' ? loginPage(uid) : consentPage(uid));
      return;
    }
    const form = await readForm(req);
    if (action === 'abort') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (action === 'login') {
      const user = usersById.get(form.get('login') ?? '');
      if (!user || user.password !== form.get('password')) {
        page(res, loginPage(uid, 'Wrong login or password'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: user.id } }, { mergeWithLastSubmission: false });
      return;
    }
    const session = details.session;
    if (action !== 'confirm' || !session) throw new Error('unexpected interaction');
    const grant = new provider.Grant({ accountId: session.accountId, clientId: details.params.client_id });
    const { missingOIDCScope, missingOIDCClaims } = details.prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  };

  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (path === '/jwks') requests.jwks++;
    if (path === '/token') requests.token++;
    if (path === '/token/revocation') res.on('finish', () => requests.revocation.push({ status: res.statusCode }));
    if (path.startsWith('/interaction/')) {
      handleInteraction(req, res, path).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(error instanceof Error ? error.message : 'interaction failed');
      });
      return;
    }
    callback(req, res);
  });

  return {
    flavor: options.flavor,
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    keyId,
    requests,
    clientSecretsSeen,
    revokedGrants,
    allowRedirectUri(clientId, uri) {
      const uris = laterRedirects.get(clientId) ?? new Set<string>();
      uris.add(uri);
      laterRedirects.set(clientId, uris);
    },
    sign(claims, signOptions = {}) {
      const alg = signOptions.alg ?? 'RS256';
      return signJwt(claims, signOptions.key ?? privateKey, { alg, kid: signOptions.kid ?? keyId });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
