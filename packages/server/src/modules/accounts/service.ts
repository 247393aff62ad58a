/**
 * @module modules/accounts/service
 *
 * Sign-up, email verification, password sign-in, password change and reset. Every answer that
 * could reveal whether an address has an account is the same either way, and costs the same:
 * sign-up hashes the password (when one is given) and sends one email on both paths; sign-in
 * runs exactly one Argon2id verification on both paths (a dummy one for unknown accounts); reset
 * does one write on both paths and sends its email off the request path. A sign-up without a
 * password is passkey-first (passkey-first.ts). With `passwords.enabled: false` every password
 * operation refuses first (passwords-enabled.ts). Sessions are minted only through the sessions
 * module's `issueSession`.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Account, TokenResponse } from '@portcullis/protocol';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Database } from '../../platform/db/index.ts';
import { withTransaction } from '../../platform/db/index.ts';
import { appError, retryAfterHeader } from '../../platform/errors/app-error.ts';
import type { Mailer } from '../../platform/mailer/index.ts';
import {
  emailVerificationMessage,
  passwordChangedMessage,
  passwordPausedMessage,
  passwordResetMessage,
  signUpAttemptMessage,
} from '../../platform/mailer/templates.ts';
import { rememberDevice, revokeSessions, type IssueSessionInput, type SessionsDeps } from '../sessions/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { completeFirstFactor, passwordHasSecondFactor, type AssuranceDeps } from '../assurance/index.ts';
import type { AttackMode, PasswordAttempt, PasswordAttemptGuard } from '../defense/index.ts';
import { CODE_POLICY, consumeCode, issueCode } from './one-time-codes.ts';
import { passwordPolicyError, type PasswordHasher, type PasswordPolicy } from './password/index.ts';
import { assertPasswordsEnabled } from './passwords-enabled.ts';
import { mayEnrolByEmail, mayResendConfirmation, openEnrolmentSession } from './passkey-first.ts';
import * as repo from './repository.ts';

export const DEFAULT_ROLES: readonly string[] = ['patient'];

export interface AccountsDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  /** Seals and indexes the address (platform/contact). */
  readonly dataProtection: DataProtection;
  /** `passwords.enabled`: false refuses every password operation with `PASSWORDS_DISABLED`. */
  readonly passwordsEnabled: boolean;
  /** Names of the configured sign-in providers, for mail that says how to sign in. */
  readonly signInProviders: readonly string[];
  readonly hasher: PasswordHasher;
  readonly policy: PasswordPolicy;
  /** Credential-stuffing limits every password check passes first. */
  readonly passwordAttempts: PasswordAttemptGuard;
  /** Counts password sign-in outcomes deployment-wide; during a wave the emailed code is asked for. */
  readonly attackMode: AttackMode;
  /** `defense.breachedPasswords.checkAtSignIn`: a breached password opens a change-password-only session. */
  readonly checkBreachedAtSignIn: boolean;
  readonly mailer: Mailer;
  readonly sessions: SessionsDeps;
  /** The sign-in state machine: decides between a session, `MFA_REQUIRED` and a restricted session. */
  readonly assurance: AssuranceDeps;
  /** Logs delivery failures of mail sent off the request path (no addresses, no codes). */
  readonly onBackgroundError: (error: unknown) => void;
}

export function toAccountDto(account: repo.AccountRecord): Account {
  return {
    id: account.id,
    email: account.email,
    emailVerified: account.email_verified_at !== null,
    roles: JSON.parse(account.roles) as string[],
    createdAt: new Date(account.created_at).toISOString(),
  };
}

/**
 * Runs the password policy. `hasSecondFactor`: a password sign-in to the account is asked for
 * another factor (`passwordHasSecondFactor`), so the shorter minimum applies; never at sign-up.
 */
