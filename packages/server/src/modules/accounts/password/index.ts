/**
 * @module modules/accounts/password
 *
 * Everything the accounts module needs to handle passwords: Argon2id hashing behind a
 * concurrency limit (`hasher.ts`), the NIST SP 800-63B-4 policy for new passwords
 * (`policy.ts`), its offline blocklist (`blocklist.ts`) and Have I Been Pwned check
 * (`hibp.ts`), and NFKC normalization (`normalize.ts`). The accounts service imports from here
 * only. Nothing here touches HTTP, the database or the logger.
 */
export {
  ARGON2_MINIMUMS,
  createPasswordHasher,
  HASH_QUEUE_RETRY_AFTER_SECONDS,
  MAX_QUEUED_HASHES,
  threadPoolSizeFor,
  type Argon2Functions,
  type PasswordHasher,
  type PasswordHasherConfig,
  type PasswordHasherDeps,
  type PasswordVerification,
} from './hasher.ts';
export {
  COMMON_PASSWORD_REASON,
  createPasswordPolicy,
  passwordPolicyError,
  type BreachCheckOutcome,
  type PasswordPolicy,
  type PasswordPolicyConfig,
  type PasswordPolicyDeps,
  type PasswordPolicyOptions,
  type PasswordPolicyResult,
  type PasswordPolicyRule,
  type PasswordPolicyViolation,
} from './policy.ts';
export {
  BLOCKLIST_MIN_LENGTH,
  createPasswordBlocklist,
  defaultBlocklistFile,
  type PasswordBlocklist,
  type PasswordBlocklistOptions,
  type PasswordBlocklistStats,
} from './blocklist.ts';
export { checkBreachedPassword, type HibpConfig, type HibpFailure, type HibpResult } from './hibp.ts';
export { countCodePoints, normalizePassword } from './normalize.ts';
