/**
 * What a copy of everything but the key service reveals: nothing personal. People sign up, fill
 * in their profiles, add phones and get file entries through the API, each value a unique
 * marker; then the SQLite file with its WAL (or a `pg_dump` of the PostgreSQL schema), every
 * other file of the data directory — the server key ring included — and every log line are
 * searched for the markers as text, UTF-16, base64, base64url and hex. None may be found. Then
 * one person is erased: with the key service still there, nothing sealed for them opens — not
 * even the values a backup taken before the erasure holds — and the audit log verifies.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresRunUrl, testDatabases } from './test-support/databases.ts';
import { TestDevice } from './test-support/dpop-client.ts';
import { addPhone } from './test-support/phone-harness.ts';
import { addEntryAs, createAccount, insertGrant, saveProfile, signedInDevice } from './test-support/records-world.ts';
import { findMarkers } from './test-support/plaintext-scan.ts';
import {
  PASSWORD,
  authenticatorCode,
  buildPrivacyHarness,
  expectAuditLogVerifies,
  personWithTotp,
  withStepUp,
  type PersonWithTotp,
  type PrivacyHarness,
} from './modules/privacy/test-support/privacy-harness.ts';

/** The key service's own files: the one thing the copy leaves out. */
const KEY_SERVICE_DIR = 'key-service';

/** A value no other test writes, long enough that no encoding of other bytes contains it by chance. */
const marker = (label: string) => `${label}${randomBytes(6).toString('hex')}`;
/** A UK mobile number in the range set aside for drama (+44 7700 900000–900999). */
const phoneNumber = (n: number) => `+447700900${String(100 + n * 37 + (randomBytes(1)[0] ?? 0)).padStart(3, '0')}`;

interface SeededPerson {
  readonly person: PersonWithTotp;
  /** Every value seeded about the person, as it would be searched for. */
  readonly markers: readonly string[];
}

function filesUnder(dir: string, skip: string): { where: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === skip) return [];
    if (statSync(full).isDirectory()) return filesUnder(full, skip).map((file) => ({ ...file, where: `${name}/${file.where}` }));
    return [{ where: name, bytes: readFileSync(full) }];
  });
}

/** A second session of the person, signed in with password and authenticator app (aal2): phones are added from it. */
async function aal2Device(h: PrivacyHarness, person: PersonWithTotp): Promise<TestDevice> {
  const device = new TestDevice(h.app);
  h.clock.advance(30_000);
  const first = await device.signIn(person.email, PASSWORD);
  const challenge = first.json<{ challenge?: { token: string } }>().challenge;
  const signedIn = await device.send({
    method: 'POST',
    url: '/v1/sessions/mfa',
    payload: { challenge: challenge?.token, method: 'totp', code: authenticatorCode(person.secret, h.clock.now()) },
  });
  if (signedIn.statusCode !== 201) throw new Error(`aal2 sign-in failed: ${signedIn.body}`);
  device.tokens = signedIn.json();
  return device;
}

