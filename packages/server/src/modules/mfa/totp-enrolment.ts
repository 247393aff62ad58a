/**
 * @module modules/mfa/totp-enrolment
 *
 * Adding and removing authenticator apps. Enrolment is two steps: `startTotpEnrolment` creates a
 * pending factor with a fresh 160-bit seed from the CSPRNG (sealed before it is stored) and
 * returns it once as a key URI, QR code and base32 text; `confirmTotpEnrolment` activates it with
 * a first valid code, which proves the app holds the seed and the clocks agree. Pending
 * enrolments expire after 10 minutes, and starting a new one discards the previous one.
 *
 * While the account has no second factor, a password-level (aal1) session may enrol one. Once it
 * has one, adding another needs an aal2 session: otherwise a stolen password alone could add
 * the thief's own authenticator. Every change signs out the person's other sessions.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ErrorCode, TotpConfirmation, TotpEnrolment } from '@portcullis/protocol';
import { withTransaction } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import { meetsAssuranceLevel } from '../../platform/routes/authentication.ts';
import type { AssuranceLevel } from '../../platform/routes/contract.ts';
import { revokeSessions } from '../sessions/index.ts';
import { confirmFactor, countConfirmedFactors, deleteFactor, deletePendingFactors, findPendingFactor } from './factor-lifecycle.ts';
import { auditMfaEvent } from './audit-outcome.ts';
import { DEFAULT_ISSUER, type AuditContext, type MfaDeps } from './deps.ts';
import { toTotpFactorDto } from './factors.ts';
import { renderQrCodeSvg } from './qr-code.ts';
import { issueRecoveryCodes } from './recovery-codes.ts';
import * as repo from './repository.ts';
import { openSeed, sealSeed, SeedUnreadableError } from './seed-cipher.ts';
import { base32Secret, matchTimeStep, TOTP_SECRET_BYTES, totpKeyUri } from './totp.ts';

export const PENDING_ENROLMENT_TTL_MS = 10 * 60_000;
/** Enough for a phone, a spare and a password manager; bounds the work of each verification. */
export const MAX_TOTP_FACTORS = 5;
const DEFAULT_LABEL = 'Authenticator app';

type EnrolmentFailure =
  'step_up_required' | 'factor_limit' | 'enrolment_not_found' | 'code_invalid' | 'code_replayed' | 'factor_unreadable';

const FAILURE_ERRORS: Readonly<Record<EnrolmentFailure, ErrorCode>> = {
  // The same answer the route contract gives a session below the required level.
  step_up_required: 'AUTH_REQUIRED',
  factor_limit: 'MFA_FACTOR_LIMIT_REACHED',
  enrolment_not_found: 'MFA_ENROLMENT_NOT_FOUND',
  code_invalid: 'MFA_TOTP_CODE_INVALID',
  code_replayed: 'MFA_TOTP_CODE_INVALID',
  // A pending seed we sealed minutes ago no longer opens: tampering or a changed key ring, not bad input.
  factor_unreadable: 'INTERNAL_ERROR',
};

/** Why the account may not add a factor now, if it may not. */
async function enrolmentRefusal(
  tx: Parameters<typeof countConfirmedFactors>[0],
  accountId: string,
  aal: AssuranceLevel,
): Promise<EnrolmentFailure | undefined> {
  const confirmed = await countConfirmedFactors(tx, 'mfa_totp_factors', accountId);
  // A confirmed phone is a second factor too: with one, a password session cannot add an app.
  const phones = await countConfirmedFactors(tx, 'mfa_phone_factors', accountId);
  if (confirmed + phones > 0 && !meetsAssuranceLevel(aal, 'aal2')) return 'step_up_required';
  if (confirmed >= MAX_TOTP_FACTORS) return 'factor_limit';
  return undefined;
}

function failure(reason: EnrolmentFailure, detail: string): Error {
  return appError(FAILURE_ERRORS[reason], { detail: `${detail}: ${reason}` });
}

