/**
 * @module modules/mfa/recovery-codes
 *
 * Recovery codes: a set of 10 single-use codes, shown once, stored only as HMAC-SHA-256 under
 * the key ring's `code-hmac` key (bound to the account), so a database dump alone yields no
 * usable code. Generating a set replaces every earlier code. A code is spent by a conditional
 * write (`used_at IS NULL`), so a concurrent double use succeeds exactly once. Attempt limits are
 * the sign-in challenge's job, not this module's.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { RECOVERY_CODE_COUNT, type RecoveryCodeStatus, type RecoveryCodes } from '@portcullis/protocol';
import type { KeyRing } from '../../platform/crypto/index.ts';
import { constantTimeEqual, hmacSha256 } from '../../platform/crypto/index.ts';
import { withTransaction } from '../../platform/db/index.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { revokeSessions } from '../sessions/index.ts';
import type { FactorOwner, MfaDeps } from './deps.ts';
import { generateRecoveryCode, normalizeRecoveryCode } from './recovery-code-format.ts';
import * as repo from './repository.ts';

export type RecoveryCodeFailureReason = 'code_malformed' | 'no_codes' | 'code_invalid' | 'code_used';

export type RecoveryCodeVerification =
  { readonly ok: true; readonly remaining: number } | { readonly ok: false; readonly reason: RecoveryCodeFailureReason };

function recoveryCodeHash(keyRing: KeyRing, accountId: string, normalized: string): string {
  // Domain-separated from the emailed codes, which share the key.
  return hmacSha256(keyRing.key('code-hmac'), `mfa_recovery\u0000${accountId}\u0000${normalized}`);
}

function canonicalOf(generated: string): string {
  const canonical = normalizeRecoveryCode(generated);
  if (canonical === null) throw new TypeError('a generated recovery code does not parse as one');
  return canonical;
}

/**
 * Replaces the account's set inside `tx` and returns the new codes in display form (audited, as
 * the signed-in person acting on their own account).
 */
export async function issueRecoveryCodes(
  tx: Transaction<Database>,
  deps: MfaDeps,
  accountId: string,
  context: RequestContext,
): Promise<RecoveryCodes> {
  const now = deps.clock.now();
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(generateRecoveryCode());
  await repo.replaceRecoveryCodeSet(tx, accountId, randomUUID(), now);
  await repo.insertRecoveryCodes(
    tx,
    [...codes].map((code) => ({
      id: randomUUID(),
      account_id: accountId,
      code_hash: recoveryCodeHash(deps.keyRing, accountId, canonicalOf(code)),
      created_at: now,
      used_at: null,
    })),
  );
  await context.audit('mfa.recovery_codes_generated', { subject: accountId }, tx);
  return { codes: [...codes], createdAt: new Date(now).toISOString() };
}

/**
 * Generates a new set for the signed-in person, replacing the old one, and signs out their other
 * sessions (an authentication factor changed).
 */
export async function generateRecoveryCodes(deps: MfaDeps, owner: FactorOwner, context: RequestContext): Promise<RecoveryCodes> {
  const codes = await withTransaction(deps.db, (tx) => issueRecoveryCodes(tx, deps, owner.accountId, context));
  await revokeSessions(deps.sessions, { accountId: owner.accountId, except: owner.sessionId, reason: 'mfa_changed' }, context);
  return codes;
}

/**
 * Checks and spends one recovery code (for the sign-in challenge and step-up). Every stored code
 * of the account is compared in constant time, without stopping at a match. The event names the
 * account as actor: during sign-in nobody is signed in yet.
 */
export async function verifyRecoveryCode(
  deps: MfaDeps,
  accountId: string,
  code: string,
  context: RequestContext,
): Promise<RecoveryCodeVerification> {
  return withTransaction(deps.db, async (tx) => {
    const result = await spendRecoveryCode(tx, deps, accountId, code);
    const about = { actor: accountId, subject: accountId };
    await context.audit('mfa.recovery_code_used', result.ok ? about : { ...about, outcome: 'failure', detail: result.reason }, tx);
    return result;
  });
}

async function spendRecoveryCode(
  tx: Transaction<Database>,
  deps: MfaDeps,
  accountId: string,
  code: string,
): Promise<RecoveryCodeVerification> {
  const normalized = normalizeRecoveryCode(code);
  if (normalized === null) return { ok: false, reason: 'code_malformed' };
  const stored = await repo.listRecoveryCodes(tx, accountId);
  if (stored.length === 0) return { ok: false, reason: 'no_codes' };
  const hash = recoveryCodeHash(deps.keyRing, accountId, normalized);
  let match: (typeof stored)[number] | undefined;
  for (const row of stored) if (constantTimeEqual(row.code_hash, hash)) match = row;
  if (!match) return { ok: false, reason: 'code_invalid' };
  if (match.used_at !== null || !(await repo.markRecoveryCodeUsed(tx, match.id, deps.clock.now())))
    return { ok: false, reason: 'code_used' };
  return { ok: true, remaining: stored.filter((row) => row.used_at === null && row.id !== match.id).length };
}

export async function getRecoveryCodeStatus(deps: MfaDeps, accountId: string): Promise<RecoveryCodeStatus> {
  const set = await repo.findRecoveryCodeSet(deps.db, accountId);
  if (!set) return { total: 0, remaining: 0, createdAt: null };
  const codes = await repo.listRecoveryCodes(deps.db, accountId);
  return {
    total: codes.length,
    remaining: codes.filter((row) => row.used_at === null).length,
    createdAt: new Date(set.created_at).toISOString(),
  };
}
