/**
 * @module modules/assurance/level-shortfall
 *
 * What a session below a route's level must do (`AUTH_LEVEL_INSUFFICIENT`): which level to
 * reach and which kinds of factor reach it, by the same policy sign-in applies. The level is
 * the route's, or the account's own sign-in level when that is higher: an administrator whose
 * role needs a passkey is never offered an authenticator-app challenge, so for them even an
 * `aal2` route needs a passkey. Kinds only, never the account's enrolled factors: the answer
 * must not tell a stolen session which factors its owner has.
 */
import type { AuthFactorKind } from '@portcullis/protocol';
import type { Config } from '../../config/schema.ts';
import type { AssuranceShortfall } from '../../platform/errors/app-error.ts';
import { meetsAssuranceLevel } from '../../platform/routes/authentication.ts';
import type { AssuranceLevel, StepUpLevel } from '../../platform/routes/contract.ts';
import { outOfBandCodesAllowed, requiredLevelFor } from './policy.ts';

export interface LevelShortfallPolicy {
  readonly mfa: Pick<Config['mfa'], 'requiredLevel' | 'emailCodes' | 'smsCodes'>;
  /** Whether passkeys are served (`passkeys.enabled`). */
  readonly passkeys: boolean;
}

export interface ShortSession {
  readonly roles: readonly string[];
  readonly aal: AssuranceLevel;
}

/** The kinds of factor that reach `level` for an account whose sign-in must reach `signInLevel`. */
function factorKindsReaching(level: StepUpLevel, signInLevel: AssuranceLevel, policy: LevelShortfallPolicy): AuthFactorKind[] {
  // Only a passkey with user verification is phishing-resistant (NIST SP 800-63B AAL2 + PHR).
  if (level === 'aal2_phr') return policy.passkeys ? ['passkey'] : [];
  const kinds: AuthFactorKind[] = policy.passkeys ? ['passkey', 'totp'] : ['totp'];
  if (outOfBandCodesAllowed(signInLevel, 'sms', policy.mfa)) kinds.push('sms');
  if (outOfBandCodesAllowed(signInLevel, 'email', policy.mfa)) kinds.push('email');
  kinds.push('recovery_code');
  return kinds;
}

export function levelShortfall(session: ShortSession, routeLevel: StepUpLevel, policy: LevelShortfallPolicy): AssuranceShortfall {
  const signInLevel = requiredLevelFor(session.roles, policy.mfa.requiredLevel);
  const requiredLevel: StepUpLevel = signInLevel !== 'aal1' && meetsAssuranceLevel(signInLevel, routeLevel) ? signInLevel : routeLevel;
  return { requiredLevel, currentLevel: session.aal, methods: factorKindsReaching(requiredLevel, signInLevel, policy) };
}
