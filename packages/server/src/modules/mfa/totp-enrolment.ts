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
 * has one, adding another needs an aal2 session (enrolment-level.ts): otherwise a stolen password
 * alone could add the thief's own authenticator. Every change signs out the person's other
 * sessions. Every step, refused or not, is audited last in its transaction.
 */
import { findAccountEmail } from '../../platform/contact/index.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import type { ErrorCode, TotpConfirmation, TotpEnrolment } from '@portcullis/protocol';
import { withTransaction } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { revokeSessions } from '../sessions/index.ts';
import { confirmFactor, deleteFactor, deletePendingFactors, findPendingFactor } from './factor-lifecycle.ts';
import { DEFAULT_ISSUER, type EnrolmentDeps, type FactorOwner, type MfaDeps } from './deps.ts';
import { confirmedFactors, strongEnoughToAdd, TOO_WEAK, tooWeakToAdd } from './enrolment-level.ts';
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

type EnrolmentFailure = typeof TOO_WEAK | 'factor_limit' | 'enrolment_not_found' | 'code_invalid' | 'code_replayed' | 'factor_unreadable';

const FAILURE_ERRORS: Readonly<Record<Exclude<EnrolmentFailure, typeof TOO_WEAK>, ErrorCode>> = {
  factor_limit: 'MFA_FACTOR_LIMIT_REACHED',
  enrolment_not_found: 'MFA_ENROLMENT_NOT_FOUND',
  code_invalid: 'MFA_TOTP_CODE_INVALID',
  code_replayed: 'MFA_TOTP_CODE_INVALID',
  // A pending seed we sealed minutes ago no longer opens: tampering or a changed key ring, not bad input.
  factor_unreadable: 'INTERNAL_ERROR',
};

/** Why the account may not add a factor now, if it may not. */
async function enrolmentRefusal(tx: Transaction<Database>, owner: FactorOwner): Promise<EnrolmentFailure | undefined> {
  // A confirmed phone is a second factor too: with one, a password session cannot add an app.
  const confirmed = await confirmedFactors(tx, owner.accountId);
  if (!strongEnoughToAdd(owner, confirmed)) return TOO_WEAK;
  if (confirmed.apps >= MAX_TOTP_FACTORS) return 'factor_limit';
  return undefined;
}

function failure(deps: EnrolmentDeps, owner: FactorOwner, reason: EnrolmentFailure, step: string): Error {
  const detail = `${step}: ${reason}`;
  return reason === TOO_WEAK ? tooWeakToAdd(deps, owner, detail) : appError(FAILURE_ERRORS[reason], { detail });
}

export async function startTotpEnrolment(
  deps: EnrolmentDeps,
  owner: FactorOwner,
  input: { readonly label?: string | undefined },
  context: RequestContext,
): Promise<TotpEnrolment> {
  const { accountId } = owner;
  const email = await findAccountEmail(deps.dataProtection, deps.db, accountId);
  if (email === undefined) throw appError('AUTH_REQUIRED', { detail: 'account of a live session is gone' });
  const seed = randomBytes(TOTP_SECRET_BYTES);
  const factorId = randomUUID();
  const now = deps.clock.now();
  const expiresAt = now + PENDING_ENROLMENT_TTL_MS;
  const refused = await withTransaction(deps.db, async (tx) => {
    const refusal = await enrolmentRefusal(tx, owner);
    if (refusal) {
      await context.audit('mfa.totp_enrolment_started', { subject: accountId, outcome: 'failure', detail: refusal }, tx);
      return refusal;
    }
    await deletePendingFactors(tx, 'mfa_totp_factors', accountId, now);
    await repo.insertTotpFactor(tx, {
      id: factorId,
      account_id: accountId,
      label: input.label ?? DEFAULT_LABEL,
      secret_ciphertext: sealSeed(deps.keyRing, seed, { accountId, factorId }),
      last_step: -1,
      created_at: now,
      confirmed_at: null,
      expires_at: expiresAt,
      last_used_at: null,
    });
    await context.audit('mfa.totp_enrolment_started', { subject: accountId }, tx);
    return undefined;
  });
  if (refused) throw failure(deps, owner, refused, 'TOTP enrolment refused');
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
  deps: EnrolmentDeps,
  owner: FactorOwner,
  input: { readonly factorId: string; readonly code: string },
  context: RequestContext,
): Promise<TotpConfirmation> {
  const { accountId } = owner;
  const outcome = await withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const refuse = async (reason: EnrolmentFailure) => {
      await context.audit('mfa.totp_enrolment_confirmed', { subject: accountId, outcome: 'failure', detail: reason }, tx);
      return { refused: reason };
    };
    const pending = await findPendingFactor(tx, 'mfa_totp_factors', { accountId, factorId: input.factorId, now: now });
    if (!pending) return refuse('enrolment_not_found');
    const refusal = await enrolmentRefusal(tx, owner);
    if (refusal) return refuse(refusal);
    let seed: Uint8Array;
    try {
      seed = openSeed(deps.keyRing, pending.secret_ciphertext, { accountId, factorId: pending.id });
    } catch (error) {
      if (!(error instanceof SeedUnreadableError)) throw error;
      return refuse('factor_unreadable');
    }
    const step = await matchTimeStep(seed, input.code, now);
    if (step === null) return refuse('code_invalid');
    // Loses to a concurrent confirmation of the same enrolment: exactly one wins.
    if (!(await confirmFactor(tx, 'mfa_totp_factors', pending.id, { now: now, also: { last_step: step, last_used_at: now } })))
      return refuse('code_replayed');
    const recoveryCodes = (await repo.findRecoveryCodeSet(tx, accountId)) ? null : await issueRecoveryCodes(tx, deps, accountId, context);
    await context.audit('mfa.totp_enrolment_confirmed', { subject: accountId }, tx);
    return { confirmed: { factor: toTotpFactorDto({ ...pending, confirmed_at: now, last_used_at: now }), recoveryCodes } };
  });
  if ('refused' in outcome) throw failure(deps, owner, outcome.refused, 'TOTP confirmation refused');
  await revokeSessions(deps.sessions, { accountId, except: owner.sessionId, reason: 'mfa_changed' }, context);
  return outcome.confirmed;
}

/** Removes one of the caller's authenticator apps (confirmed or pending) and signs out their other sessions. */
export async function removeTotpFactor(deps: MfaDeps, owner: FactorOwner, factorId: string, context: RequestContext): Promise<void> {
  const { accountId } = owner;
  const removed = await withTransaction(deps.db, async (tx) => {
    const deleted = await deleteFactor(tx, 'mfa_totp_factors', { accountId, factorId });
    await context.audit(
      'mfa.totp_removed',
      deleted ? { subject: accountId } : { subject: accountId, outcome: 'failure', detail: 'factor_not_found' },
      tx,
    );
    return deleted;
  });
  // Another account's factor answers exactly like a missing one.
  if (!removed) throw appError('MFA_FACTOR_NOT_FOUND', { detail: 'no such TOTP factor for this account' });
  await revokeSessions(deps.sessions, { accountId, except: owner.sessionId, reason: 'mfa_changed' }, context);
}
