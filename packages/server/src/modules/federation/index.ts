/**
 * @module modules/federation
 *
 * Sign in with Apple, Google and any OpenID Connect provider — native (ID token) and web
 * (redirect) flows, linking to signed-in accounts, and Apple's server-to-server notifications.
 * Other modules import from here only.
 */
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { DatabaseHandle } from '../../platform/db/index.ts';
import type { AssuranceDeps } from '../assurance/index.ts';
import type { SessionsDeps, TokenRequestProof } from '../sessions/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { FederationDeps } from './deps.ts';
import type { Kysely } from 'kysely';
import type { LinkedIdentity } from '@portcullis/protocol';
import type { Database } from '../../platform/db/schema.ts';
import { forgetExternalIdentities, toLinkedIdentity, type ForgetDeps } from './links.ts';
import { listIdentities, openIdentity } from './repository.ts';
import { createProviderRegistry } from './providers/provider.ts';
import { providerDisplayName } from './providers/listing.ts';
import { resolveProviderSettings } from './providers/settings.ts';
import { federationRoutes as routes } from './routes.ts';
import { createTokenVault } from './token-vault.ts';
import { createFlowSecrets } from './web/flow-secrets.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

export interface FederationModuleOptions {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  readonly dataProtection: DataProtection;
  readonly sessions: SessionsDeps;
  readonly assurance: AssuranceDeps;
  readonly tokenRequestProof: TokenRequestProof;
}

/**
 * Builds the module's dependencies from the configuration.
 *
 * @throws {TypeError} when `federation.providers` is misconfigured (unreadable key or secret
 *   file, plain-HTTP URLs in production, a forbidden return-URL scheme, …), listing every problem.
 */
export function createFederationDeps(options: Omit<FederationModuleOptions, 'tokenRequestProof'>): FederationDeps {
  const { config } = options;
  const settings = resolveProviderSettings(config);
  return {
    db: options.database.db,
    clock: options.clock,
    dataProtection: options.dataProtection,
    sessions: options.sessions,
    assurance: options.assurance,
    limits: config.federation,
    providers: createProviderRegistry(settings, { timings: config.federation, now: () => options.clock.now() }),
    vault: createTokenVault(options.keyRing),
    flowSecrets: createFlowSecrets(options.keyRing),
  };
}

/**
 * The configured sign-in providers by the names people know them as ("Apple", "Google"; a
 * generic OpenID Connect provider by its id), for messages that tell someone how to sign in.
 */
export function signInProviderNames(config: Pick<Config, 'federation'>): string[] {
  return Object.entries(config.federation.providers).map(([id, provider]) => providerDisplayName(id, provider.kind));
}

/** The federation plugin. Routes exist whatever the configuration; unknown providers answer 404. */
export function federationRoutes(options: FederationModuleOptions): (app: RouteApp) => Promise<void> {
  return routes({ federation: createFederationDeps(options), tokenRequestProof: options.tokenRequestProof });
}

/**
 * For account deletion: revokes every provider token of the account at its provider (Apple
 * requires this) and removes its external identities. Call before deleting the account.
 */
export function forgetAccountIdentities(deps: ForgetDeps, accountId: string, context: RequestContext): Promise<number> {
  return forgetExternalIdentities(deps, accountId, context);
}

/** The account's linked provider identities as the person sees them (for their export). */
export async function linkedIdentitiesOf(
  dataProtection: DataProtection,
  db: Kysely<Database>,
  accountId: string,
): Promise<LinkedIdentity[]> {
  const rows = await listIdentities(db, accountId);
  return Promise.all(rows.map(async (row) => toLinkedIdentity(await openIdentity(dataProtection, db, row))));
}

export type { FederationDeps } from './deps.ts';
export type { ForgetDeps } from './links.ts';
