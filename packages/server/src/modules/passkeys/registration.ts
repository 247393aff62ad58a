/**
 * @module modules/passkeys/registration
 *
 * Registering a passkey for the signed-in account (WebAuthn L3 §7.1). Options ask for a
 * discoverable credential with user verification and exclude the account's existing passkeys;
 * the challenge is bound to the account and the session that asked. Verification spends the
 * challenge first, then lets @simplewebauthn/server check type, challenge, origin, RP id hash,
 * UP, UV, algorithm and the attestation signature, then applies the deployment's attestation
 * policy, then stores the public key.
 */
import { openAccountEmail } from '../../platform/contact/index.ts';
import type { VerifiedRegistrationResponse } from '@simplewebauthn/server';
import type { Passkey, PasskeyCreationOptions, RegistrationCredential } from '@portcullis/protocol';
import { randomBase64Url } from '../../platform/crypto/index.ts';
import { withTransaction } from '../../platform/db/index.ts';
import { appError, type AppError } from '../../platform/errors/app-error.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { consumeChallenge, issueChallenge } from './challenges.ts';
import { checkAttestation } from './checks/check-attestation.ts';
import { readChallenge } from './client-data.ts';
import { challengeDepsOf, type PasskeysDeps } from './deps.ts';
import { toPasskeyDto } from './passkey-dto.ts';
import { SUPPORTED_ALGORITHMS } from './relying-party.ts';
import * as repo from './repository.ts';
import { verificationFailureReason } from './verification-failure.ts';
import { loadWebAuthn, type WebAuthn } from './webauthn.ts';

export interface RegistrationOwner {
  readonly accountId: string;
  readonly sessionId: string;
}

/** Transports the server remembers (WebAuthn L3 §5.8.4); unknown future values are dropped, not refused. */
const KNOWN_TRANSPORTS: ReadonlySet<string> = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/**
 * The WebAuthn user handle is the account id's 16 UUID bytes: stable (so a second registration
 * on the same authenticator is excluded rather than silently replacing the first), opaque, and
 * free of personal data (WebAuthn L3 §14.6.1).
 */
function userHandleOf({ isoBase64URL }: WebAuthn['helpers'], accountId: string): string {
  return isoBase64URL.fromBuffer(Buffer.from(accountId.replaceAll('-', ''), 'hex'));
}

export async function startRegistration(deps: PasskeysDeps, owner: RegistrationOwner): Promise<PasskeyCreationOptions> {
  const { server, helpers } = await loadWebAuthn();
  const account = await repo.findAccount(deps.db, owner.accountId);
  if (!account) throw new TypeError('the session of a signed-in caller has no account');
  const existing = await repo.listCredentials(deps.db, owner.accountId);
  const challenge = await issueChallenge(challengeDepsOf(deps), 'registration', owner);
  const { relyingParty: rp } = deps;
  const email = await openAccountEmail(deps.dataProtection, deps.db, account);
  const options = await server.generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: email,
    userDisplayName: email,
    userID: helpers.isoBase64URL.toBuffer(userHandleOf(helpers, account.id)),
    challenge: helpers.isoBase64URL.toBuffer(challenge),
    timeout: rp.challengeTtlMs,
    attestationType: rp.attestation.conveyance,
    excludeCredentials: existing.map((c) => ({ id: c.credential_id, transports: JSON.parse(c.transports) as string[] })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
  });
  return options as PasskeyCreationOptions;
}

async function refuse(
  owner: RegistrationOwner,
  context: RequestContext,
  failure: { code: 'PASSKEY_CHALLENGE_INVALID' | 'PASSKEY_REGISTRATION_INVALID' | 'PASSKEY_ALREADY_REGISTERED'; reason: string },
): Promise<AppError> {
  await context.audit('passkey.registration_failed', { outcome: 'failure', subject: owner.accountId, detail: failure.reason });
  return appError(failure.code, { detail: `passkey registration refused: ${failure.reason}` });
}

async function verify(deps: PasskeysDeps, credential: RegistrationCredential, challenge: string): Promise<VerifiedRegistrationResponse> {
  const { relyingParty: rp } = deps;
  const { server } = await loadWebAuthn();
  return server.verifyRegistrationResponse({
    response: credential,
    // Already spent by consumeChallenge; this only ties the signed client data to it.
    expectedChallenge: challenge,
    expectedOrigin: [...rp.origins],
    expectedRPID: rp.id,
    requireUserPresence: true,
    requireUserVerification: true,
    supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
  });
}

export async function finishRegistration(
  deps: PasskeysDeps,
  input: RegistrationOwner & { readonly name: string; readonly credential: RegistrationCredential },
  context: RequestContext,
): Promise<Passkey> {
  const { helpers } = await loadWebAuthn();
  const owner = { accountId: input.accountId, sessionId: input.sessionId };
  const challenge = await readChallenge(input.credential.response.clientDataJSON);
  if (challenge === undefined) throw await refuse(owner, context, { code: 'PASSKEY_REGISTRATION_INVALID', reason: 'malformed' });
  const refusal = await consumeChallenge(challengeDepsOf(deps), challenge, 'registration', owner);
  if (refusal) throw await refuse(owner, context, { code: 'PASSKEY_CHALLENGE_INVALID', reason: `challenge_${refusal}` });

  let verified: VerifiedRegistrationResponse;
  try {
    verified = await verify(deps, input.credential, challenge);
  } catch (error) {
    throw await refuse(owner, context, { code: 'PASSKEY_REGISTRATION_INVALID', reason: verificationFailureReason(error) });
  }
  if (!verified.verified) throw await refuse(owner, context, { code: 'PASSKEY_REGISTRATION_INVALID', reason: 'attestation_invalid' });
  const info = verified.registrationInfo;
  const attestation = await checkAttestation(deps.relyingParty.attestation, info.attestationObject);
  if ('refused' in attestation) throw await refuse(owner, context, { code: 'PASSKEY_REGISTRATION_INVALID', reason: attestation.refused });

  const now = deps.clock.now();
  const row = {
    id: `pk_${randomBase64Url(16)}`,
    account_id: input.accountId,
    credential_id: info.credential.id,
    public_key: helpers.isoBase64URL.fromBuffer(info.credential.publicKey),
    user_handle: userHandleOf(helpers, input.accountId),
    sign_count: info.credential.counter,
    transports: JSON.stringify((input.credential.response.transports ?? []).filter((t) => KNOWN_TRANSPORTS.has(t))),
    backup_eligible: info.credentialDeviceType === 'multiDevice' ? 1 : 0,
    backed_up: info.credentialBackedUp ? 1 : 0,
    aaguid: info.aaguid,
    attestation_format: info.fmt,
    attestation_trust: attestation.trust,
    name: input.name,
    created_at: now,
    last_used_at: null,
    suspended_at: null,
    suspended_reason: null,
  };
  const inserted = await withTransaction(deps.db, async (tx) => {
    if (!(await repo.insertCredential(tx, row))) return false;
    await context.audit('passkey.registered', { subject: input.accountId }, tx);
    return true;
  });
  if (!inserted) throw await refuse(owner, context, { code: 'PASSKEY_ALREADY_REGISTERED', reason: 'credential_exists' });
  return toPasskeyDto(row);
}