async function assertPasswordAllowed(
  deps: AccountsDeps,
  password: string,
  account: { readonly email: string; readonly hasSecondFactor: boolean },
  pointer: string,
): Promise<void> {
  const { violations } = await deps.policy.checkPasswordPolicy(password, {
    hasSecondFactor: account.hasSecondFactor,
    context: { email: account.email },
  });
  if (violations.length > 0) throw passwordPolicyError(violations, { pointer });
}

/** Whether a password sign-in to `account` is asked for a second factor now (see modules/assurance). */
function secondFactorGuards(
  deps: AccountsDeps,
  db: Parameters<typeof passwordHasSecondFactor>[1],
  account: repo.AccountRecord,
): Promise<boolean> {
  return passwordHasSecondFactor(deps.assurance, db, { id: account.id, roles: JSON.parse(account.roles) as string[] });
}

/** Sends mail without making the caller wait: response time must not depend on the recipient. */
function sendInBackground(deps: AccountsDeps, to: string, message: { subject: string; text: string }): void {
  deps.mailer.send({ to, ...message }).catch(deps.onBackgroundError);
}

/**
 * Creates an unverified account and mails a confirmation code. Without a password the account
 * is passkey-first. For an address that has an account, the mailbox gets a new code when the
 * account is still without any credential (see passkey-first.ts), else a note that someone
 * tried; the caller hears the same either way.
 */
export async function signUp(
  deps: AccountsDeps,
  input: { email: string; password?: string | undefined },
  context: RequestContext,
): Promise<void> {
  const email = repo.normalizeEmail(input.email);
  let passwordHash: string | null = null;
  if (input.password !== undefined) {
    assertPasswordsEnabled(deps, 'sign-up with a password');
    await assertPasswordAllowed(deps, input.password, { email, hasSecondFactor: false }, '/body/password');
    passwordHash = await deps.hasher.hashPassword(input.password); // on both paths: same cost
  } else if (!deps.assurance.passkeySignIn) {
    throw new TypeError('a sign-up without a password needs passkeys (the route asks for a password)');
  }
  const now = deps.clock.now();
  const account: repo.AccountRecord = {
    id: randomUUID(),
    email,
    email_verified_at: null,
    password_hash: passwordHash,
    password_changed_at: passwordHash === null ? null : now,
    roles: JSON.stringify(DEFAULT_ROLES),
    status: 'active',
    created_at: now,
    updated_at: now,
  };
  const sent = await withTransaction(deps.db, async (tx) => {
    if (!(await repo.insertAccount(deps.dataProtection, tx, account))) {
      const existing = await repo.findAccountByEmail(deps.dataProtection, tx, email);
      // Never a password on an existing account: that is how an account is pre-hijacked.
      const resend = existing !== undefined && (await mayResendConfirmation(deps, tx, existing));
      const code = resend ? await issueCode(tx, deps.keyRing, { accountId: existing.id, purpose: 'verify_email', now }) : undefined;
      await context.audit(
        'account.sign_up_existing',
        { outcome: 'failure', actor: null, subject: resend ? existing.id : null, detail: resend ? 'confirmation_resent' : 'address_taken' },
        tx,
      );
      return code === undefined ? undefined : { code };
    }
    const code = await issueCode(tx, deps.keyRing, { accountId: account.id, purpose: 'verify_email', now });
    await context.audit('account.created', { actor: account.id, subject: account.id }, tx);
    return { code };
  });
  // The owner of an existing address learns someone tried; the caller learns nothing either way.
  const message =
    sent === undefined
      ? signUpAttemptMessage({ passwords: deps.passwordsEnabled, passkeys: deps.assurance.passkeySignIn, providers: deps.signInProviders })
      : emailVerificationMessage({ code: sent.code, validForMinutes: CODE_POLICY.verify_email.ttlMinutes });
  sendInBackground(deps, email, message);
}

/** What a confirmation that may open a passkey-first session carries: the DPoP binding and the device. */
export interface EnrolmentRequest {
  readonly jkt: string;
  readonly device: IssueSessionInput['device'];
}

