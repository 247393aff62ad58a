/**
 * @module modules/passkeys/checks/check-last-factor
 *
 * An account that must sign in with a phishing-resistant factor keeps one: removing its last
 * usable (not suspended) passkey is refused. Passkeys are the only such factor today. "Must" is
 * either of: a staff role (admin, clinician, support, auditor — SPEC "staff need passkey MFA";
 * ASVS V6.3.3 at L3), whatever the operator's policy says, or a role whose configured sign-in
 * level (`mfa.requiredLevel`) is `aal2_phr`.
 */
import type { Config } from '../../../config/schema.ts';
import { requiredLevelFor } from '../../assurance/index.ts';

const STAFF_ROLES: readonly string[] = ['admin', 'clinician', 'support', 'auditor'];

/** `roles` is the account's JSON array of role names; anything unreadable counts as needing the factor (fail closed). */
export function needsPhishingResistantFactor(roles: string, policy: Config['mfa']['requiredLevel']): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(roles);
  } catch {
    return true;
  }
  if (!Array.isArray(parsed) || parsed.some((role) => typeof role !== 'string')) return true;
  const names = parsed as string[];
  return names.some((role) => STAFF_ROLES.includes(role)) || requiredLevelFor(names, policy) === 'aal2_phr';
}

export function removesLastPhishingResistantFactor(account: {
  readonly roles: string;
  readonly policy: Config['mfa']['requiredLevel'];
  readonly usableRemaining: number;
}): boolean {
  return account.usableRemaining === 0 && needsPhishingResistantFactor(account.roles, account.policy);
}
