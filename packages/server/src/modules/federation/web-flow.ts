/**
 * @module modules/federation/web-flow
 *
 * The browser redirect flow (authorization code + PKCE + state + nonce), as a state machine
 * with two transitions (diagram in docs/federation.md):
 *
 *   started ──(provider answers at the callback, checks pass)──▶ exchange code issued ──▶ redeemed by the app
 *      │                                         │
 *      └── expired / replayed / foreign ─────────┴──▶ refused (flow row already deleted)
 *
 * `start` stores a flow row keyed by SHA-256 of a fresh `state`, with the hash of a browser
 * binding cookie, the app's return URL (exact allow-list match) and the app's own PKCE
 * challenge, then sends the browser to the provider. The callback consumes the row (single use,
 * atomic), and only if the row is fresh, was started for this provider (each provider has its
 * own callback URL — a mix-up defence, RFC 9700 section 4.4.2), arrived in the configured
 * response mode, and the browser presents the binding cookie, does it redeem the code at the
 * provider with the derived PKCE verifier and check the ID token (signature, iss, aud, exp,
 * nonce). Problems before that point are answered here (there is no trustworthy place to
 * redirect to); after it, the browser is sent back to the app with `error=<CODE>`.
 */
import { FEDERATION_RETURN_PARAMS, type ErrorCode, type FederationProvider } from '@portcullis/protocol';
import type * as oidc from 'openid-client';
import { constantTimeEqual, randomBase64Url } from '../../platform/crypto/index.ts';
import { AppError, appError } from '../../platform/errors/app-error.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { FederationDeps } from './deps.ts';
import { sha256Base64Url } from './digest.ts';
import { failureReasonOf } from './failure-reason.ts';
import { identityFromClaims, parseAppleUser } from './identity/claims.ts';
import { verifyProviderJwt } from './identity/verify-id-token.ts';
import { profileOf, type VerifiedIdentity } from './identity/verified-identity.ts';
import { loadOpenIdClient } from './libraries.ts';
import { providerById } from './native-flow.ts';
import { providerListing } from './providers/listing.ts';
import type { Provider } from './providers/provider.ts';
import { providerFailure } from './providers/provider-errors.ts';
import * as repo from './repository.ts';
import { tokenBinding } from './token-vault.ts';
import {
  bindingHash,
  clearBindingCookie,
  newBindingValue,
  readBindingCookie,
  setBindingCookie,
  type BindingSameSite,
} from './web/browser-binding.ts';
import { issueExchangeCode } from './web/exchange-codes.ts';

export interface StartInput {
  readonly provider: string;
  readonly returnTo: string;
  readonly codeChallenge: string;
  readonly dpopJkt?: string | undefined;
}

export interface CallbackInput {
  readonly provider: string;
  readonly method: 'GET' | 'POST';
  readonly params: Readonly<Record<string, unknown>>;
  readonly cookieHeader: string | undefined;
}

/** Where to send the browser, and the cookie header to set. */
export interface BrowserStep {
  readonly location: string;
  readonly setCookie: string;
  /** Why the flow ended in an error redirect, for the operator's log (code and detail only). */
  readonly failure?: AppError;
}

/** Parameters of an authorization response (RFC 6749 4.1.2, RFC 9207 `iss`); everything else a provider adds is dropped. */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri'] as const;

function sameSiteOf(provider: Provider): BindingSameSite {
  return provider.settings.responseMode === 'form_post' ? 'None' : 'Lax';
}

function webProvider(deps: FederationDeps, id: string): Provider {
  const provider = providerById(deps, id);
  if (!provider.settings.credentials)
    throw appError('FEDERATION_PROVIDER_UNKNOWN', { detail: 'provider has no web flow (no client secret)' });
  return provider;
}

/** The providers that offer the web flow, in the order a sign-in page shows their buttons. */
export function webFlowProviders(deps: FederationDeps): FederationProvider[] {
  return providerListing([...deps.providers.values()].filter((provider) => provider.settings.credentials).map(({ settings }) => settings));
}

function withParams(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return target.href;
}

/** `GET /v1/federation/:provider/start`: records the flow and sends the browser to the provider. */
export async function startWebFlow(deps: FederationDeps, input: StartInput): Promise<BrowserStep> {
  const provider = webProvider(deps, input.provider);
  const { settings } = provider;
  if (!settings.returnUrls.has(input.returnTo)) throw appError('FEDERATION_RETURN_URL_INVALID', { detail: 'return URL not allow-listed' });
  const state = randomBase64Url(32);
  const binding = newBindingValue();
  const { nonce, codeVerifier } = deps.flowSecrets.derive(state);
  const client = await provider.client();
  const openid = await loadOpenIdClient();
  const authorizationUrl = openid.buildAuthorizationUrl(client, {
    response_type: 'code',
    redirect_uri: settings.redirectUrl,
    scope: settings.scopes.join(' '),
    state,
    nonce,
    code_challenge: await openid.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(settings.responseMode === 'form_post' ? { response_mode: 'form_post' } : {}),
  });
  const now = deps.clock.now();
  await repo.insertFlow(deps.db, {
    id: sha256Base64Url(state),
    provider: settings.id,
    binding_hash: binding.hash,
    return_url: input.returnTo,
    code_challenge: input.codeChallenge,
    dpop_jkt: input.dpopJkt ?? null,
    created_at: now,
    expires_at: now + deps.limits.flowTtlSeconds * 1000,
  });
  return {
    location: authorizationUrl.href,
    setCookie: setBindingCookie(settings.id, binding.value, { sameSite: sameSiteOf(provider), maxAgeSeconds: deps.limits.flowTtlSeconds }),
  };
}