/**
 * Confirms the address with the emailed code. When the request carries `enrolment` (a DPoP
 * proof and a device) and the account has no credential at all, it answers with a session that
 * can only register a passkey; otherwise with the account. An account with a password, passkey,
 * provider or second factor never gets a session here: the code proves the mailbox, not the
 * person who set those up.
 */
export async function verifyEmail(
  deps: AccountsDeps,
  input: { email: string; code: string; enrolment?: EnrolmentRequest | undefined },
  context: RequestContext,
): Promise<{ account: Account } | { session: TokenResponse }> {
  const email = repo.normalizeEmail(input.email);
  // The transaction commits on a wrong code too: a spent attempt must stay spent.
  const verified = await withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const account = await repo.findAccountByEmail(deps.dataProtection, tx, email);
    if (!account || !(await consumeCode(tx, deps.keyRing, { accountId: account.id, purpose: 'verify_email', code: input.code, now }))) {
      return { failed: account ? 'code mismatch, expired or exhausted' : 'unknown account' };
    }
    await repo.markEmailVerified(tx, account.id, now);
    // The key that signed this request belongs to whoever read the code in the mailbox: the
    // same proof new-device confirmation asks for, so the first sign-in from it asks no code.
    if (input.enrolment !== undefined) await rememberDevice(tx, account.id, input.enrolment.jkt, now, context.ipPrefix);
    const enrol = input.enrolment !== undefined && (await mayEnrolByEmail(deps, tx, account));
    await context.audit('account.email_verified', { actor: account.id, subject: account.id }, tx);
    return { account: toAccountDto({ ...account, email_verified_at: account.email_verified_at ?? now }), enrol };
  });
  if ('failed' in verified) throw appError('VERIFICATION_CODE_INVALID', { detail: verified.failed });
  if (!verified.enrol || input.enrolment === undefined) return { account: verified.account };
  return { session: await openEnrolmentSession(deps, { accountId: verified.account.id, ...input.enrolment }, context) };
}

/**
 * Takes one password check from the attempt limits, or refuses it before any Argon2id work with
 * `AUTH_PASSWORD_THROTTLED` (the same for every address, with an account or not). The first
 * refusal of a window caused by the address's own counter is audited, and the owner, if there is
 * one, is told off the request path.
 */
async function admitPasswordCheck(
  deps: AccountsDeps,
  address: string,
  network: string,
  context: RequestContext,
  options: { readonly signIn?: boolean } = {},
): Promise<PasswordAttempt> {
  const admission = await deps.passwordAttempts.admit({ address, network });
  if (admission.admitted) return admission.attempt;
  // A sign-in refused by the deployment-wide limit is part of a wave and counts for attack mode;
  // refusals by one address's or one network's counters do not: one source, already held back,
  // must not be able to hold the whole deployment in attack mode.
  if (options.signIn && admission.scope === 'global') await deps.attackMode.record('failure', context);
  if (admission.accountNewlyThrottled) {
    const account = await repo.findAccountByEmail(deps.dataProtection, deps.db, address);
    await context.audit('session.password_throttled', {
      outcome: 'failure',
      actor: null,
      subject: account?.id ?? null,
      detail: account ? 'account_paused' : 'unknown_account_paused',
    });
    if (account) {
      const pausedForMinutes = Math.max(1, Math.ceil(admission.retryAfterMs / 60_000));
      sendInBackground(deps, account.email, passwordPausedMessage({ pausedAt: new Date(deps.clock.now()), pausedForMinutes }));
    }
  }
  throw appError('AUTH_PASSWORD_THROTTLED', {
    detail: `password attempts limit: ${admission.scope}`,
    headers: retryAfterHeader(admission.retryAfterMs),
  });
}

/**
 * Password sign-in. Unknown address, wrong password and locked account all answer
 * AUTH_INVALID_CREDENTIALS after exactly one Argon2id verification; the difference is kept in
 * the audit reason. `jkt` is the thumbprint of the DPoP key that signed this request; `network`
 * (from `networkOf`) is what the attempt limits count by.
 */
