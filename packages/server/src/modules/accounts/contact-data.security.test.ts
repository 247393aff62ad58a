/**
 * Contact data sealed per person (platform/contact, modules/mfa/phone-number-cipher.ts,
 * modules/federation/repository.ts, the development outbox):
 *
 * - V11.3.3: an address or a number sealed for one person, row and column opens only there — a
 *   value copied onto another account, factor or identity does not open;
 * - V14.2.4: the blind index of the normalised address is unique, so a second account for an
 *   address is refused in any case or Unicode form, whichever way it is created;
 * - V14.2.4, V14.2.6: after sign-up, sign-in, a phone enrolment and mail, no table (and, on
 *   SQLite, no file of the data directory besides the key service's) holds an address, a number
 *   or a device label in any encoding.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildApp, type App } from '../../app.ts';
import { SealedDataUnreadableError } from '../../platform/crypto/index.ts';
import { manualClock } from '../../platform/clock/clock.ts';
import { accountEmailLocation, normalizeEmail, openAccountEmail } from '../../platform/contact/index.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { emailIndexOf, insertAccountRow } from '../../test-support/account-rows.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import { findMarkers } from '../../test-support/plaintext-scan.ts';
import { PASSWORD, START, addPhone, signedInPatient } from '../../test-support/phone-harness.ts';
import * as repo from './repository.ts';

/** Every file under `dir` except the key service's, as scan sources. */
function filesUnder(dir: string, skip: string): { where: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (full === skip) return [];
    return statSync(full).isDirectory() ? filesUnder(full, skip) : [{ where: full, bytes: readFileSync(full) }];
  });
}

