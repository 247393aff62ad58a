/**
 * @module modules/mfa/totp-verification
 *
 * Checks a TOTP code against the account's confirmed authenticator apps for the sign-in
 * challenge. A code is accepted once: its time step must be strictly newer than the factor's
 * last accepted step, and recording the step is a conditional write whose affected-row count
 * decides (RFC 6238 section 5.2: "the verifier MUST NOT accept the second attempt of the OTP
 * after the successful validation has been issued for the first OTP"). Attempt limits are the
 * challenge's job; every verification, good or bad, is audited here with a reason code, naming
 * the account as actor (during sign-in nobody is signed in yet).
 */
import type { Transaction } from 'kysely';
import { withTransaction } from '../../platform/db/index.ts';
import type { Database } from '../../platform/db/schema.ts';
import { listConfirmedFactors } from './factor-lifecycle.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { MfaDeps } from './deps.ts';
import * as repo from './repository.ts';
import { openSeed, SeedUnreadableError } from './seed-cipher.ts';
import { matchTimeStep } from './totp.ts';

export type TotpFailureReason = 'code_malformed' | 'no_factor' | 'code_invalid' | 'code_replayed' | 'factor_unreadable';

export type TotpVerification =
  { readonly ok: true; readonly factorId: string } | { readonly ok: false; readonly reason: TotpFailureReason };

const CODE_PATTERN = /^[0-9]{6}$/;

/**
 * Verifies `code` for `accountId` and, when it is accepted, spends its time step.
 *
 * @example
 * const result = await verifyTotp(deps, accountId, '492039', context);
 * if (!result.ok) throw appError('MFA_TOTP_CODE_INVALID', { detail: result.reason });
 */
export async function verifyTotp(deps: MfaDeps, accountId: string, code: string, context: RequestContext): Promise<TotpVerification> {
  return withTransaction(deps.db, async (tx) => {
    const result = await acceptTotpCode(tx, deps, accountId, code);
    const about = { actor: accountId, subject: accountId };
    await context.audit('mfa.totp_verified', result.ok ? about : { ...about, outcome: 'failure', detail: result.reason }, tx);
    return result;
  });
}

async function acceptTotpCode(tx: Transaction<Database>, deps: MfaDeps, accountId: string, code: string): Promise<TotpVerification> {
  if (!CODE_PATTERN.test(code)) return { ok: false, reason: 'code_malformed' };
  const factors = await listConfirmedFactors(tx, 'mfa_totp_factors', accountId);
  if (factors.length === 0) return { ok: false, reason: 'no_factor' };
  const now = deps.clock.now();
  let candidate: { factorId: string; step: number } | undefined;
  let replayed = false;
  let unreadable = false;
  // Every factor is checked (no early exit), so timing does not tell which app a code came from.
  for (const factor of factors) {
    let seed: Uint8Array;
    try {
      seed = openSeed(deps.keyRing, factor.secret_ciphertext, { accountId, factorId: factor.id });
    } catch (error) {
      if (!(error instanceof SeedUnreadableError)) throw error;
      unreadable = true; // fail closed: a seed that does not open (moved, tampered, wrong key) accepts nothing
      continue;
    }
    const step = await matchTimeStep(seed, code, now);
    if (step === null) continue;
    if (step <= factor.last_step) replayed = true;
    else candidate ??= { factorId: factor.id, step };
  }
  if (candidate && (await repo.advanceTotpStep(tx, candidate.factorId, candidate.step, now)))
    return { ok: true, factorId: candidate.factorId };
  // A candidate that lost the conditional write was spent by a concurrent request: a replay.
  if (candidate || replayed) return { ok: false, reason: 'code_replayed' };
  return { ok: false, reason: unreadable ? 'factor_unreadable' : 'code_invalid' };
}
