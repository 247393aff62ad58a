/**
 * @module modules/accounts/passkey-first
 *
 * Passkey-first sign-up (docs/flows/passkey-first-sign-up.md): an account created from an email
 * address alone has no credential, so it belongs to whoever controls that mailbox. Confirming
 * the address with the emailed code is then what proves it, and the confirmation opens a
 * restricted session (the enrolment mechanism of modules/assurance) that can only register a
 * passkey and nothing else; afterwards the person signs in with the passkey.
 *
 * The rules that keep this from becoming a way into someone else's account (ASVS V6.4.1,
 * account pre-hijacking):
 * - only an account with no credential at all (no password, passkey, provider identity or second
 *   factor) is ever entered with an emailed code; an existing password account that confirms its
 *   address gets no session, so its password and second factor still stand in the way;
 * - a sign-up never sets a password on an existing account, and a new confirmation code for an
 *   existing account goes only to its mailbox, only while it has no credential and only when its
 *   roles need no more than `aal1` (staff accounts are made by `portcullis admin create`);
 * - the session is bound to the DPoP key of the confirming request and minted by `issueSession`.
 */
import type { TokenResponse } from '@portcullis/protocol';
import { requiredLevelFor, type AssuranceDeps } from '../assurance/index.ts';
import type { EnrolmentFactor } from '../../platform/routes/contract.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { issueSession, type IssueSessionInput, type SessionsDeps } from '../sessions/index.ts';
import * as repo from './repository.ts';

/** What the rules need from the accounts services: whether passkeys are on, the role policy, the session door. */
export interface PasskeyFirstDeps {
  readonly assurance: Pick<AssuranceDeps, 'passkeySignIn' | 'config'>;
  readonly sessions: SessionsDeps;
}

type Db = Parameters<typeof repo.hasAnyCredential>[0];

const PASSKEY_ONLY: readonly EnrolmentFactor[] = ['passkey'];

/** Whether a passkey-first session may be opened for this account at all (passkeys on, no credential, active). */
export async function mayEnrolByEmail(deps: PasskeyFirstDeps, db: Db, account: repo.AccountRecord): Promise<boolean> {
  return deps.assurance.passkeySignIn && account.status === 'active' && !(await repo.hasAnyCredential(db, account.id));
}

/**
 * Whether a sign-up for an address that already has an account may send that mailbox a new
 * confirmation code (the person lost the first one, or the session it opened expired before a
 * passkey was registered). Otherwise the owner is only told that someone tried.
 */
export async function mayResendConfirmation(deps: PasskeyFirstDeps, db: Db, account: repo.AccountRecord): Promise<boolean> {
  const roles = JSON.parse(account.roles) as string[];
  return requiredLevelFor(roles, deps.assurance.config.requiredLevel) === 'aal1' && (await mayEnrolByEmail(deps, db, account));
}

/**
 * The session a confirmed passkey-first sign-up opens: `aal1`, bound to `jkt`, restricted to
 * registering a passkey (and the routes every restricted session reaches: reading the own
 * account, signing out). An authenticator app or a phone would make the account a password-less
 * one whose only proof is a code, so they wait for a full session. `otp` (RFC 8176): the
 * emailed code is what the person proved.
 */
export function openEnrolmentSession(
  deps: PasskeyFirstDeps,
  input: { accountId: string; jkt: string; device: IssueSessionInput['device'] },
  context: RequestContext,
): Promise<TokenResponse> {
  return issueSession(
    deps.sessions,
    { accountId: input.accountId, aal: 'aal1', amr: ['otp'], jkt: input.jkt, device: input.device, restrictedTo: PASSKEY_ONLY },
    context,
  );
}
