/**
 * The audit service functions the audit routes will call: proofs built from the stored tree
 * verify with the RFC 9162 algorithms against signed checkpoints, out-of-range requests are
 * refused with a registry code, and entries are listed by filter with keyset pagination.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../test-support/databases.ts';
import { isAppError } from '../errors/app-error.ts';
import { parseCheckpoint } from '../signed-note/checkpoint.ts';
import { openNote, parseVerifierKey } from '../signed-note/signed-note.ts';
import { hashLeafText } from '../merkle/hash.ts';
import { verifyConsistency, verifyInclusion } from '../merkle/verify.ts';
import { getConsistencyProof, getInclusionProof, latestCheckpoint, listEntries } from './service.ts';
import { openAuditTestDatabase, writeSampleEvents, type AuditTestDatabase } from './test-support/audit-database.ts';

const b64 = (value: string): Buffer => Buffer.from(value, 'base64');

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isAppError(error) ? error.code : String(error);
  }
}

describe.each(testDatabases())('audit service on $dialect', ({ dialect }) => {
  let db: AuditTestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('serves inclusion proofs that verify against the signed checkpoint root, for every entry', async () => {
    db = await openAuditTestDatabase(dialect, { audit: { checkpointEveryEntries: 1, checkpointEverySeconds: 60 } });
    expect(await latestCheckpoint(db.deps)).toBeNull();
    await writeSampleEvents(db, 21);
    const checkpoint = await latestCheckpoint(db.deps);
    expect(checkpoint?.treeSize).toBe(21);
    const body = parseCheckpoint(openNote(checkpoint!.note, parseVerifierKey(checkpoint!.verifierKey)));
    expect(body.root.toString('base64')).toBe(checkpoint!.rootHash);
    const { entries } = await listEntries(db.deps, {}, { limit: 500 });
    for (const entry of entries) {
      const proof = await getInclusionProof(db.deps, entry.index, 21);
      expect(proof.leafHash).toBe(hashLeafText(entry.canonical).toString('base64'));
      expect(proof.rootHash).toBe(checkpoint!.rootHash);
      expect(verifyInclusion(entry.index, 21, b64(proof.leafHash), proof.proof.map(b64), body.root), `entry ${entry.index}`).toBe(true);
    }
    const older = await getInclusionProof(db.deps, 2, 7);
    expect(older.proof.length).toBeGreaterThan(0);
    expect(verifyInclusion(2, 7, b64(older.leafHash), older.proof.map(b64), b64(older.rootHash))).toBe(true);
  });

  it('serves consistency proofs between any two sizes the log reached', async () => {
    db = await openAuditTestDatabase(dialect);
    await writeSampleEvents(db, 13);
    for (const [from, to] of [
      [1, 13],
      [4, 13],
      [7, 8],
      [13, 13],
    ] as const) {
      const proof = await getConsistencyProof(db.deps, from, to);
      expect(verifyConsistency(from, to, b64(proof.fromRoot), b64(proof.toRoot), proof.proof.map(b64)), `${from} → ${to}`).toBe(true);
    }
  });

  it('refuses proofs outside the log with AUDIT_PROOF_RANGE_INVALID', async () => {
    db = await openAuditTestDatabase(dialect);
    await writeSampleEvents(db, 4);
    const deps = db.deps;
    for (const request of [
      () => getInclusionProof(deps, 4, 4),
      () => getInclusionProof(deps, 0, 5),
      () => getInclusionProof(deps, -1, 4),
      () => getInclusionProof(deps, 0.5, 4),
      () => getConsistencyProof(deps, 0, 4),
      () => getConsistencyProof(deps, 3, 2),
      () => getConsistencyProof(deps, 2, 5),
    ]) {
      expect(await refusal(request())).toBe('AUDIT_PROOF_RANGE_INVALID');
    }
  });

  it('lists entries by actor, subject, action and time range, newest first, a page at a time', async () => {
    db = await openAuditTestDatabase(dialect);
    await writeSampleEvents(db, 30);
    const firstPage = await listEntries(db.deps, { actorId: 'acct_3' }, { limit: 2 });
    expect(firstPage.entries.map((e) => e.index)).toEqual([24, 17]);
    expect(firstPage.entries.every((e) => e.actor === 'acct_3')).toBe(true);
    const secondPage = await listEntries(db.deps, { actorId: 'acct_3' }, { limit: 2, before: firstPage.nextBefore! });
    expect(secondPage.entries.map((e) => e.index)).toEqual([10, 3]);
    expect(secondPage.nextBefore).toBeNull();

    const revoked = await listEntries(db.deps, { action: 'session.revoked', subjectId: 'acct_2' });
    expect(revoked.entries.map((e) => e.index)).toEqual([23, 2]);

    const start = Date.UTC(2026, 10, 24, 5, 0, 0);
    const window = await listEntries(db.deps, { from: start + 5, to: start + 8 });
    expect(window.entries.map((e) => [e.index, e.time])).toEqual([
      [6, '2026-11-24T05:00:00.007Z'],
      [5, '2026-11-24T05:00:00.006Z'],
      [4, '2026-11-24T05:00:00.005Z'],
    ]);
    await expect(listEntries(db.deps, {}, { limit: 501 })).rejects.toThrow(TypeError);
  });
});