export async function signInWithPassword(
  deps: AccountsDeps,
  input: { email: string; password: string; device: IssueSessionInput['device']; jkt: string; network: string },
  context: RequestContext,
): Promise<TokenResponse> {
  assertPasswordsEnabled(deps, 'password sign-in');
  const email = repo.normalizeEmail(input.email);
  const attempt = await admitPasswordCheck(deps, email, input.network, context, { signIn: true });
  const account = await repo.findAccountByEmail(deps.dataProtection, deps.db, email);
  const failed = async (reason: string, accountId?: string) => {
    await attempt.failed();
    await deps.attackMode.record('failure', context);
    await context.audit('session.sign_in_failed', {
      outcome: 'failure',
      actor: accountId ?? null,
      subject: accountId ?? null,
      detail: reason,
    });
    return appError('AUTH_INVALID_CREDENTIALS', { detail: reason });
  };
  if (!account?.password_hash) {
    await deps.hasher.verifyDummy(input.password);
    throw await failed(account ? 'no_password' : 'unknown_account', account?.id);
  }
  const { valid, needsRehash } = await deps.hasher.verifyPassword(account.password_hash, input.password);
  if (!valid) throw await failed('bad_password', account.id);
  await attempt.succeeded();
  if (account.status !== 'active') throw await failed('account_locked', account.id);
  await deps.attackMode.record('success', context);
  if (needsRehash)
    await repo.setPasswordHash(deps.db, account.id, await deps.hasher.hashPassword(input.password), deps.clock.now(), { changed: false });
  // Only someone who knows the password learns the address exists but is unverified.
  if (account.email_verified_at === null) throw appError('AUTH_EMAIL_NOT_VERIFIED');
  const roles = JSON.parse(account.roles) as string[];
  // Only someone who knows the password learns it is breached, so this is no oracle; the
  // session it leads to can only change it, after any second factor or device confirmation.
  const passwordBreached = deps.checkBreachedAtSignIn && (await deps.policy.isKnownBreached(input.password));
  if (passwordBreached) await context.audit('session.password_breached', { actor: account.id, subject: account.id });
  return completeFirstFactor(
    deps.assurance,
    { accountId: account.id, roles, amr: ['pwd'], jkt: input.jkt, device: input.device, passwordBreached },
    context,
  );
}

export async function getAccount(deps: AccountsDeps, accountId: string): Promise<Account> {
  const account = await repo.findAccountById(deps.dataProtection, deps.db, accountId);
  if (!account) throw appError('AUTH_REQUIRED', { detail: 'account of a live session is gone' });
  return toAccountDto(account);
}

/** Changes the password after re-checking the current one; every other session is revoked. */
export async function changePassword(
  deps: AccountsDeps,
  input: { accountId: string; sessionId: string; currentPassword: string; newPassword: string; network: string },
  context: RequestContext,
): Promise<void> {
  assertPasswordsEnabled(deps, 'password change');
  const account = await repo.findAccountById(deps.dataProtection, deps.db, input.accountId);
  if (!account?.password_hash) throw appError('AUTH_INVALID_CREDENTIALS', { detail: 'no password set' });
  // A stolen session must not become a way to guess the password at leisure.
  const attempt = await admitPasswordCheck(deps, account.email, input.network, context);
  const { valid } = await deps.hasher.verifyPassword(account.password_hash, input.currentPassword);
  if (!valid) {
    await attempt.failed();
    throw appError('AUTH_INVALID_CREDENTIALS', { detail: 'current password wrong' });
  }
  await attempt.succeeded();
  const hasSecondFactor = await secondFactorGuards(deps, deps.db, account);
  await assertPasswordAllowed(deps, input.newPassword, { email: account.email, hasSecondFactor }, '/body/newPassword');
  const hash = await deps.hasher.hashPassword(input.newPassword);
  const now = deps.clock.now();
  await withTransaction(deps.db, async (tx) => {
    await repo.setPasswordHash(tx, account.id, hash, now, { changed: true });
    await context.audit('password.changed', { actor: account.id, subject: account.id, session: input.sessionId }, tx);
  });
  await revokeSessions(deps.sessions, { accountId: account.id, except: input.sessionId, reason: 'password_changed' }, context);
  sendInBackground(deps, account.email, passwordChangedMessage({ changedAt: new Date(now) }));
}

