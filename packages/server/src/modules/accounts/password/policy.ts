/**
 * @module modules/accounts/password/policy
 *
 * Whether a new password (sign-up, change, reset) may be set — NIST SP 800-63B-4 §3.1.1.2 and
 * ASVS V6.2. The rules, in order:
 *
 * 1. Valid Unicode text (no lone UTF-16 surrogates, which would hash as U+FFFD).
 * 2. Length in code points after NFKC: at least `minLengthSingleFactor` (15) when the password
 *    is the only factor, `minLengthWithSecondFactor` (8) when the account has a second factor
 *    (ASVS V6.2.1); at most `maxLength` (128, never below 64: ASVS V6.2.9). A length failure
 *    is reported alone and stops the checks (the user must retype anyway; nothing is sent out).
 * 3. No composition rules of any kind (ASVS V6.2.5): there is deliberately no code for them.
 * 4. Context-specific words (ASVS V6.2.11), compared folded (NFKC, lower case, trimmed): the
 *    account's email address, its local part, and the local part without a `+tag`.
 * 5. The offline blocklist of common and breached passwords (ASVS V6.2.4).
 * 6. When `hibp.enabled`, the Have I Been Pwned range API (ASVS V6.2.12); skipped when the
 *    blocklist already matched. If it cannot answer, the password is judged on rules 1–5 and
 *    the result says so (`breachCheck.status === 'unknown'`) for the audit record.
 *
 * Reasons are short phrases completing "password …" for the `errors[].reason` of
 * `PASSWORD_POLICY_VIOLATION`; they never contain the password. Sign-in never runs the policy
 * (a valid password stays valid, ASVS V6.2.10); it only asks `isKnownBreached`, which restricts
 * the session rather than refusing it. This module does not hash.
 */
import type { Config } from '../../../config/index.ts';
import type { ValidationIssue } from '@portcullis/protocol';
import { type AppError, appError } from '../../../platform/errors/app-error.ts';
import { BLOCKLIST_MIN_LENGTH, type PasswordBlocklist } from './blocklist.ts';
import { checkBreachedPassword, type HibpResult } from './hibp.ts';
import { countCodePoints, foldForComparison, hasLoneSurrogate, normalizePassword } from './normalize.ts';

export type PasswordPolicyConfig = Pick<Config['passwords'], 'minLengthSingleFactor' | 'minLengthWithSecondFactor' | 'maxLength' | 'hibp'>;

export interface PasswordPolicyDeps {
  /** The `passwords` section of the server configuration. */
  readonly config: PasswordPolicyConfig;
  /** Shared, lazily loaded offline list (`createPasswordBlocklist()`). */
  readonly blocklist: PasswordBlocklist;
}

export interface PasswordPolicyOptions {
  /** The account has (or is enrolling) a second factor: the shorter minimum applies. */
  readonly hasSecondFactor: boolean;
  /** Context-specific words the password must not equal. */
  readonly context?: { readonly email?: string | undefined };
}

/** Stable identifier of the rule a password broke (for audit and tests; the wire carries `reason`). */
export type PasswordPolicyRule = 'invalid_text' | 'too_short' | 'too_long' | 'context_word' | 'blocklisted' | 'breached';

export interface PasswordPolicyViolation {
  readonly rule: PasswordPolicyRule;
  /** Phrase completing "password …", e.g. "must be at least 15 characters". */
  readonly reason: string;
}

/** How the breach service answered: `disabled` (not configured) and `skipped` (not needed) sent nothing. */
export type BreachCheckOutcome = HibpResult | { readonly status: 'disabled' } | { readonly status: 'skipped' };

export interface PasswordPolicyResult {
  /** Empty when the password may be set. */
  readonly violations: readonly PasswordPolicyViolation[];
  /** For the audit record of the change (never contains the password or its hash). */
  readonly breachCheck: BreachCheckOutcome;
}

export interface PasswordPolicy {
  /**
   * Checks a new password against every rule; never throws for a bad password.
   * @example
   * const { violations } = await policy.checkPasswordPolicy(password, { hasSecondFactor: false, context: { email } });
   */
  checkPasswordPolicy(password: string, options: PasswordPolicyOptions): Promise<PasswordPolicyResult>;
  /**
   * Rules 1–2 alone (text and length), without the blocklist or the network: a second look at a
   * password that passed `checkPasswordPolicy` for the shorter minimum, once the account (and so
   * whether it has a second factor) is known.
   */
  lengthViolation(password: string, options: Pick<PasswordPolicyOptions, 'hasSecondFactor'>): PasswordPolicyViolation | undefined;
  /**
   * Like `checkPasswordPolicy`, but throws `PASSWORD_POLICY_VIOLATION` (400) with one issue per
   * violation at `pointer` (default `/body/password`; `/body/newPassword` for change and reset).
   * @throws {AppError} `PASSWORD_POLICY_VIOLATION`
   */
  assertPasswordPolicy(password: string, options: PasswordPolicyOptions & { readonly pointer?: string }): Promise<PasswordPolicyResult>;
  /**
   * Whether a password someone just signed in with is known to be breached: on the offline list
   * (rule 5), or in Have I Been Pwned when `hibp.enabled` (rule 6). No other rule: a password that
   * was valid when set stays valid (ASVS V6.2.10). When the service cannot answer, false — a
   * sign-in is not held up by someone else's outage.
   */
  isKnownBreached(password: string): Promise<boolean>;
}

