/**
 * @module modules/passkeys/deps
 *
 * What the passkey ceremonies need, passed explicitly: the database, the clock, the sessions
 * module's deps (to mint a session through `issueSession`, the one session door), the
 * relying party derived from configuration, and the role policy that says who must keep a
 * passkey.
 */
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { SessionsDeps } from '../sessions/index.ts';
import type { ChallengeDeps } from './challenges.ts';
import type { RelyingParty } from './relying-party.ts';

export interface PasskeysDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  /** Opens the account's address, which authenticators show as the user name (platform/contact). */
  readonly dataProtection: DataProtection;
  readonly sessions: SessionsDeps;
  readonly relyingParty: RelyingParty;
  /** Sign-in level per role (`mfa.requiredLevel`): roles at `aal2_phr` keep at least one passkey. */
  readonly rolePolicy: Config['mfa']['requiredLevel'];
}

export function challengeDepsOf(deps: PasskeysDeps): ChallengeDeps {
  return { db: deps.db, clock: deps.clock, ttlMs: deps.relyingParty.challengeTtlMs };
}
