/**
 * @module modules/mfa/enrolment-level
 *
 * How strongly a session must be signed in to add a second factor, for authenticator apps and
 * phones alike. While the account has none, a password-level (`aal1`) session may add one; once
 * it has one (an app or a phone), adding another needs `aal2`: otherwise a stolen password alone
 * could add the thief's own factor. A session below that is refused exactly as the route
 * contract refuses a session below a route's level — `401 AUTH_LEVEL_INSUFFICIENT` with the
 * RFC 9470 challenge, the level to reach and the kinds of factor that reach it — so a client
 * handles both with one piece of code.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { AppError } from '../../platform/errors/app-error.ts';
import { meetsAssuranceLevel } from '../../platform/routes/authentication.ts';
import { levelInsufficient } from '../../platform/routes/insufficient-authentication.ts';
import type { EnrolmentDeps, FactorOwner } from './deps.ts';
import { countConfirmedFactors } from './factor-lifecycle.ts';

/** The level that may add a factor to an account that already has one. */
const LEVEL_TO_ADD_ANOTHER = 'aal2';

/** The stored reason (audit) when the session is too weak; kept from before the answer changed. */
export const TOO_WEAK = 'step_up_required';

/** The account's confirmed second factors, by kind. */
export interface ConfirmedFactors {
  readonly apps: number;
  readonly phones: number;
}

export async function confirmedFactors(tx: Transaction<Database>, accountId: string): Promise<ConfirmedFactors> {
  const [apps, phones] = await Promise.all([
    countConfirmedFactors(tx, 'mfa_totp_factors', accountId),
    countConfirmedFactors(tx, 'mfa_phone_factors', accountId),
  ]);
  return { apps, phones };
}

/** Whether `owner`'s session may add a factor to an account holding `confirmed` ones. */
export function strongEnoughToAdd(owner: FactorOwner, confirmed: ConfirmedFactors): boolean {
  return confirmed.apps + confirmed.phones === 0 || meetsAssuranceLevel(owner.aal, LEVEL_TO_ADD_ANOTHER);
}

/** `AUTH_LEVEL_INSUFFICIENT` with the route contract's advice for this session. */
export function tooWeakToAdd(deps: EnrolmentDeps, owner: FactorOwner, detail: string): AppError {
  return levelInsufficient(deps.assuranceAdvisor(owner, LEVEL_TO_ADD_ANOTHER), { detail });
}