export const COMMON_PASSWORD_REASON = 'is too common or has appeared in a data breach';

/**
 * @throws {TypeError} when the configuration would let the blocklist miss passwords the length
 *   rule accepts, or contradicts itself.
 */
export function createPasswordPolicy(deps: PasswordPolicyDeps): PasswordPolicy {
  const { config, blocklist } = deps;
  const shortest = Math.min(config.minLengthSingleFactor, config.minLengthWithSecondFactor);
  if (shortest < BLOCKLIST_MIN_LENGTH) {
    throw new TypeError(`password minimum length ${shortest} is below the blocklist's shortest entry (${BLOCKLIST_MIN_LENGTH})`);
  }
  if (config.maxLength < Math.max(config.minLengthSingleFactor, config.minLengthWithSecondFactor)) {
    throw new TypeError('passwords.maxLength is below a minimum length');
  }

  function lengthViolation(password: string, options: Pick<PasswordPolicyOptions, 'hasSecondFactor'>): PasswordPolicyViolation | undefined {
    if (hasLoneSurrogate(password)) return { rule: 'invalid_text', reason: 'must be valid Unicode text' };
    const length = countCodePoints(normalizePassword(password));
    const minimum = options.hasSecondFactor ? config.minLengthWithSecondFactor : config.minLengthSingleFactor;
    if (length < minimum) return { rule: 'too_short', reason: `must be at least ${minimum} characters` };
    if (length > config.maxLength) return { rule: 'too_long', reason: `must be at most ${config.maxLength} characters` };
    return undefined;
  }

  async function checkPasswordPolicy(password: string, options: PasswordPolicyOptions): Promise<PasswordPolicyResult> {
    const skipped = { status: 'skipped' } as const;
    const textOrLength = lengthViolation(password, options);
    if (textOrLength !== undefined) return { violations: [textOrLength], breachCheck: skipped };
    const normalized = normalizePassword(password);

    const violations: PasswordPolicyViolation[] = [];
    if (matchesContextWord(normalized, options.context?.email)) {
      violations.push({ rule: 'context_word', reason: 'must not be your email address or part of it' });
    }
    if (await blocklist.has(normalized)) {
      violations.push({ rule: 'blocklisted', reason: COMMON_PASSWORD_REASON });
      return { violations, breachCheck: skipped };
    }
    if (!config.hibp.enabled) return { violations, breachCheck: { status: 'disabled' } };
    const breachCheck = await checkBreachedPassword(normalized, config.hibp);
    if (breachCheck.status === 'breached') violations.push({ rule: 'breached', reason: COMMON_PASSWORD_REASON });
    return { violations, breachCheck };
  }

  async function isKnownBreached(password: string): Promise<boolean> {
    if (hasLoneSurrogate(password)) return false;
    const normalized = normalizePassword(password);
    if (await blocklist.has(normalized)) return true;
    if (!config.hibp.enabled) return false;
    return (await checkBreachedPassword(normalized, config.hibp)).status === 'breached';
  }

  return {
    checkPasswordPolicy,
    lengthViolation,
    isKnownBreached,
    async assertPasswordPolicy(password, options) {
      const result = await checkPasswordPolicy(password, options);
      if (result.violations.length > 0) throw passwordPolicyError(result.violations, { pointer: options.pointer });
      return result;
    },
  };
}

/**
 * The `PASSWORD_POLICY_VIOLATION` error for a list of violations; `detail` names the rules
 * (for logs), never the password.
 */
export function passwordPolicyError(
  violations: readonly PasswordPolicyViolation[],
  options: { readonly pointer?: string | undefined } = {},
): AppError {
  const pointer = options.pointer ?? '/body/password';
  const issues: ValidationIssue[] = violations.map(({ reason }) => ({ pointer, reason }));
  return appError('PASSWORD_POLICY_VIOLATION', { issues, detail: `rules: ${violations.map(({ rule }) => rule).join(', ')}` });
}

/** The email, its local part, or the local part before a `+tag`, compared folded. */
function matchesContextWord(normalizedPassword: string, email: string | undefined): boolean {
  if (email === undefined) return false;
  const folded = foldForComparison(email);
  const at = folded.lastIndexOf('@');
  const local = at > 0 ? folded.slice(0, at) : folded;
  const plus = local.indexOf('+');
  const words = [folded, local, plus > 0 ? local.slice(0, plus) : local];
  const candidate = foldForComparison(normalizedPassword);
  return words.some((word) => word !== '' && word === candidate);
}