describe.each(testDatabases())('V14.2.4 V11.3.3 V13.3.1: a copy of the storage without the key service on $dialect', ({ dialect }) => {
  let h: PrivacyHarness;
  const logLines: string[] = [];
  const people: SeededPerson[] = [];

  beforeAll(async () => {
    h = await buildPrivacyHarness(dialect, { logLines, config: { mfa: { smsCodes: { enabled: true } } } });
    const clinicianId = await createAccount(h.app, ['clinician']);
    const clinician = await signedInDevice(h.app, clinicianId);
    for (let n = 0; n < 3; n++) {
      const emailLocal = marker('mail');
      const person = await personWithTotp(h, `${emailLocal}@clinic.test`);
      const profile = { displayName: marker('name'), pronouns: marker('pron'), address: marker('addr'), emergencyContact: marker('kin') };
      await saveProfile(person.device, profile);
      const phone = phoneNumber(n);
      // Confirming a phone may end the person's other sessions; the aal2 one carries on from here.
      const device = await aal2Device(h, person);
      await addPhone(h.app, { device, accountId: person.accountId, email: person.email }, phone);
      await insertGrant(h.app, { patientId: person.accountId, granteeId: clinicianId, scope: 'write' });
      const note = marker('note');
      await addEntryAs(clinician, person.accountId, note);
      people.push({ person: { ...person, device }, markers: [emailLocal, ...Object.values(profile), phone.slice(1), note] });
    }
  });
  afterAll(() => h.app.close());

  function storageCopy(): { where: string; bytes: Buffer }[] {
    const { dataDir, database } = h.config;
    const files = filesUnder(dataDir, KEY_SERVICE_DIR);
    const logs = { where: 'logs', bytes: Buffer.from(logLines.join('\n')) };
    if (dialect === 'sqlite') return [...files, logs];
    const url = postgresRunUrl();
    if (url === null) throw new Error('no PostgreSQL server to dump');
    const dump = execFileSync('pg_dump', ['--dbname', url, '--schema', database.schema, '--no-owner'], { maxBuffer: 256 * 1024 * 1024 });
    return [...files, logs, { where: 'pg_dump', bytes: dump }];
  }

  it('holds none of the markers in any encoding', () => {
    const copy = storageCopy();
    const names = copy.map((file) => file.where);
    if (dialect === 'sqlite') expect(names).toEqual(expect.arrayContaining(['portcullis.db', 'portcullis.db-wal']));
    else expect(names).toContain('pg_dump');
    expect(logLines.length).toBeGreaterThan(0);
    expect(
      findMarkers(
        copy,
        people.flatMap((seeded) => seeded.markers),
      ),
    ).toEqual([]);
  });

  it('after an erasure, nothing sealed for the person opens — not even from a backup — and the audit log verifies', async () => {
    const [erased, kept] = people;
    if (!erased || !kept) throw new Error('seeding failed');
    const { db } = h.app.portcullis.database;
    const { dataProtection } = h.app.portcullis;
    // A "backup" taken before the erasure: the person's sealed file entries and profile fields.
    const backup = [
      ...(
        await db.selectFrom('record_entries').select(['id', 'fields']).where('patient_account_id', '=', erased.person.accountId).execute()
      ).map((row) => ({ table: 'record_entries', rowId: row.id, fields: row.fields })),
      ...(await db.selectFrom('profiles').select(['account_id', 'fields']).where('account_id', '=', erased.person.accountId).execute()).map(
        (row) => ({ table: 'profiles', rowId: row.account_id, fields: row.fields }),
      ),
    ].flatMap(({ table, rowId, fields }) =>
      Object.entries(JSON.parse(fields) as Record<string, unknown>)
        .filter((entry): entry is [string, { sealed: string }] => typeof (entry[1] as { sealed?: unknown } | null)?.sealed === 'string')
        .map(([field, value]) => ({ sealed: value.sealed, at: { table, column: `fields/${field}`, rowId } })),
    );
    expect(backup.length).toBeGreaterThanOrEqual(5);
    for (const { sealed, at } of backup)
      await expect(dataProtection.open(db, erased.person.accountId, sealed, at)).resolves.toBeTypeOf('string');

    // Past the step-up window of the aal2 sign-in, so the erasure asks for the authenticator app again.
    h.clock.advance(301_000);
    const erasure = await withStepUp(h, erased.person, { method: 'DELETE', url: '/v1/accounts/me' });
    expect(erasure.statusCode).toBe(200);

    const keys = await db.selectFrom('data_keys').select('version').where('subject_id', '=', erased.person.accountId).execute();
    expect(keys).toEqual([]);
    for (const { sealed, at } of backup) await expect(dataProtection.open(db, erased.person.accountId, sealed, at)).rejects.toThrow();
    // The others are untouched, and nothing of anyone appeared in clear on the way.
    const profile = await kept.person.device.call('GET', '/v1/accounts/me/profile');
    expect(profile.body).toContain(kept.markers[1]);
    expect(
      findMarkers(
        storageCopy(),
        people.flatMap((seeded) => seeded.markers),
      ),
    ).toEqual([]);
    await expectAuditLogVerifies(h);
  });
});
