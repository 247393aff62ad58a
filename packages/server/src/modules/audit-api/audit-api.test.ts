/**
 * The auditor API over HTTP with DPoP sessions, on SQLite and PostgreSQL (ASVS V16.3.3 the
 * documented security events are logged — auditor queries included, V16.4.2 the log is protected
 * from unauthorised access and any change can be proved). Sessions are minted through the sessions
 * module's `issueSession` at `aal2_phr` as test setup (records-world `signedInDevice`), so the
 * staff MFA policy does not stand between a test and the property it checks.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditCheckpoint, AuditConsistencyProof, AuditEntryList, AuditInclusionProof } from '@portcullis/protocol';
import { buildApp, type App } from '../../app.ts';
import { manualClock } from '../../platform/clock/clock.ts';
import { hashLeafText } from '../../platform/merkle/hash.ts';
import { verifyConsistency, verifyInclusion } from '../../platform/merkle/verify.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import type { TestDevice } from '../../test-support/dpop-client.ts';
import { createAccount, signedInDevice } from '../../test-support/records-world.ts';

const b64 = (text: string) => Buffer.from(text, 'base64');

describe.each(testDatabases())('auditor API on $dialect', ({ dialect }) => {
  let app: App;
  const clock = manualClock(Date.UTC(2026, 2, 1, 9));
  let auditor: TestDevice;
  let auditorId: string;
  let patientId: string;
  let patient: TestDevice;

  beforeAll(async () => {
    const config = testConfig({ dialect });
    app = await buildApp(config, { logger: createLogger(config), clock });
    app.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
    auditorId = await createAccount(app, ['auditor']);
    auditor = await signedInDevice(app, auditorId);
    patientId = await createAccount(app, ['patient']);
    patient = await signedInDevice(app, patientId);
  });
  afterAll(() => app.close());

  const entries = async (query: string): Promise<AuditEntryList> => {
    const response = await auditor.call('GET', `/v1/audit/entries${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<AuditEntryList>();
  };

  it('V16.4.2: filters by actor, subject, action and time range, newest first, paginated by entry index', async () => {
    clock.advance(60_000);
    const before = new Date(clock.now()).toISOString();
    await signedInDevice(app, patientId); // one more session.created about the patient
    clock.advance(1000);
    const bySubject = await entries(`?subjectId=${patientId}&action=session.created`);
    expect(bySubject.entries).toHaveLength(2);
    expect(bySubject.entries.every((e) => e.subject === patientId && e.action === 'session.created')).toBe(true);
    expect(bySubject.entries[0]?.index).toBeGreaterThan(bySubject.entries[1]?.index ?? Infinity);
    const inRange = await entries(`?subjectId=${patientId}&from=${encodeURIComponent(before)}`);
    // The auditor's own earlier query about the patient is in range too: queries are entries.
    expect(inRange.entries.map((e) => e.action)).toEqual(['audit.queried', 'session.created']);
    const beforeRange = await entries(`?subjectId=${patientId}&action=session.created&to=${encodeURIComponent(before)}`);
    expect(beforeRange.entries).toHaveLength(1);

    const first = await entries(`?actorId=${patientId}&limit=1`);
    expect(first.entries).toHaveLength(1);
    expect(first.nextBefore).not.toBeNull();
    const second = await entries(`?actorId=${patientId}&limit=1&before=${String(first.nextBefore)}`);
    expect(second.entries[0]?.index).toBeLessThan(first.entries[0]?.index ?? 0);
  });

  it('V16.3.3: every auditor query is itself an entry of the log (actor, kind, outcome; identifiers only)', async () => {
    await auditor.call('GET', `/v1/audit/entries?subjectId=${patientId}`);
    await auditor.call('GET', '/v1/audit/proofs/inclusion?entryIndex=0&treeSize=999999');
    const own = await entries(`?actorId=${auditorId}&action=audit.queried&limit=2`);
    expect(own.entries.map((e) => [e.outcome, e.reason, e.subject])).toEqual([
      ['failure', 'inclusion_proof', null],
      ['success', 'entries', patientId],
    ]);
    expect(own.entries.every((e) => e.session !== null && e.requestId !== null)).toBe(true);
  });

  it('V16.4.2: an inclusion proof and a consistency proof between two signed checkpoints verify against the entries listed', async () => {
    const firstCheckpoint = (await auditor.call('GET', '/v1/audit/checkpoint')).json<{ checkpoint: AuditCheckpoint }>().checkpoint;
    expect(firstCheckpoint.note).toContain(`\n${String(firstCheckpoint.treeSize)}\n`);
    await signedInDevice(app, patientId);
    clock.advance(61_000); // past audit.checkpointEverySeconds: the next read signs a new checkpoint
    const secondCheckpoint = (await auditor.call('GET', '/v1/audit/checkpoint')).json<{ checkpoint: AuditCheckpoint }>().checkpoint;
    expect(secondCheckpoint.treeSize).toBeGreaterThan(firstCheckpoint.treeSize);

    const [entry] = (await entries(`?subjectId=${patientId}&action=session.created&limit=1`)).entries;
    if (!entry) throw new Error('no entry');
    const inclusion = await auditor.call(
      'GET',
      `/v1/audit/proofs/inclusion?entryIndex=${entry.index}&treeSize=${secondCheckpoint.treeSize}`,
    );
    expect(inclusion.statusCode, inclusion.body).toBe(200);
    const proof = inclusion.json<AuditInclusionProof>();
    expect(b64(proof.leafHash)).toEqual(hashLeafText(entry.canonical));
    expect(proof.rootHash).toBe(secondCheckpoint.rootHash);
    expect(verifyInclusion(entry.index, proof.treeSize, b64(proof.leafHash), proof.proof.map(b64), b64(secondCheckpoint.rootHash))).toBe(
      true,
    );

    const consistency = await auditor.call(
      'GET',
      `/v1/audit/proofs/consistency?fromSize=${firstCheckpoint.treeSize}&toSize=${secondCheckpoint.treeSize}`,
    );
    expect(consistency.statusCode, consistency.body).toBe(200);
    const c = consistency.json<AuditConsistencyProof>();
    expect([c.fromRoot, c.toRoot]).toEqual([firstCheckpoint.rootHash, secondCheckpoint.rootHash]);
    expect(verifyConsistency(c.fromSize, c.toSize, b64(c.fromRoot), b64(c.toRoot), c.proof.map(b64))).toBe(true);
  });

  it('bad input is a 4xx problem, never a 500', async () => {
    const cases: [string, number, string][] = [
      ['/v1/audit/entries?limit=0', 400, 'REQUEST_INVALID'],
      ['/v1/audit/entries?limit=501', 400, 'REQUEST_INVALID'],
      ['/v1/audit/entries?from=yesterday', 400, 'REQUEST_INVALID'],
      ['/v1/audit/entries?actorId=%27%20or%201%3D1', 400, 'REQUEST_INVALID'],
      ['/v1/audit/entries?before=-1', 400, 'REQUEST_INVALID'],
      ['/v1/audit/proofs/inclusion?entryIndex=5&treeSize=5', 400, 'AUDIT_PROOF_RANGE_INVALID'],
      ['/v1/audit/proofs/inclusion?entryIndex=1', 400, 'REQUEST_INVALID'],
      ['/v1/audit/proofs/consistency?fromSize=0&toSize=1', 400, 'AUDIT_PROOF_RANGE_INVALID'],
      ['/v1/audit/proofs/consistency?fromSize=1&toSize=999999999999999', 400, 'AUDIT_PROOF_RANGE_INVALID'],
    ];
    for (const [url, status, code] of cases) {
      const response = await auditor.call('GET', url);
      expect([url, response.statusCode, response.json<{ code: string }>().code]).toEqual([url, status, code]);
    }
  });

  it('V8.2.1, V16.4.2: the audit log is for auditors only (a patient is refused)', async () => {
    const response = await patient.call('GET', '/v1/audit/entries');
    expect([response.statusCode, response.json<{ code: string }>().code]).toEqual([403, 'RBAC_FORBIDDEN']);
  });
});