export async function startTotpEnrolment(
  deps: MfaDeps,
  input: { accountId: string; aal: AssuranceLevel; label?: string | undefined },
  context: AuditContext,
): Promise<TotpEnrolment> {
  const email = await repo.findAccountEmail(deps.db, input.accountId);
  if (email === undefined) throw appError('AUTH_REQUIRED', { detail: 'account of a live session is gone' });
  const seed = randomBytes(TOTP_SECRET_BYTES);
  const factorId = randomUUID();
  const now = deps.clock.now();
  const expiresAt = now + PENDING_ENROLMENT_TTL_MS;
  const refused = await withTransaction(deps.db, async (tx) => {
    const refusal = await enrolmentRefusal(tx, input.accountId, input.aal);
    if (refusal) {
      await auditMfaEvent(tx, deps.clock, { action: 'mfa.totp_enrolment_started', accountId: input.accountId, reason: refusal }, context);
      return refusal;
    }
    await deletePendingFactors(tx, 'mfa_totp_factors', input.accountId, now);
    await repo.insertTotpFactor(tx, {
      id: factorId,
      account_id: input.accountId,
      label: input.label ?? DEFAULT_LABEL,
      secret_ciphertext: sealSeed(deps.keyRing, seed, { accountId: input.accountId, factorId }),
      last_step: -1,
      created_at: now,
      confirmed_at: null,
      expires_at: expiresAt,
      last_used_at: null,
    });
    await auditMfaEvent(tx, deps.clock, { action: 'mfa.totp_enrolment_started', accountId: input.accountId }, context);
    return undefined;
  });
  if (refused) throw failure(refused, 'TOTP enrolment refused');
  const otpauthUri = await totpKeyUri({ issuer: deps.issuer ?? DEFAULT_ISSUER, label: email, secret: seed });
  return {
    factorId,
    otpauthUri,
    secret: await base32Secret(seed),
    qrCodeSvg: await renderQrCodeSvg(otpauthUri),
    expiresAt: new Date(expiresAt).toISOString(),
  };
}

/**
 * Activates a pending factor with its first code. The code's time step becomes the factor's last
 * accepted step, so the same code cannot then be used to sign in. When the account has no
 * recovery codes yet, the first set is generated and returned here (shown once).
 */
export async function confirmTotpEnrolment(
  deps: MfaDeps,
  input: { accountId: string; sessionId: string; aal: AssuranceLevel; factorId: string; code: string },
  context: AuditContext,
): Promise<TotpConfirmation> {
  const outcome = await withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const refuse = async (reason: EnrolmentFailure) => {
      await auditMfaEvent(tx, deps.clock, { action: 'mfa.totp_enrolment_confirmed', accountId: input.accountId, reason }, context);
      return { refused: reason };
    };
    const pending = await findPendingFactor(tx, 'mfa_totp_factors', { accountId: input.accountId, factorId: input.factorId, now: now });
    if (!pending) return refuse('enrolment_not_found');
    const refusal = await enrolmentRefusal(tx, input.accountId, input.aal);
    if (refusal) return refuse(refusal);
    let seed: Uint8Array;
    try {
      seed = openSeed(deps.keyRing, pending.secret_ciphertext, { accountId: input.accountId, factorId: pending.id });
    } catch (error) {
      if (!(error instanceof SeedUnreadableError)) throw error;
      return refuse('factor_unreadable');
    }
    const step = await matchTimeStep(seed, input.code, now);
    if (step === null) return refuse('code_invalid');
    // Loses to a concurrent confirmation of the same enrolment: exactly one wins.
    if (!(await confirmFactor(tx, 'mfa_totp_factors', pending.id, { now: now, also: { last_step: step, last_used_at: now } })))
      return refuse('code_replayed');
    const recoveryCodes = (await repo.findRecoveryCodeSet(tx, input.accountId))
      ? null
      : await issueRecoveryCodes(tx, deps, input.accountId, context);
    await auditMfaEvent(tx, deps.clock, { action: 'mfa.totp_enrolment_confirmed', accountId: input.accountId }, context);
    return { confirmed: { factor: toTotpFactorDto({ ...pending, confirmed_at: now, last_used_at: now }), recoveryCodes } };
  });
  if ('refused' in outcome) throw failure(outcome.refused, 'TOTP confirmation refused');
  await revokeSessions(deps.sessions, { accountId: input.accountId, except: input.sessionId, reason: 'mfa_changed' }, context);
  return outcome.confirmed;
}

/** Removes one of the caller's authenticator apps (confirmed or pending) and signs out their other sessions. */
export async function removeTotpFactor(
  deps: MfaDeps,
  input: { accountId: string; sessionId: string; factorId: string },
  context: AuditContext,
): Promise<void> {
  const removed = await withTransaction(deps.db, async (tx) => {
    const deleted = await deleteFactor(tx, 'mfa_totp_factors', { accountId: input.accountId, factorId: input.factorId });
    await auditMfaEvent(
      tx,
      deps.clock,
      { action: 'mfa.totp_removed', accountId: input.accountId, ...(deleted ? {} : { reason: 'factor_not_found' }) },
      context,
    );
    return deleted;
  });
  // Another account's factor answers exactly like a missing one.
  if (!removed) throw appError('MFA_FACTOR_NOT_FOUND', { detail: 'no such TOTP factor for this account' });
  await revokeSessions(deps.sessions, { accountId: input.accountId, except: input.sessionId, reason: 'mfa_changed' }, context);
}
