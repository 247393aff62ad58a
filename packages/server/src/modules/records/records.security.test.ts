/**
 * Patient-file invariants (ASVS V8.2.2 data-specific access, V8.3.1 enforcement at the data
 * layer, V11.3.3 authenticated encryption at rest, V16.2.1 and V16.3.2 audit of sensitive-data access):
 * - the scoped queries of scope.ts are the only way to the patient-file tables;
 * - a list never returns another patient's rows, whatever grants exist for others;
 * - grants reach only clinicians, are revocable, and a revoked or read-only grant adds nothing;
 * - entry fields are stored only sealed under the patient's own data key, bound to entry, field and patient;
 * - grants and every read or write are audited with identifiers only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { addEntryAs, createAccount, insertGrant, signedInDevice } from '../../test-support/records-world.ts';
import { SealedDataUnreadableError } from '../../platform/crypto/index.ts';

const SERVER_SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** A query reaching a table: Kysely's builders (`selectFrom('record_…')`, joins, …) or raw SQL (`from record_…`). */
const TABLE_ACCESS =
  /(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|[jJ]oin\w*)\(\s*\[?\s*['"`]record_(entries|grants)\b|\b(from|join|into|update|table)\s+"?record_(entries|grants)\b/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('the scope helper is the only door to the patient-file tables', () => {
  it('V8.3.1: no production file but scope.ts queries record_entries or record_grants (migrations aside)', () => {
    const allowed = new Set([
      'modules/records/scope.ts',
      'platform/db/migrations/0011-records.ts',
      'platform/db/migrations/0019-declared-records.ts',
    ]);
    const offenders = sourceFiles(SERVER_SRC)
      .map((file) => path.relative(SERVER_SRC, file).split(path.sep).join('/'))
      .filter((file) => !file.startsWith('test-support/') && !allowed.has(file))
      .filter((file) => TABLE_ACCESS.test(readFileSync(path.join(SERVER_SRC, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the check would notice a second door', () => {
    expect(TABLE_ACCESS.test(readFileSync(path.join(SERVER_SRC, 'modules/records/scope.ts'), 'utf8'))).toBe(true);
    for (const door of [
      "db.selectFrom('record_entries')",
      'tx.updateTable("record_grants")',
      ".innerJoin('record_grants', 'a', 'b')",
      'sql`select * from record_entries`',
      'sql`DELETE FROM "record_grants"`',
    ]) {
      expect([door, TABLE_ACCESS.test(door)]).toEqual([door, true]);
    }
    expect(TABLE_ACCESS.test(".where('record_entries.patient_account_id', '=', id)")).toBe(false);
  });
});

describe.each(testDatabases())('patient file on $dialect', ({ dialect }) => {
  let app: App;
  beforeEach(async () => {
    app = await buildTestApp({ dialect });
  });
  afterEach(() => app.close());

  async function clinic() {
    const alice = await createAccount(app, ['patient']);
    const bob = await createAccount(app, ['patient']);
    const carol = await createAccount(app, ['clinician']);
    const dave = await createAccount(app, ['clinician']);
    const support = await createAccount(app, ['support']);
    return {
      alice: { id: alice, device: await signedInDevice(app, alice) },
      bob: { id: bob, device: await signedInDevice(app, bob) },
      carol: { id: carol, device: await signedInDevice(app, carol) },
      dave: { id: dave, device: await signedInDevice(app, dave) },
      support: { id: support, device: await signedInDevice(app, support) },
    };
  }

  it('V8.2.2: lists never return another patient’s rows, for patients and clinicians alike', async () => {
    const c = await clinic();
    // Alice grants Carol; Bob grants Dave. Both clinicians write into their patient's file.
    expect((await c.alice.device.call('POST', '/v1/records/grants', { granteeAccountId: c.carol.id, scope: 'write' })).statusCode).toBe(
      201,
    );
    expect((await c.bob.device.call('POST', '/v1/records/grants', { granteeAccountId: c.dave.id, scope: 'write' })).statusCode).toBe(201);
    const aliceEntry = await addEntryAs(c.carol.device, c.alice.id, 'alice: blood pressure 120/80');
    const bobEntry = await addEntryAs(c.dave.device, c.bob.id, 'bob: allergy to penicillin');

    const aliceList = await c.alice.device.call('GET', '/v1/records/me/entries');
    expect(aliceList.json<{ entries: { id: string }[] }>().entries.map((e) => e.id)).toEqual([aliceEntry]);
    expect(aliceList.body).not.toContain('penicillin');
    const carolPatients = await c.carol.device.call('GET', '/v1/records/patients');
    expect(carolPatients.json<{ grants: { patientAccountId: string }[] }>().grants.map((g) => g.patientAccountId)).toEqual([c.alice.id]);
    const carolOnBob = await c.carol.device.call('GET', `/v1/records/patients/${c.bob.id}/entries`);
    expect([carolOnBob.statusCode, carolOnBob.json<{ code: string }>().code]).toEqual([404, 'RECORD_NOT_FOUND']);
    const carolReadsBobEntryThroughAlice = await c.carol.device.call('GET', `/v1/records/patients/${c.alice.id}/entries/${bobEntry}`);
    expect(carolReadsBobEntryThroughAlice.statusCode).toBe(404);
    const aliceReadsBobEntry = await c.alice.device.call('GET', `/v1/records/me/entries/${bobEntry}`);
    expect(aliceReadsBobEntry.statusCode).toBe(404);
  });

  it('V8.2.2: a revoked grant ends access at once; a read grant cannot add entries', async () => {
    const c = await clinic();
    const grant = (await c.alice.device.call('POST', '/v1/records/grants', { granteeAccountId: c.carol.id, scope: 'read' })).json<{
      id: string;
    }>();
    const write = await c.carol.device.call('POST', `/v1/records/patients/${c.alice.id}/entries`, {
      type: 'file-entry',
      fields: { kind: 'note', note: 'x' },
    });
    expect([write.statusCode, write.json<{ code: string }>().code]).toEqual([404, 'RECORD_NOT_FOUND']);
    expect((await c.carol.device.call('GET', `/v1/records/patients/${c.alice.id}/entries`)).statusCode).toBe(200);

    // Bob cannot revoke Alice's grant; Alice can, once.
    expect((await c.bob.device.call('DELETE', `/v1/records/grants/${grant.id}`)).statusCode).toBe(404);
    expect((await c.alice.device.call('DELETE', `/v1/records/grants/${grant.id}`)).statusCode).toBe(204);
    expect((await c.alice.device.call('DELETE', `/v1/records/grants/${grant.id}`)).json<{ code: string }>().code).toBe(
      'RECORD_GRANT_NOT_FOUND',
    );
    expect((await c.carol.device.call('GET', `/v1/records/patients/${c.alice.id}/entries`)).statusCode).toBe(404);
    expect((await c.carol.device.call('GET', '/v1/records/patients')).json<{ grants: unknown[] }>().grants).toEqual([]);
    expect((await c.alice.device.call('GET', '/v1/records/grants')).json<{ grants: unknown[] }>().grants).toEqual([]);
  });

  it('V8.2.2: only accounts whose roles may hold the grant can receive one (support, patients, oneself, unknown ids refused)', async () => {
    const c = await clinic();
    for (const granteeAccountId of [c.support.id, c.bob.id, c.alice.id, '00000000-0000-4000-8000-000000000000']) {
      const response = await c.alice.device.call('POST', '/v1/records/grants', { granteeAccountId, scope: 'read' });
      expect([granteeAccountId, response.statusCode, response.json<{ code: string }>().code]).toEqual([
        granteeAccountId,
        400,
        'RECORD_GRANTEE_INVALID',
      ]);
    }
    const malformed = await c.alice.device.call('POST', '/v1/records/grants', { granteeAccountId: 'carol', scope: 'admin' });
    expect(malformed.statusCode).toBe(400);
  });

  it('V8.2.2: a grant by email address reaches the clinician of that address; an unknown address and a non-clinician get one same answer', async () => {
    const c = await clinic();
    // The address as a person types it: other case, spaces around.
    const byEmail = await c.alice.device.call('POST', '/v1/records/grants', {
      granteeEmail: ` ${c.carol.id.toUpperCase()}@Clinic.test `.trim(),
      scope: 'read',
    });
    expect(byEmail.statusCode).toBe(201);
    expect(byEmail.json<{ granteeAccountId: string; patientAccountId: string }>()).toMatchObject({
      granteeAccountId: c.carol.id,
      patientAccountId: c.alice.id,
    });
    expect((await c.carol.device.call('GET', '/v1/records/patients')).json<{ grants: { patientAccountId: string }[] }>().grants).toEqual([
      expect.objectContaining({ patientAccountId: c.alice.id }),
    ]);
    for (const granteeEmail of [`${c.support.id}@clinic.test`, `${c.alice.id}@clinic.test`, 'nobody@clinic.test']) {
      const response = await c.alice.device.call('POST', '/v1/records/grants', { granteeEmail, scope: 'read' });
      expect([granteeEmail, response.statusCode, response.json<{ code: string; detail?: string }>()]).toEqual([
        granteeEmail,
        400,
        expect.objectContaining({ code: 'RECORD_GRANTEE_INVALID' }),
      ]);
    }
    for (const body of [
      { granteeEmail: 'not an address', scope: 'read' },
      { granteeEmail: `${c.carol.id}@clinic.test`, granteeAccountId: c.carol.id, scope: 'read' },
    ]) {
      expect((await c.alice.device.call('POST', '/v1/records/grants', body)).json<{ code: string }>().code).toBe('REQUEST_INVALID');
    }
  });

  it('V8.2.2: a clinician moved to support keeps no access through grants given earlier', async () => {
    const c = await clinic();
    await insertGrant(app, { patientId: c.alice.id, granteeId: c.carol.id, scope: 'write' });
    await addEntryAs(c.carol.device, c.alice.id, 'before the move');
    await app.portcullis.database.db
      .updateTable('accounts')
      .set({ roles: JSON.stringify(['support']) })
      .where('id', '=', c.carol.id)
      .execute();
    const response = await c.carol.device.call('GET', `/v1/records/patients/${c.alice.id}/entries`);
    expect([response.statusCode, response.json<{ code: string }>().code]).toEqual([403, 'RBAC_FORBIDDEN']);
  });

  it('V11.3.3: every field is stored only sealed for the patient, bound to its entry, field and patient', async () => {
    const c = await clinic();
    await insertGrant(app, { patientId: c.alice.id, granteeId: c.carol.id, scope: 'write' });
    const entryId = await addEntryAs(c.carol.device, c.alice.id, 'diagnosis: very private words');
    const rows = await app.portcullis.database.db.selectFrom('record_entries').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain('very private');
    const row = rows.find((r) => r.id === entryId);
    expect(row?.type).toBe('file-entry');
    const fields = JSON.parse(row?.fields ?? '{}') as Record<string, { sealed: string }>;
    expect(Object.keys(fields).sort()).toEqual(['kind', 'note']);
    const { dataProtection, database } = app.portcullis;
    const at = { table: 'record_entries', column: 'fields/note', rowId: entryId };
    const sealed = fields['note']?.sealed ?? '';
    expect(await dataProtection.open(database.db, c.alice.id, sealed, at)).toBe(JSON.stringify('diagnosis: very private words'));
    for (const [subject, moved] of [
      [c.bob.id, at],
      [c.alice.id, { ...at, column: 'fields/kind' }],
      [c.alice.id, { ...at, rowId: '00000000-0000-4000-8000-000000000000' }],
    ] as const) {
      await expect(dataProtection.open(database.db, subject, sealed, moved)).rejects.toThrow(SealedDataUnreadableError);
    }
  });

  it('V16.2.1, V16.3.2: grants, revocations, reads and writes are audited with identifiers only', async () => {
    const c = await clinic();
    const grant = (await c.alice.device.call('POST', '/v1/records/grants', { granteeAccountId: c.carol.id, scope: 'write' })).json<{
      id: string;
    }>();
    await addEntryAs(c.carol.device, c.alice.id, 'audited body text');
    await c.carol.device.call('GET', `/v1/records/patients/${c.alice.id}/entries`);
    await c.alice.device.call('DELETE', `/v1/records/grants/${grant.id}`);
    const events = await app.portcullis.database.db
      .selectFrom('audit_events')
      .select(['action', 'actor_id', 'subject_id', 'reason'])
      .where('action', 'like', 'record.%')
      .orderBy('log_index')
      .execute();
    expect(events).toEqual([
      { action: 'record.grant_created', actor_id: c.alice.id, subject_id: c.carol.id, reason: 'write' },
      { action: 'record.written', actor_id: c.carol.id, subject_id: c.alice.id, reason: 'entry_added' },
      { action: 'record.read', actor_id: c.carol.id, subject_id: c.alice.id, reason: 'granted_file_listed' },
      { action: 'record.grant_revoked', actor_id: c.alice.id, subject_id: c.alice.id, reason: 'revoked' },
    ]);
    expect(JSON.stringify(events)).not.toContain('audited body');
  });
});
