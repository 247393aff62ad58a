/**
 * @module modules/federation/providers/settings
 *
 * Turns `federation.providers` into resolved, checked settings at start-up: defaults per kind
 * (Apple and Google issuers, response modes, nonce conventions), secrets read from their files,
 * and every rule the schema cannot express. A provider that is misconfigured stops the server
 * from starting with a `TypeError` listing every problem, never a sign-in that half works.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../../../config/schema.ts';

type ProviderConfig = Config['federation']['providers'][string];
export type ProviderKind = ProviderConfig['kind'];

/** Which claim carries which attribute, defaults applied. */
export interface ClaimMapping {
  readonly subject: string;
  readonly email: string;
  readonly emailVerified: string;
  readonly givenName: string;
  readonly familyName: string;
}

// The schema documents these defaults, but TypeBox does not apply defaults inside a record, so they are applied here.
const DEFAULT_CLAIMS: ClaimMapping = {
  subject: 'sub',
  email: 'email',
  emailVerified: 'email_verified',
  givenName: 'given_name',
  familyName: 'family_name',
};
const DEFAULT_ALGORITHMS = ['RS256', 'ES256'] as const;
const DEFAULT_APPLE_SECRET_TTL_SECONDS = 3600;

export interface AppleCredentials {
  readonly teamId: string;
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly clientSecretTtlSeconds: number;
}

/** How the server authenticates to the provider's token and revocation endpoints. */
export type ClientCredentials =
  | { readonly kind: 'apple-jwt'; readonly apple: AppleCredentials }
  | { readonly kind: 'secret'; readonly secret: string; readonly method: 'client_secret_post' | 'client_secret_basic' };

export interface ProviderSettings {
  readonly id: string;
  readonly kind: ProviderKind;
  readonly issuer: string;
  readonly discoveryUrl: URL;
  /** Client id of the web flow; always an accepted audience. */
  readonly clientId: string;
  /** Every accepted `aud` (and `azp`) value: the web client id, bundle ids, platform client ids. */
  readonly audiences: readonly string[];
  /** Absent when the provider offers the native flow only (no secret configured). */
  readonly credentials: ClientCredentials | undefined;
  readonly scopes: readonly string[];
  readonly responseMode: 'query' | 'form_post';
  readonly redirectUrl: string;
  readonly returnUrls: ReadonlySet<string>;
  readonly nativeNonce: 'raw' | 'sha256-hex';
  readonly algorithms: readonly string[];
  readonly revocationUrl: string | undefined;
  readonly claims: ClaimMapping;
  /** Plain-HTTP provider URLs are allowed only on loopback outside production (test providers). */
  readonly allowInsecureHttp: boolean;
}

const DEFAULT_ISSUERS: Readonly<Partial<Record<ProviderKind, string>>> = {
  apple: 'https://appleid.apple.com',
  google: 'https://accounts.google.com',
};

const DEFAULT_SCOPES: Readonly<Record<ProviderKind, readonly string[]>> = {
  // Apple returns name and email only when asked, and then only with response_mode=form_post.
  apple: ['openid', 'email', 'name'],
  google: ['openid', 'email', 'profile'],
  oidc: ['openid', 'email', 'profile'],
};

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Schemes that can never be a safe place to send a one-time code. */
const FORBIDDEN_RETURN_SCHEMES = new Set([
  'javascript:',
  'data:',
  'file:',
  'vbscript:',
  'blob:',
  'about:',
  'ftp:',
  'ws:',
  'wss:',
  'filesystem:',
]);

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Provider endpoints must be `https:`. Outside production, `http:` on a loopback address is
 * allowed so that tests can run a real OpenID provider on 127.0.0.1.
 */
export function providerUrlProblem(value: string, options: { readonly production: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopback(url) && !options.production) return undefined;
  return options.production ? 'must use https://' : 'must use https:// (http:// only on loopback outside production)';
}

