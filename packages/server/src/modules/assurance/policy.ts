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
  let required: AssuranceLevel = 'aal1';
  for (const role of roles) {
    const level = Object.hasOwn(policy, role) ? policy[role as keyof typeof policy] : 'aal2_phr';
    if (ASSURANCE_LEVELS.indexOf(level) > ASSURANCE_LEVELS.indexOf(required)) required = level;
  }
  return required;
}

/**
 * Whether one-time codes sent by `channel` may serve an account that must reach `required`: only
 * where one factor is enough by policy (`aal1`, people who chose a second factor themselves), and
 * only when the deployment enables the channel. Never for staff roles: SMS is a restricted
 * authenticator and email is not an out-of-band authenticator at all (NIST SP 800-63B
 * §5.1.3.3); both can be taken over without the device (SIM swap, mailbox compromise). The
 * sign-in challenge asks this when it offers the methods, when it sends a code and when a code
 * answers it.
 */
export function outOfBandCodesAllowed(
  required: AssuranceLevel,
  channel: 'email' | 'sms',
  config: Pick<Config['mfa'], 'emailCodes' | 'smsCodes'>,
): boolean {
  if (required !== 'aal1') return false;
  return channel === 'email' ? config.emailCodes.enabled : config.smsCodes.enabled;
}