/** Redeems the provider's code and verifies the ID token; the identity is not yet tied to any account. */
async function exchangeAtProvider(
  deps: FederationDeps,
  provider: Provider,
  input: { readonly state: string; readonly params: Readonly<Record<string, unknown>> },
): Promise<VerifiedIdentity> {
  const { settings } = provider;
  const { nonce, codeVerifier } = deps.flowSecrets.derive(input.state);
  const callbackUrl = new URL(settings.redirectUrl);
  for (const name of RESPONSE_PARAMS) {
    const value = input.params[name];
    if (typeof value === 'string') callbackUrl.searchParams.set(name, value);
  }
  let tokens: oidc.TokenEndpointResponse;
  try {
    const openid = await loadOpenIdClient();
    tokens = await openid.authorizationCodeGrant(await provider.client(), callbackUrl, {
      pkceCodeVerifier: codeVerifier,
      expectedState: input.state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    throw await providerFailure(error, settings.id);
  }
  if (typeof tokens.id_token !== 'string') throw appError('FEDERATION_AUTHORIZATION_FAILED', { detail: 'no id_token' });
  // openid-client checked the claims of this directly received token; the signature is checked
  // here too, with the same verifier as native tokens, so no path accepts an unsigned token.
  const claims = await verifyProviderJwt(provider, tokens.id_token, {
    audiences: [settings.clientId],
    nonce,
    now: deps.clock.now(),
    clockToleranceSeconds: deps.limits.clockToleranceSeconds,
  });
  const identity = identityFromClaims(settings, claims);
  const appleUser =
    settings.kind === 'apple' ? parseAppleUser(typeof input.params['user'] === 'string' ? input.params['user'] : undefined) : undefined;
  const refreshToken = settings.kind === 'apple' ? tokens.refresh_token : undefined;
  return {
    ...identity,
    profile: profileOf(identity, appleUser),
    providerToken:
      refreshToken === undefined
        ? undefined
        : { clientId: settings.clientId, sealed: deps.vault.seal(refreshToken, tokenBinding(settings.id, identity.subject)) },
  };
}

/**
 * The provider's answer (`GET` for `response_mode=query`, `POST` for `form_post`).
 *
 * @returns Where to send the browser: the app's return URL with `code` or `error`.
 * @throws {AppError} FEDERATION_STATE_INVALID (answered to the browser directly), FEDERATION_PROVIDER_UNKNOWN.
 */
export async function completeWebFlow(deps: FederationDeps, input: CallbackInput, context: RequestContext): Promise<BrowserStep> {
  const provider = webProvider(deps, input.provider);
  const clear = clearBindingCookie(provider.settings.id, sameSiteOf(provider));
  const state = input.params['state'];
  // The provider's answer comes through the browser, signed in as nobody: no actor, no account.
  const refused = (detail: string) => context.audit('federation.sign_in_failed', { outcome: 'failure', actor: null, detail });
  const refuse = async (reason: string): Promise<never> => {
    await refused(reason);
    throw appError('FEDERATION_STATE_INVALID', { detail: reason, headers: { 'set-cookie': clear } });
  };
  if (typeof state !== 'string' || state === '') return refuse('state_missing');
  const flow = await repo.consumeFlow(deps.db, sha256Base64Url(state));
  const now = deps.clock.now();
  if (!flow) return refuse('state_unknown');
  if (flow.expires_at <= now) return refuse('state_expired');
  if (flow.provider !== provider.settings.id) return refuse('state_provider_mismatch');
  if ((input.method === 'POST') !== (provider.settings.responseMode === 'form_post')) return refuse('response_mode_mismatch');
  const cookie = readBindingCookie(input.cookieHeader, provider.settings.id);
  if (cookie === undefined || !constantTimeEqual(bindingHash(cookie), flow.binding_hash)) return refuse('browser_mismatch');

  try {
    const identity = await exchangeAtProvider(deps, provider, { state, params: input.params });
    const code = await issueExchangeCode(deps.dataProtection, deps.db, {
      flow,
      identity,
      now: deps.clock.now(),
      ttlSeconds: deps.limits.exchangeCodeTtlSeconds,
    });
    return { location: withParams(flow.return_url, { [FEDERATION_RETURN_PARAMS.code]: code }), setCookie: clear };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const code: ErrorCode = error.code;
    await refused(failureReasonOf(error));
    return { location: withParams(flow.return_url, { [FEDERATION_RETURN_PARAMS.error]: code }), setCookie: clear, failure: error };
  }
}