/** Return URLs: `https:` pages, or an app's own scheme; never a script or file scheme, never a fragment. */
export function returnUrlProblem(value: string, options: { readonly production: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (FORBIDDEN_RETURN_SCHEMES.has(url.protocol)) return `must not use ${url.protocol}`;
  if (url.protocol === 'http:' && !(isLoopback(url) && !options.production)) return 'must use https:// (or the app’s own scheme)';
  return undefined;
}

/** Where the reference web app, served at `publicUrl`, finishes a web sign-in. */
export function webAppReturnUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/$/, '')}/federation/return`;
}

function readSecretFile(file: string, problems: string[], label: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (text === '') problems.push(`${label}: the file is empty`);
    return text;
  } catch {
    problems.push(`${label}: the file cannot be read`);
    return undefined;
  }
}

function readAppleKey(file: string, problems: string[], label: string): KeyObject | undefined {
  const pem = readSecretFile(file, problems, label);
  if (pem === undefined) return undefined;
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      problems.push(`${label}: must be a P-256 (ES256) private key as downloaded from Apple`);
      return undefined;
    }
    return key;
  } catch {
    problems.push(`${label}: is not a PEM private key`);
    return undefined;
  }
}

function resolveCredentials(id: string, provider: ProviderConfig, problems: string[]): ClientCredentials | undefined {
  const at = `federation.providers.${id}`;
  if (provider.kind === 'apple') {
    if (!provider.apple) {
      problems.push(`${at}.apple: teamId, keyId and privateKeyFile are required for kind "apple"`);
      return undefined;
    }
    const privateKey = readAppleKey(provider.apple.privateKeyFile, problems, `${at}.apple.privateKeyFile`);
    if (!privateKey) return undefined;
    return {
      kind: 'apple-jwt',
      apple: {
        teamId: provider.apple.teamId,
        keyId: provider.apple.keyId,
        privateKey,
        clientSecretTtlSeconds: provider.apple.clientSecretTtlSeconds ?? DEFAULT_APPLE_SECRET_TTL_SECONDS,
      },
    };
  }
  if (provider.apple) problems.push(`${at}.apple: only allowed for kind "apple"`);
  if (provider.clientSecretFile === undefined) return undefined;
  const secret = readSecretFile(provider.clientSecretFile, problems, `${at}.clientSecretFile`);
  return secret === undefined ? undefined : { kind: 'secret', secret, method: provider.clientAuthMethod ?? 'client_secret_post' };
}

/**
 * Resolves and checks every configured provider.
 *
 * @throws {TypeError} listing every problem at once (misconfiguration stops the start-up).
 */
export function resolveProviderSettings(config: Pick<Config, 'federation' | 'publicUrl' | 'environment' | 'web'>): ProviderSettings[] {
  const problems: string[] = [];
  const production = config.environment === 'production';
  // The web app served on the API's own origin may always be returned to: it is this server's page.
  const ownReturnUrls = config.web.enabled ? [webAppReturnUrl(config.publicUrl)] : [];
  const resolved: ProviderSettings[] = [];
  for (const [id, provider] of Object.entries(config.federation.providers)) {
    const at = `federation.providers.${id}`;
    const issuer = provider.issuer ?? DEFAULT_ISSUERS[provider.kind];
    if (issuer === undefined) {
      problems.push(`${at}.issuer: required for kind "oidc"`);
      continue;
    }
    const urlChecks: [string, string | undefined][] = [
      ['issuer', issuer],
      ['discoveryUrl', provider.discoveryUrl],
      ['redirectUrl', provider.redirectUrl],
      ['revocationUrl', provider.revocationUrl],
    ];
    const before = problems.length;
    for (const [field, value] of urlChecks) {
      const problem = value === undefined ? undefined : providerUrlProblem(value, { production });
      if (problem) problems.push(`${at}.${field}: ${problem}`);
    }
    if (problems.length > before) continue;
    const returnUrls = provider.returnUrls ?? [];
    for (const returnUrl of returnUrls) {
      const problem = returnUrlProblem(returnUrl, { production });
      if (problem) problems.push(`${at}.returnUrls: "${returnUrl}" ${problem}`);
    }
    const responseMode = provider.responseMode ?? (provider.kind === 'apple' ? 'form_post' : 'query');
    const scopes = provider.scopes ?? DEFAULT_SCOPES[provider.kind];
    if (!scopes.includes('openid')) problems.push(`${at}.scopes: must include "openid"`);
    if (provider.kind === 'apple' && responseMode !== 'form_post' && scopes.some((scope) => scope === 'name' || scope === 'email')) {
      problems.push(`${at}.responseMode: Apple requires "form_post" when the name or email scope is requested`);
    }
    const credentials = resolveCredentials(id, provider, problems);
    resolved.push({
      id,
      kind: provider.kind,
      issuer,
      discoveryUrl: new URL(provider.discoveryUrl ?? `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`),
      clientId: provider.clientId,
      audiences: [...new Set([provider.clientId, ...(provider.audiences ?? [])])],
      credentials,
      scopes,
      responseMode,
      redirectUrl: provider.redirectUrl ?? `${config.publicUrl}/v1/federation/${id}/callback`,
      returnUrls: new Set([...returnUrls, ...ownReturnUrls]),
      nativeNonce: provider.nativeNonce ?? (provider.kind === 'apple' ? 'sha256-hex' : 'raw'),
      algorithms: provider.idTokenAlgorithms ?? DEFAULT_ALGORITHMS,
      revocationUrl: provider.revocationUrl,
      claims: { ...DEFAULT_CLAIMS, ...provider.claims },
      allowInsecureHttp: !production,
    });
  }
  if (problems.length > 0) throw new TypeError(`Invalid federation configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return resolved;
}
