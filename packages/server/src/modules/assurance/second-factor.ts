/**
 * @module modules/assurance/second-factor
 *
 * One door for checking a second-factor code (TOTP, recovery code, or a code sent by email or
 * SMS for a sign-in challenge) of an account, used by the sign-in challenge and by step-up. It
 * owns the account-wide attempt budget: an attempt is reserved before the code is checked, a
 * correct code resets the count, and the reservation that finds the budget spent locks code
 * factors, writes `mfa.factor_locked` and emails the owner.
 * Passkeys do not pass through here, so a locked code factor leaves passkey sign-in working.
 */
import { appError, type AppError } from '../../platform/errors/app-error.ts';
import { secondFactorLockedMessage } from '../../platform/mailer/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { verifyRecoveryCode, verifySignInCode, verifyTotp } from '../mfa/index.ts';
import { reserveAttempt, resetBudget } from './attempt-budget.ts';
import type { AssuranceDeps } from './deps.ts';
import { findAccountEmail } from '../../platform/contact/index.ts';

export type CodeMethod = 'totp' | 'recovery_code';
/** Codes the server sends by email or SMS; each belongs to one sign-in challenge. */
export type OutOfBandCodeMethod = 'email_code' | 'sms_code';

export type SecondFactorInput =
  | { readonly accountId: string; readonly method: CodeMethod; readonly code: string }
  | { readonly accountId: string; readonly method: OutOfBandCodeMethod; readonly code: string; readonly challengeId: string };

/**
 * RFC 8176 `otp` for an authenticator app and `sms` for a code texted to a registered number. A
 * recovery code (a look-up secret) and an emailed code have no RFC 8176 value: `recovery` and
 * `email` are Portcullis values (docs/flows/sign-in.md).
 */
const AMR_OF: Record<CodeMethod | OutOfBandCodeMethod, string> = {
  totp: 'otp',
  recovery_code: 'recovery',
  sms_code: 'sms',
  email_code: 'email',
};

async function verify(
  deps: AssuranceDeps,
  input: SecondFactorInput,
  context: RequestContext,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  switch (input.method) {
    case 'totp':
      return verifyTotp(deps.mfa, input.accountId, input.code, context);
    case 'recovery_code':
      return verifyRecoveryCode(deps.mfa, input.accountId, input.code, context);
    case 'email_code':
    case 'sms_code':
      return verifySignInCode(
        deps.mfa,
        {
          accountId: input.accountId,
          challengeId: input.challengeId,
          channel: input.method === 'email_code' ? 'email' : 'sms',
          code: input.code,
        },
        context,
      );
  }
}

export type SecondFactorResult = { readonly ok: true; readonly amr: string } | { readonly ok: false; readonly error: AppError };

/**
 * Checks a code of `input.accountId` against the account-wide budget. Called during sign-in
 * (nobody signed in yet) and by step-up (the account's own session): events name the account
 * as actor either way, and the caller's session when there is one.
 */
export async function checkSecondFactor(
  deps: AssuranceDeps,
  input: SecondFactorInput,
  context: RequestContext,
): Promise<SecondFactorResult> {
  const now = deps.clock.now();
  const reservation = await reserveAttempt(
    deps.db,
    input.accountId,
    { attempts: deps.config.attemptsPerAccount, lockoutMs: deps.config.lockoutSeconds * 1000 },
    now,
  );
  if (!reservation.reserved) {
    if (reservation.newlyLocked) await reportLockout(deps, input.accountId, context, now);
    const retryAfter = Math.max(1, Math.ceil((reservation.lockedUntil - now) / 1000));
    return {
      ok: false,
      error: appError('MFA_LOCKED', { detail: 'second-factor budget spent', headers: { 'retry-after': String(retryAfter) } }),
    };
  }
  const verification = await verify(deps, input, context);
  if (!verification.ok) return { ok: false, error: appError('MFA_CODE_INVALID', { detail: `${input.method}: ${verification.reason}` }) };
  await resetBudget(deps.db, input.accountId, deps.clock.now());
  return { ok: true, amr: AMR_OF[input.method] };
}

async function reportLockout(deps: AssuranceDeps, accountId: string, context: RequestContext, now: number): Promise<void> {
  await context.audit('mfa.factor_locked', { actor: accountId, subject: accountId, outcome: 'failure', detail: 'attempt_budget_spent' });
  const email = await findAccountEmail(deps.dataProtection, deps.db, accountId);
  if (email === undefined) return;
  const message = secondFactorLockedMessage({ lockedAt: new Date(now), lockedForMinutes: Math.ceil(deps.config.lockoutSeconds / 60) });
  deps.mailer.send({ to: email, ...message }).catch(deps.onBackgroundError);
}
