/**
 * @module modules/passkeys/challenges
 *
 * Ceremony challenges (WebAuthn L3 §13.4.3): 256 bits from the OS CSPRNG, stored only as their
 * SHA-256, valid for `passkeys.challengeTtlSeconds`, and spent by the first response that
 * presents them — before its signature is even checked, so a failed attempt cannot be retried
 * with the same challenge and a captured response cannot be replayed. A registration challenge
 * belongs to the account and session that asked for it; a sign-in challenge to nobody (the
 * credential is discoverable, so nobody is known yet).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock/clock.ts';
import { randomBase64Url } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/schema.ts';
import * as repo from './repository.ts';
import { loadWebAuthn } from './webauthn.ts';

export type CeremonyPurpose = 'registration' | 'authentication';

/** Who may answer a challenge: the signed-in account and session (registration), or anyone (sign-in). */
export type ChallengeOwner = { readonly accountId: string; readonly sessionId: string } | null;

/** Why a presented challenge was refused; becomes the audit reason `challenge_<refusal>`. */
export type ChallengeRefusal = 'unknown' | 'used' | 'expired' | 'other_ceremony' | 'other_owner';

export interface ChallengeDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly ttlMs: number;
}

/** 32 bytes: far above the 64 bits ASVS V6.7.2 asks for, and the size SimpleWebAuthn uses. */
const CHALLENGE_BYTES = 32;

async function hashChallenge(challenge: string): Promise<string> {
  const { isoBase64URL, isoUint8Array, toHash } = (await loadWebAuthn()).helpers;
  return isoBase64URL.fromBuffer(await toHash(isoUint8Array.fromUTF8String(challenge)));
}

/** Issues a new challenge for `purpose`; returns it as base64url (what goes into the options). */
export async function issueChallenge(deps: ChallengeDeps, purpose: CeremonyPurpose, owner: ChallengeOwner): Promise<string> {
  const challenge = randomBase64Url(CHALLENGE_BYTES);
  const now = deps.clock.now();
  await repo.deleteExpiredChallenges(deps.db, now);
  await repo.insertChallenge(deps.db, {
    challenge_hash: await hashChallenge(challenge),
    purpose,
    account_id: owner?.accountId ?? null,
    session_id: owner?.sessionId ?? null,
    created_at: now,
    expires_at: now + deps.ttlMs,
    used_at: null,
  });
  return challenge;
}

/**
 * Spends `challenge` for `purpose` and `owner`. Returns undefined when this call spent it, or
 * why it could not be spent. The claim is one conditional UPDATE; the lookup afterwards only
 * names the reason for the audit log.
 */
export async function consumeChallenge(
  deps: ChallengeDeps,
  challenge: string,
  purpose: CeremonyPurpose,
  owner: ChallengeOwner,
): Promise<ChallengeRefusal | undefined> {
  const challengeHash = await hashChallenge(challenge);
  const now = deps.clock.now();
  const claimed = await repo.claimChallenge(deps.db, {
    challengeHash,
    purpose,
    accountId: owner?.accountId ?? null,
    sessionId: owner?.sessionId ?? null,
    now,
  });
  if (claimed) return undefined;
  const row = await repo.findChallenge(deps.db, challengeHash);
  if (!row) return 'unknown';
  if (row.purpose !== purpose) return 'other_ceremony';
  if (row.account_id !== (owner?.accountId ?? null) || row.session_id !== (owner?.sessionId ?? null)) return 'other_owner';
  if (row.used_at !== null) return 'used';
  return 'expired';
}
