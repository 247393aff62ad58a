/**
 * @module modules/step-up/repository
 *
 * SQL for step-up challenges. Every transition that must happen at most once — taking an
 * attempt, opening and closing a passkey ceremony, marking the challenge answered, spending it —
 * is one conditional UPDATE whose affected-row count decides, so concurrent requests cannot
 * both win.
 */
import { sql, type Kysely, type UpdateObject } from 'kysely';
import type { Database, StepUpChallengesTable } from '../../platform/db/schema.ts';

type Db = Kysely<Database>;

export async function insertChallenge(db: Db, challenge: StepUpChallengesTable): Promise<void> {
  await db.insertInto('step_up_challenges').values(challenge).execute();
}

/** A session's expired challenges are worthless; each new one sweeps them so the table stays small. */
export async function deleteExpiredChallenges(db: Db, sessionId: string, now: number): Promise<void> {
  await db.deleteFrom('step_up_challenges').where('session_id', '=', sessionId).where('expires_at', '<=', now).execute();
}

export async function findChallenge(db: Db, id: string): Promise<StepUpChallengesTable | undefined> {
  return db.selectFrom('step_up_challenges').selectAll().where('id', '=', id).executeTakeFirst();
}

type ChallengeChange = UpdateObject<Database, 'step_up_challenges'>;

/**
 * Applies `change` to the challenge only while it is open — not answered, not used, not expired
 * and, when `maxAttempts` is given, with attempts left. True when this caller changed it.
 */
async function changeOpenChallenge(
  db: Db,
  id: string,
  change: ChallengeChange,
  open: { readonly now: number; readonly maxAttempts?: number },
): Promise<boolean> {
  let update = db
    .updateTable('step_up_challenges')
    .set(change)
    .where('id', '=', id)
    .where('verified_at', 'is', null)
    .where('used_at', 'is', null)
    .where('expires_at', '>', open.now);
  if (open.maxAttempts !== undefined) update = update.where('attempts', '<', open.maxAttempts);
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Takes one answer attempt from an open challenge; false when it is out of attempts, answered, used or expired. */
export function takeAttempt(db: Db, id: string, maxAttempts: number, now: number): Promise<boolean> {
  return changeOpenChallenge(db, id, { attempts: sql`attempts + 1` }, { now, maxAttempts });
}

/** Opens a passkey ceremony (replacing an earlier one) on an open challenge; false when the challenge is not open. */
export function openPasskeyCeremony(db: Db, id: string, nonce: string, maxAttempts: number, now: number): Promise<boolean> {
  return changeOpenChallenge(db, id, { passkey_nonce: nonce }, { now, maxAttempts });
}

/** Closes the passkey ceremony opened with `nonce`: its WebAuthn challenge is spent; exactly one caller wins. */
export async function closePasskeyCeremony(db: Db, id: string, nonce: string): Promise<boolean> {
  const result = await db
    .updateTable('step_up_challenges')
    .set({ passkey_nonce: null })
    .where('id', '=', id)
    .where('passkey_nonce', '=', nonce)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Records the answer; false when the challenge was answered, used or expired meanwhile. */
export function markVerified(db: Db, id: string, answer: { level: string; amr: readonly string[]; now: number }): Promise<boolean> {
  return changeOpenChallenge(
    db,
    id,
    { verified_at: answer.now, verified_level: answer.level, verified_amr: JSON.stringify(answer.amr) },
    { now: answer.now },
  );
}

/** Spends the challenge; exactly one caller wins. */
export async function markUsed(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('step_up_challenges')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
