/**
 * @module modules/step-up/deps
 *
 * What step-up needs, passed explicitly: the database, the clock, the key ring (challenge
 * secrets), the MFA settings it shares with the sign-in challenge (`challengeTtlSeconds`,
 * `attemptsPerChallenge`), the assurance module (the one door for checking codes, with the
 * account-wide attempt budget) and the passkeys module's step-up port (`null` when passkeys are
 * disabled).
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/index.ts';
import type { AssuranceDeps } from '../assurance/index.ts';
import type { PasskeyStepUp } from '../passkeys/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';

export interface StepUpDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  readonly config: Pick<Config['mfa'], 'challengeTtlSeconds' | 'attemptsPerChallenge'>;
  readonly assurance: AssuranceDeps;
  readonly passkeys: PasskeyStepUp | null;
}

/**
 * The session acting, on top of its request's context (the audit door, which the second-factor
 * checks step-up delegates write through too).
 */
export interface StepUpContext extends RequestContext {
  readonly sessionId: string;
  readonly accountId: string;
}