/** Starts a reset. The same answer and one write either way; the email leaves off the request path. */
export async function requestPasswordReset(deps: AccountsDeps, input: { email: string }, context: RequestContext): Promise<void> {
  assertPasswordsEnabled(deps, 'password reset request');
  const email = repo.normalizeEmail(input.email);
  const now = deps.clock.now();
  const code = await withTransaction(deps.db, async (tx) => {
    const account = await repo.findAccountByEmail(deps.dataProtection, tx, email);
    const issued = account ? await issueCode(tx, deps.keyRing, { accountId: account.id, purpose: 'reset_password', now }) : undefined;
    await context.audit(
      'password.reset_requested',
      {
        outcome: account ? 'success' : 'failure',
        actor: account?.id ?? null,
        subject: account?.id ?? null,
        detail: account ? null : 'unknown_account',
      },
      tx,
    );
    return issued;
  });
  if (code !== undefined)
    sendInBackground(deps, email, passwordResetMessage({ code, validForMinutes: CODE_POLICY.reset_password.ttlMinutes }));
}

/** Completes a reset with the emailed code; every session of the account is revoked. */
export async function confirmPasswordReset(
  deps: AccountsDeps,
  input: { email: string; code: string; newPassword: string },
  context: RequestContext,
): Promise<void> {
  assertPasswordsEnabled(deps, 'password reset');
  const email = repo.normalizeEmail(input.email);
  // Before the code, the same answer for every address: the rules at the shorter minimum, since
  // whether this account has a second factor is not the caller's to learn yet.
  await assertPasswordAllowed(deps, input.newPassword, { email, hasSecondFactor: true }, '/body/newPassword');
  const now = deps.clock.now();
  // The code is checked (and the attempt spent, committed even when wrong) before any Argon2id
  // work, so guessing codes cannot be used to load the hash queue.
  const outcome = await withTransaction(deps.db, async (tx) => {
    const account = await repo.findAccountByEmail(deps.dataProtection, tx, email);
    if (!account || !(await consumeCode(tx, deps.keyRing, { accountId: account.id, purpose: 'reset_password', code: input.code, now }))) {
      return { failed: account ? 'code mismatch, expired or exhausted' : 'unknown account' };
    }
    // With the code proven, the account's own minimum. Throwing rolls the use of the code back:
    // the person retypes a longer password with the same code.
    const tooShort = deps.policy.lengthViolation(input.newPassword, { hasSecondFactor: await secondFactorGuards(deps, tx, account) });
    if (tooShort !== undefined) throw passwordPolicyError([tooShort], { pointer: '/body/newPassword' });
    return { accountId: account.id };
  });
  if ('failed' in outcome) throw appError('VERIFICATION_CODE_INVALID', { detail: outcome.failed });
  const { accountId } = outcome;
  const hash = await deps.hasher.hashPassword(input.newPassword);
  await withTransaction(deps.db, async (tx) => {
    await repo.setPasswordHash(tx, accountId, hash, now, { changed: true });
    // Receiving the code proves control of the address.
    await repo.markEmailVerified(tx, accountId, now);
    await context.audit('password.reset', { actor: accountId, subject: accountId }, tx);
  });
  await revokeSessions(deps.sessions, { accountId, reason: 'password_reset' }, context);
  // Control of the address is proven: a pause drawn by others' guesses ends here.
  await deps.passwordAttempts.forgive(email);
  sendInBackground(deps, email, passwordChangedMessage({ changedAt: new Date(now) }));
}
