/**
 * Migration 0019-declared-records on a database written by the previous release: entries with a
 * clear `kind` and a body sealed under the key ring become `file-entry` records whose `kind` and
 * `note` are sealed for the patient; the old columns are gone, the patient and their clinician
 * read the same text through the API, and the key ring alone opens nothing any more.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { migratedTo } from './test-support/migrated-to.ts';
import { buildApp, type App } from '../../../app.ts';
import { testConfig } from '../../../test-support/build-test-app.ts';
import { testDatabases } from '../../../test-support/databases.ts';
import { signedInDevice } from '../../../test-support/records-world.ts';
import { createSealer, loadKeyRing, type KeyRing } from '../../crypto/index.ts';
import { createLogger } from '../../logging/logger.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../index.ts';
import { MigrationError } from './index.ts';

interface PreviousRelease {
  accounts: {
    id: string;
    email: string;
    email_verified_at: number;
    password_hash: null;
    password_changed_at: null;
    roles: string;
    status: string;
    created_at: number;
    updated_at: number;
  };
  record_grants: {
    id: string;
    patient_account_id: string;
    grantee_account_id: string;
    scope: string;
    created_at: number;
    revoked_at: null;
  };
  record_entries: {
    id: string;
    patient_account_id: string;
    author_account_id: string;
    kind: string;
    body_ciphertext: string;
    created_at: number;
  };
}

/** How the previous release sealed entry bodies (its modules/records/body-cipher.ts). */
function sealAsBefore(keyRing: KeyRing, body: string, entryId: string, patientId: string): string {
  return createSealer(keyRing, 'portcullis records entry-body aes-256-gcm v1').seal(new TextEncoder().encode(body), [entryId, patientId]);
}

describe.each(testDatabases())('migration 0019-declared-records on $dialect', ({ dialect }) => {
  let database: DatabaseHandle | undefined;
  let app: App | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await app?.close();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    app = undefined;
    database = undefined;
  });

  /** A database migrated as the previous release left it, with a patient, a clinician and two entries. */
  async function previousRelease() {
    const config = testConfig({ dialect });
    dataDir = config.dataDir;
    database = openDatabase(config, createLogger(config));
    const db = await migratedTo(database, '0017-data-keys');

    const keyRing = loadKeyRing(config);
    const legacy = db as Kysely<PreviousRelease>;
    const [patient, clinician] = [randomUUID(), randomUUID()];
    for (const [id, role] of [
      [patient, 'patient'],
      [clinician, 'clinician'],
    ] as const) {
      await legacy
        .insertInto('accounts')
        .values({
          id,
          email: `${id}@clinic.test`,
          email_verified_at: 1,
          password_hash: null,
          password_changed_at: null,
          roles: JSON.stringify([role]),
          status: 'active',
          created_at: 1,
          updated_at: 1,
        })
        .execute();
    }
    await legacy
      .insertInto('record_grants')
      .values({
        id: randomUUID(),
        patient_account_id: patient,
        grantee_account_id: clinician,
        scope: 'read',
        created_at: 1,
        revoked_at: null,
      })
      .execute();
    const entries = [
      { id: randomUUID(), kind: 'note', body: 'migrated note: knee feels better', created_at: 1_000 },
      { id: randomUUID(), kind: 'prescription', body: 'migrated prescription: ibuprofen 400 mg', created_at: 2_000 },
    ];
    for (const entry of entries) {
      await legacy
        .insertInto('record_entries')
        .values({
          id: entry.id,
          patient_account_id: patient,
          author_account_id: clinician,
          kind: entry.kind,
          body_ciphertext: sealAsBefore(keyRing, entry.body, entry.id, patient),
          created_at: entry.created_at,
        })
        .execute();
    }
    return { config, keyRing, patient, clinician, entries, handle: database };
  }

  it('re-seals every entry for its patient as a file-entry; both readers see the same text', async () => {
    const before = await previousRelease();
    app = await buildApp(before.config, { database: before.handle, keyRing: before.keyRing, logger: createLogger(before.config) });

    const rows = await before.handle.db.selectFrom('record_entries').selectAll().orderBy('created_at').execute();
    expect(rows.map((row) => Object.keys(row).sort())).toEqual(
      rows.map(() => ['author_account_id', 'created_at', 'fields', 'id', 'patient_account_id', 'type']),
    );
    expect(rows.map((row) => row.type)).toEqual(['file-entry', 'file-entry']);
    for (const entry of before.entries) expect(JSON.stringify(rows)).not.toContain(entry.body);
    const sealed = JSON.parse(rows[0]?.fields ?? '{}') as Record<string, { sealed: string }>;
    expect(Object.keys(sealed).sort()).toEqual(['kind', 'note']);
    expect(sealed['kind']?.sealed).toMatch(/^pd1\./);

    const expected = before.entries
      .map((entry) => ({ id: entry.id, type: 'file-entry', fields: { kind: entry.kind, note: entry.body } }))
      .reverse(); // newest first
    const patient = await signedInDevice(app, before.patient);
    const essentials = (body: { entries: { id: string; type: string; fields: unknown }[] }) =>
      body.entries.map(({ id, type, fields }) => ({ id, type, fields }));
    const own = await patient.call('GET', '/v1/records/me/entries');
    expect(essentials(own.json())).toEqual(expected);
    const clinician = await signedInDevice(app, before.clinician);
    const granted = await clinician.call('GET', `/v1/records/patients/${before.patient}/entries`);
    expect(essentials(granted.json())).toEqual(expected);
  });

  it('refuses to run over existing entries without the key ring and the key service, changes nothing, and runs later with them', async () => {
    const before = await previousRelease();
    await expect(migrateToLatest(before.handle)).rejects.toThrow(MigrationError);
    const legacy = before.handle.db as unknown as Kysely<PreviousRelease>;
    const rows = await legacy.selectFrom('record_entries').selectAll().execute();
    expect(rows.map((row) => Object.keys(row).sort())).toEqual(
      rows.map(() => ['author_account_id', 'body_ciphertext', 'created_at', 'id', 'kind', 'patient_account_id']),
    );

    app = await buildApp(before.config, { database: before.handle, keyRing: before.keyRing, logger: createLogger(before.config) });
    const patient = await signedInDevice(app, before.patient);
    const own = await patient.call('GET', '/v1/records/me/entries');
    expect(
      own
        .json<{ entries: { fields: { note: string } }[] }>()
        .entries.map((entry) => entry.fields.note)
        .sort(),
    ).toEqual(before.entries.map((entry) => entry.body).sort());
  });
});
