/**
 * @module modules/federation/providers/provider
 *
 * One configured provider at run time: its discovery document (fetched on first use, not at
 * start-up, so an unreachable provider never stops the server), an openid-client
 * `Configuration` per client id (Apple native codes belong to the bundle id, web codes to the
 * Services ID), and its signing keys. openid-client and jose are loaded on that first use too.
 *
 * Keys come from jose's remote key set: cached for `jwksMaxAgeSeconds`, fetched again when a
 * token names a `kid` the cache lacks, but at most once per `jwksCooldownSeconds` — a stream of
 * tokens with invented key ids cannot become a stream of requests to the provider.
 *
 * The discovery document must name the configured issuer exactly (OIDC Discovery section 4.3,
 * ASVS V10.5.3), or the provider is treated as unavailable: a document that claims another
 * issuer is either a misconfiguration or an impersonation attempt.
 */
import type { JWTVerifyGetKey } from 'jose';
import type * as oidc from 'openid-client';
import { appError } from '../../../platform/errors/app-error.ts';
import { createAppleClientSecrets } from '../apple/client-secret.ts';
import { loadJose, loadOpenIdClient } from '../libraries.ts';
import { providerUrlProblem, type ProviderSettings } from './settings.ts';

export interface ProviderTimings {
  readonly httpTimeoutMs: number;
  readonly jwksCooldownSeconds: number;
  readonly jwksMaxAgeSeconds: number;
}

export interface Provider {
  readonly settings: ProviderSettings;
  /** The verified discovery document. @throws AppError FEDERATION_PROVIDER_UNAVAILABLE */
  metadata(): Promise<oidc.ServerMetadata>;
  /** A relying-party configuration that authenticates as `clientId` (default: the web client id). */
  client(clientId?: string): Promise<oidc.Configuration>;
  /** The provider's signing keys, for `jwtVerify`. */
  keys(): Promise<JWTVerifyGetKey>;
  /** Issuer values accepted in `iss` (Google also writes it without the scheme). */
  readonly issuers: readonly string[];
}

/** A failed discovery is retried at most this often, so an outage is not hammered by every sign-in. */
const DISCOVERY_RETRY_MS = 5_000;

/** What every request to the provider is made with: openid-client, client authentication and extensions. */
interface RequestSetup {
  readonly openid: typeof oidc;
  readonly auth: oidc.ClientAuth | undefined;
  readonly execute: ((configuration: oidc.Configuration) => void)[];
}

function clientAuthentication(openid: typeof oidc, settings: ProviderSettings, now: () => number): oidc.ClientAuth | undefined {
  const credentials = settings.credentials;
  if (!credentials) return undefined;
  if (credentials.kind === 'secret') {
    return credentials.method === 'client_secret_basic'
      ? openid.ClientSecretBasic(credentials.secret)
      : openid.ClientSecretPost(credentials.secret);
  }
  const secrets = createAppleClientSecrets({ credentials: credentials.apple, audience: settings.issuer, now });
  // Apple takes its JWT as a plain `client_secret` form parameter (client_secret_post shape).
  return (_server, client, body) => {
    body.set('client_id', client.client_id);
    body.set('client_secret', secrets.secretFor(client.client_id));
  };
}

export function createProvider(
  settings: ProviderSettings,
  options: { readonly timings: ProviderTimings; readonly now: () => number },
): Provider {
  const { timings } = options;
  let setup: Promise<RequestSetup> | undefined;
  let discovered: Promise<oidc.ServerMetadata> | undefined;
  let failedAt = -Infinity;
  const clients = new Map<string, oidc.Configuration>();
  let keySet: JWTVerifyGetKey | undefined;

  function requestSetup(): Promise<RequestSetup> {
    setup ??= loadOpenIdClient().then((openid) => ({
      openid,
      auth: clientAuthentication(openid, settings, options.now),
      // Plain HTTP is reachable only for loopback providers outside production (settings.ts): test providers.
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- deliberate, see above
      execute: settings.allowInsecureHttp ? [openid.allowInsecureRequests] : [],
    }));
    return setup;
  }

  async function discover(): Promise<oidc.ServerMetadata> {
    const { openid, auth, execute } = await requestSetup();
    let configuration: oidc.Configuration;
    try {
      configuration = await openid.discovery(settings.discoveryUrl, settings.clientId, undefined, auth, {
        execute,
        timeout: Math.ceil(timings.httpTimeoutMs / 1000),
      });
    } catch (cause) {
      throw appError('FEDERATION_PROVIDER_UNAVAILABLE', { detail: `discovery of ${settings.id} failed`, cause });
    }
    // A plain copy: the helpers openid-client attaches are not metadata.
    const metadata = JSON.parse(JSON.stringify(configuration.serverMetadata())) as oidc.ServerMetadata;
    if (metadata.issuer !== settings.issuer) {
      throw appError('FEDERATION_PROVIDER_UNAVAILABLE', { detail: `discovery document of ${settings.id} names another issuer` });
    }
    // An operator-set revocation endpoint wins over the document's (e.g. a proxy in front of Apple).
    return settings.revocationUrl === undefined ? metadata : { ...metadata, revocation_endpoint: settings.revocationUrl };
  }

  function metadata(): Promise<oidc.ServerMetadata> {
    if (discovered === undefined) {
      if (options.now() - failedAt < DISCOVERY_RETRY_MS) {
        return Promise.reject(appError('FEDERATION_PROVIDER_UNAVAILABLE', { detail: `discovery of ${settings.id} failed recently` }));
      }
      const attempt = discover();
      discovered = attempt;
      attempt.catch(() => {
        discovered = undefined;
        failedAt = options.now();
      });
    }
    return discovered;
  }

  const provider: Provider = {
    settings,
    issuers:
      settings.kind === 'google' && settings.issuer === 'https://accounts.google.com'
        ? [settings.issuer, 'accounts.google.com']
        : [settings.issuer],
    metadata,
    async client(clientId = settings.clientId) {
      const server = await metadata();
      const { openid, auth, execute } = await requestSetup();
      const cached = clients.get(clientId);
      if (cached) return cached;
      const configuration = new openid.Configuration(server, clientId, undefined, auth);
      for (const extension of execute) extension(configuration);
      configuration.timeout = Math.ceil(timings.httpTimeoutMs / 1000);
      clients.set(clientId, configuration);
      return configuration;
    },
    async keys() {
      if (keySet) return keySet;
      const jwksUri = (await metadata()).jwks_uri;
      const problem = jwksUri === undefined ? 'is missing' : providerUrlProblem(jwksUri, { production: !settings.allowInsecureHttp });
      if (jwksUri === undefined || problem) {
        throw appError('FEDERATION_PROVIDER_UNAVAILABLE', { detail: `jwks_uri of ${settings.id} ${problem ?? 'is unusable'}` });
      }
      const { createRemoteJWKSet } = await loadJose();
      keySet = createRemoteJWKSet(new URL(jwksUri), {
        timeoutDuration: timings.httpTimeoutMs,
        cooldownDuration: timings.jwksCooldownSeconds * 1000,
        cacheMaxAge: timings.jwksMaxAgeSeconds * 1000,
      });
      return keySet;
    },
  };
  return provider;
}

/** Every configured provider by id. */
export type ProviderRegistry = ReadonlyMap<string, Provider>;

export function createProviderRegistry(
  settings: readonly ProviderSettings[],
  options: { readonly timings: ProviderTimings; readonly now: () => number },
): ProviderRegistry {
  return new Map(settings.map((entry) => [entry.id, createProvider(entry, options)]));
}