describe.each(testDatabases())('contact data sealed per person on $dialect', ({ dialect }) => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start() {
    const config = testConfig({ dialect, config: { mfa: { smsCodes: { enabled: true } } } });
    const built = await buildApp(config, { logger: createLogger(config), clock: manualClock(START) });
    built.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
    app = built;
    return { app: built, config };
  }

  async function tableSources(a: App): Promise<{ where: string; bytes: Buffer }[]> {
    const { db, schema } = a.portcullis.database;
    const tables = (await db.introspection.getTables()).filter((t) => (dialect === 'sqlite' || t.schema === schema) && !t.isView);
    const sources: { where: string; bytes: Buffer }[] = [];
    for (const table of tables) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(db);
      sources.push({ where: table.name, bytes: Buffer.from(JSON.stringify(rows.rows)) });
    }
    return sources;
  }

  it('V11.3.3: an address or a number copied onto another person, row or column does not open', async () => {
    const { app: a } = await start();
    const { db } = a.portcullis.database;
    const { dataProtection } = a.portcullis;
    const alice = await signedInPatient(a, `alice.${randomUUID().slice(0, 8)}@example.test`);
    const bob = await signedInPatient(a, `bob.${randomUUID().slice(0, 8)}@example.test`);
    await addPhone(a, alice, '+447700900611');
    await addPhone(a, bob, '+447700900622');
    const rows = await db.selectFrom('accounts').select(['id', 'email_sealed']).execute();
    const aliceRow = rows.find((row) => row.id === alice.accountId)!;
    expect(await openAccountEmail(dataProtection, db, aliceRow)).toBe(alice.email);

    // Alice's sealed address on Bob's row: it names Alice's row and key, so it does not open as Bob's.
    await expect(openAccountEmail(dataProtection, db, { id: bob.accountId, email_sealed: aliceRow.email_sealed })).rejects.toBeInstanceOf(
      SealedDataUnreadableError,
    );
    // Nor as another column of Alice's own row.
    await expect(
      dataProtection.open(db, alice.accountId, aliceRow.email_sealed, { ...accountEmailLocation(alice.accountId), column: 'roles' }),
    ).rejects.toBeInstanceOf(SealedDataUnreadableError);
    // Swapped in the database, the API does not show Alice's address as Bob's (a swap: on SQLite
    // the column keeps the previous release's UNIQUE constraint).
    const bobRow = rows.find((row) => row.id === bob.accountId)!;
    const swap = async (id: string, emailSealed: string) =>
      db.updateTable('accounts').set({ email_sealed: emailSealed }).where('id', '=', id).execute();
    await swap(alice.accountId, 'moved');
    await swap(bob.accountId, aliceRow.email_sealed);
    await swap(alice.accountId, bobRow.email_sealed);
    const me = await bob.device.call('GET', '/v1/accounts/me');
    expect(me.body).not.toContain(alice.email);
    expect(me.statusCode).toBeGreaterThanOrEqual(500);

    // Alice's sealed number on Bob's phone factor does not open for Bob (his factor shows as unreadable).
    const phones = await db.selectFrom('mfa_phone_factors').selectAll().execute();
    const alicePhone = phones.find((row) => row.account_id === alice.accountId)!;
    const bobPhone = phones.find((row) => row.account_id === bob.accountId)!;
    const phoneAt = (factorId: string) => ({ table: 'mfa_phone_factors', column: 'phone_ciphertext', rowId: factorId });
    expect(await dataProtection.open(db, alice.accountId, alicePhone.phone_ciphertext, phoneAt(alicePhone.id))).toBe('+447700900611');
    for (const [subject, factorId] of [
      [bob.accountId, bobPhone.id],
      [alice.accountId, bobPhone.id],
      [bob.accountId, alicePhone.id],
    ] as const) {
      await expect(dataProtection.open(db, subject, alicePhone.phone_ciphertext, phoneAt(factorId))).rejects.toBeInstanceOf(
        SealedDataUnreadableError,
      );
    }
    await db
      .updateTable('mfa_phone_factors')
      .set({ phone_ciphertext: alicePhone.phone_ciphertext })
      .where('id', '=', bobPhone.id)
      .execute();
    const factors = await bob.device.call('GET', '/v1/mfa/factors');
    expect(factors.statusCode).toBe(200);
    expect(factors.body).not.toContain('611');
  });

  it('V14.2.4: one account per address in any case or Unicode form, refused by the unique blind index', async () => {
    const { app: a } = await start();
    const { db } = a.portcullis.database;
    const { dataProtection } = a.portcullis;
    const email = `carol.${randomUUID().slice(0, 8)}@example.test`;
    await signedInPatient(a, email);

    // Through the API: the same answer as for a new address, and no second account.
    for (const variant of [email.toUpperCase(), `Carol${email.slice(5)}`]) {
      const again = await new TestDevice(a).send({ method: 'POST', url: '/v1/accounts', payload: { email: variant, password: PASSWORD } });
      expect(again.statusCode).toBe(202);
    }
    expect(await db.selectFrom('accounts').select('id').execute()).toHaveLength(1);

    // Through the repository, with compatibility forms only NFKC folds (full-width letters, spaces around).
    const fullWidth = Array.from(email.split('@')[0]!, (c) =>
      /[a-z]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c,
    ).join('');
    for (const variant of [`${fullWidth}@example.test`, `  ${email.toUpperCase()}  `]) {
      expect(normalizeEmail(variant)).toBe(email);
      const inserted = await repo.insertAccount(dataProtection, db, {
        id: randomUUID(),
        email: normalizeEmail(variant),
        email_verified_at: null,
        password_hash: null,
        password_changed_at: null,
        roles: '["patient"]',
        status: 'active',
        created_at: 0,
        updated_at: 0,
      });
      expect(inserted).toBe(false);
    }
    // Written past the repository, the database itself refuses the duplicate index.
    await expect(
      insertAccountRow(a, {
        id: randomUUID(),
        email: email.toUpperCase(),
        email_verified_at: null,
        password_hash: null,
        password_changed_at: null,
        roles: '["patient"]',
        status: 'active',
        created_at: 0,
        updated_at: 0,
      }),
    ).rejects.toThrow();
    expect(await db.selectFrom('accounts').select('email_index').execute()).toEqual([{ email_index: await emailIndexOf(a, email) }]);
  });

  it('V14.2.4, V14.2.6: no address or number is stored in clear, in any encoding, anywhere in the database', async () => {
    const { app: a, config } = await start();
    const email = `dora.${randomUUID().slice(0, 8)}@example.test`;
    const phone = '+447700900633';
    const person = await signedInPatient(a, email);
    await addPhone(a, person, phone);
    await person.device.call('GET', '/v1/accounts/me');
    // A second device, with a label that names the person: its challenge keeps the label sealed.
    const label = `Dora ${randomUUID().slice(0, 6)} tablet`;
    const second = await new TestDevice(a).send({
      method: 'POST',
      url: '/v1/sessions',
      payload: { email, password: PASSWORD, device: { label, platform: 'ios' } },
    });
    expect(second.statusCode).toBe(401); // MFA_REQUIRED: the phone is a second factor
    const reset = await new TestDevice(a).send({ method: 'POST', url: '/v1/accounts/password-reset', payload: { email } });
    expect(reset.statusCode).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 100)); // mail leaves off the request path

    const markers = [email, email.split('@')[0]!, phone, phone.slice(1), phone.slice(3), label, 'Test phone'];
    const sources = await tableSources(a);
    expect(sources.map((s) => s.where)).toEqual(expect.arrayContaining(['accounts', 'mfa_phone_factors', 'outbox', 'audit_events']));
    expect(sources.find((s) => s.where === 'accounts')?.bytes.toString()).toContain(person.accountId); // not vacuous
    expect(findMarkers(sources, markers)).toEqual([]);
    if (dialect === 'sqlite') {
      // The database file and its WAL as a copy of the data directory holds them.
      const files = filesUnder(config.dataDir, path.join(config.dataDir, 'key-service'));
      expect(files.some((file) => file.where.endsWith('-wal') || file.where.endsWith('.db') || file.where.endsWith('.sqlite'))).toBe(true);
      expect(findMarkers(files, markers)).toEqual([]);
    }
  });
});
