/**
 * @module modules/federation/deps
 *
 * What the federation services run on, passed explicitly (no globals): the database, the clock,
 * the sessions and assurance doors, the resolved providers and the module's two key-ring-derived tools.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { AssuranceDeps } from '../assurance/index.ts';
import type { SessionsDeps } from '../sessions/index.ts';
import type { ProviderRegistry } from './providers/provider.ts';
import type { TokenVault } from './token-vault.ts';
import type { FlowSecrets } from './web/flow-secrets.ts';

export type FederationLimits = Pick<
  Config['federation'],
  'flowTtlSeconds' | 'exchangeCodeTtlSeconds' | 'idTokenMaxAgeSeconds' | 'clockToleranceSeconds'
>;

export interface FederationDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  /** Seals the addresses providers report (for the account holder, or the service while a code waits). */
  readonly dataProtection: DataProtection;
  readonly sessions: SessionsDeps;
  /** The first-factor door: decides between a session, `MFA_REQUIRED` and an enrol-only session. */
  readonly assurance: AssuranceDeps;
  readonly limits: FederationLimits;
  readonly providers: ProviderRegistry;
  readonly vault: TokenVault;
  readonly flowSecrets: FlowSecrets;
}
