/**
 * @module modules/assurance/policy
 *
 * Which assurance level an account must reach at sign-in: the highest level any of its roles
 * requires (config `mfa.requiredLevel`). A role the policy does not name requires the strongest
 * level, so adding a role to the system never silently lowers anyone's sign-in.
 */
import type { Config } from '../../config/schema.ts';
import { ASSURANCE_LEVELS, type AssuranceLevel } from '../../platform/routes/contract.ts';

export function requiredLevelFor(roles: readonly string[], policy: Config['mfa']['requiredLevel']): AssuranceLevel {
  const levels: Readonly<Record<string, AssuranceLevel>> = policy;
  let required: AssuranceLevel = 'aal1';
  for (const role of roles) {
    const level = Object.hasOwn(levels, role) ? (levels[role] as AssuranceLevel) : 'aal2_phr';
    if (ASSURANCE_LEVELS.indexOf(level) > ASSURANCE_LEVELS.indexOf(required)) required = level;
  }
  return required;
}
