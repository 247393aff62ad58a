/**
 * Migration 0020-contact-data on a database written by the previous release: account addresses
 * in clear, provider addresses and pending exchange codes in clear, phone numbers sealed under
 * the key ring. Afterwards every address and number is sealed for its person (or the service),
 * sign-in finds the account by the blind index in any case, the API shows the same values, and
 * no table holds any of them in any encoding — the key ring alone opens nothing.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { migratedTo } from './test-support/migrated-to.ts';
import { buildApp, type App } from '../../../app.ts';
import { passwordHashFor } from '../../../test-support/account-rows.ts';
import { testConfig } from '../../../test-support/build-test-app.ts';
import { testDatabases } from '../../../test-support/databases.ts';
import { TestDevice } from '../../../test-support/dpop-client.ts';
import { findMarkers } from '../../../test-support/plaintext-scan.ts';
import { signedInDevice } from '../../../test-support/records-world.ts';
import { createSealer, loadKeyRing, type KeyRing } from '../../crypto/index.ts';
import { SERVICE_SUBJECT } from '../../data-protection/index.ts';
import { createLogger } from '../../logging/logger.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../index.ts';
import { MigrationError } from './index.ts';

interface PreviousRelease {
  accounts: {
    id: string;
    email: string;
    email_verified_at: number;
    password_hash: string | null;
    password_changed_at: null;
    roles: string;
    status: string;
    created_at: number;
    updated_at: number;
  };
  external_identities: {
    id: string;
    account_id: string;
    provider: string;
    subject: string;
    email: string | null;
    email_verified: number;
    is_private_email: number;
    created_at: number;
    last_used_at: number;
  };
  federation_exchange_codes: {
    id: string;
    provider: string;
    subject: string;
    email: string | null;
    email_verified: number;
    is_private_email: number;
    profile: string | null;
    code_challenge: string;
    created_at: number;
    expires_at: number;
  };
  sessions: {
    id: string;
    account_id: string;
    jkt: string;
    aal: string;
    amr: string;
    auth_time: number;
    device_label: string;
    device_platform: string;
    ip_prefix: string;
    created_at: number;
    last_used_at: number;
    idle_expires_at: number;
    absolute_expires_at: number;
  };
  mfa_phone_factors: {
    id: string;
    account_id: string;
    phone_ciphertext: string;
    phone_hash: string;
    created_at: number;
    confirmed_at: number | null;
    expires_at: null;
    last_used_at: null;
  };
}

const PASSWORD = 'migrated contact password 0020';
const PHONE = '+447700900417';
const DEVICE_LABEL = 'Hasphone Legacy Tablet';

/** How the previous release sealed phone numbers (its modules/mfa/phone-number-cipher.ts). */
function sealPhoneAsBefore(keyRing: KeyRing, e164: string, accountId: string, factorId: string): string {
  return createSealer(keyRing, 'portcullis mfa phone-number aes-256-gcm v1').seal(new TextEncoder().encode(e164), [accountId, factorId]);
}

/** Every value of every table, as one text per table. */
async function dumpTables(handle: DatabaseHandle): Promise<{ where: string; bytes: Buffer }[]> {
  const tables = (await handle.db.introspection.getTables()).filter(
    (table) => (handle.dialect === 'sqlite' || table.schema === handle.schema) && !table.isView,
  );
  const dumps: { where: string; bytes: Buffer }[] = [];
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(handle.db);
    dumps.push({ where: table.name, bytes: Buffer.from(JSON.stringify(rows.rows)) });
  }
  return dumps;
}

describe.each(testDatabases())('migration 0020-contact-data on $dialect', ({ dialect }) => {
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

  /** A database as the previous release left it: two people, a provider identity, a phone, a pending exchange code. */
  async function previousRelease() {
    const config = testConfig({ dialect });
    dataDir = config.dataDir;
    database = openDatabase(config, createLogger(config));
    const db = await migratedTo(database, '0019-declared-records');

    const keyRing = loadKeyRing(config);
    const legacy = db as Kysely<PreviousRelease>;
    const people = {
      signsIn: { id: randomUUID(), email: `signs-in.${randomUUID().slice(0, 8)}@clinic.test` },
      hasPhone: { id: randomUUID(), email: `has-phone.${randomUUID().slice(0, 8)}@clinic.test` },
    };
    for (const [key, person] of Object.entries(people)) {
      await legacy
        .insertInto('accounts')
        .values({
          id: person.id,
          email: person.email,
          email_verified_at: 1,
          password_hash: key === 'signsIn' ? await passwordHashFor(config, PASSWORD) : null,
          password_changed_at: null,
          roles: JSON.stringify(['patient']),
          status: 'active',
          created_at: 1,
          updated_at: 1,
        })
        .execute();
    }
    const providerEmail = `relay.${randomUUID().slice(0, 8)}@privaterelay.example.test`;
    const identityId = randomUUID();
    await legacy
      .insertInto('external_identities')
      .values({
        id: identityId,
        account_id: people.hasPhone.id,
        provider: 'apple',
        subject: 'apple-subject-0020',
        email: providerEmail,
        email_verified: 1,
        is_private_email: 1,
        created_at: 1,
        last_used_at: 1,
      })
      .execute();
    const pendingEmail = `pending.${randomUUID().slice(0, 8)}@example.test`;
    const pendingName = 'Pendingname Zero-Twenty';
    const codeId = 'exchange-code-0020';
    await legacy
      .insertInto('federation_exchange_codes')
      .values({
        id: codeId,
        provider: 'apple',
        subject: 'apple-subject-pending',
        email: pendingEmail,
        email_verified: 1,
        is_private_email: 0,
        profile: JSON.stringify({ givenName: pendingName }),
        code_challenge: 'challenge',
        created_at: 1,
        expires_at: Date.now() + 600_000,
      })
      .execute();
    const far = Date.now() + 86_400_000;
    await legacy
      .insertInto('sessions')
      .values({
        id: 'se_legacy0020',
        account_id: people.hasPhone.id,
        jkt: 'legacy-device-key-0000000000000000000000000',
        aal: 'aal1',
        amr: '["pwd"]',
        auth_time: 1,
        device_label: DEVICE_LABEL,
        device_platform: 'ios',
        ip_prefix: '192.0.2.0/24',
        created_at: 1,
        last_used_at: 1,
        idle_expires_at: far,
        absolute_expires_at: far,
      })
      .execute();
    const factorId = randomUUID();
    await legacy
      .insertInto('mfa_phone_factors')
      .values({
        id: factorId,
        account_id: people.hasPhone.id,
        phone_ciphertext: sealPhoneAsBefore(keyRing, PHONE, people.hasPhone.id, factorId),
        phone_hash: 'legacy-hash',
        created_at: 1,
        confirmed_at: 1,
        expires_at: null,
        last_used_at: null,
      })
      .execute();
    return {
      config,
      keyRing,
      people,
      identityId,
      providerEmail,
      codeId,
      pendingEmail,
      pendingName,
      factorId,
      handle: database,
      markers: [people.signsIn.email, people.hasPhone.email, providerEmail, pendingEmail, pendingName, PHONE, PHONE.slice(1), DEVICE_LABEL],
    };
  }

  it('V11.3.3: seals every address and number for its person; the index signs in; the API shows the same values', async () => {
    const before = await previousRelease();
    app = await buildApp(before.config, { database: before.handle, keyRing: before.keyRing, logger: createLogger(before.config) });
    const { db } = before.handle;
    const { dataProtection } = app.portcullis;

    // Nothing of it is left in clear, in any encoding, in any table.
    expect(findMarkers(await dumpTables(before.handle), before.markers)).toEqual([]);
    const accounts = await db.selectFrom('accounts').selectAll().execute();
    for (const account of accounts) {
      expect(Object.keys(account)).not.toContain('email');
      expect(account.email_sealed).toMatch(/^pd1\./);
      expect(account.email_index).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }

    // Sign-in finds the account by the blind index of the normalised address, in any case.
    const device = new TestDevice(app);
    const signedIn = await device.signIn(before.people.signsIn.email.toUpperCase(), PASSWORD);
    expect(signedIn.statusCode, signedIn.body).toBe(201);
    expect((await device.call('GET', '/v1/accounts/me')).json()).toMatchObject({ email: before.people.signsIn.email });

    // The phone opens for its person and is indexed as new ones are.
    const person = await signedInDevice(app, before.people.hasPhone.id);
    const factors = (await person.call('GET', '/v1/mfa/factors')).json<{ factors: { kind: string; label: string }[] }>();
    expect(factors.factors.find((factor) => factor.kind === 'phone')?.label).toBe('+44•••••••417');
    const phone = await db.selectFrom('mfa_phone_factors').selectAll().executeTakeFirstOrThrow();
    expect(phone.phone_hash).toBe(await dataProtection.blindIndex(db, 'phone', PHONE));
    expect(() =>
      createSealer(before.keyRing, 'portcullis mfa phone-number aes-256-gcm v1').open(phone.phone_ciphertext, [
        before.people.hasPhone.id,
        before.factorId,
      ]),
    ).toThrow();

    // The legacy session's device label opens for its person.
    const sessions = (await person.call('GET', '/v1/sessions')).json<{ sessions: { device: { label: string } }[] }>();
    expect(sessions.sessions.map((session) => session.device.label)).toContain(DEVICE_LABEL);

    // The provider's address is the person's; the pending code's values are the service's.
    const identities = (await person.call('GET', '/v1/federation/links')).json<{ identities: { email: string | null }[] }>();
    expect(identities.identities.map((identity) => identity.email)).toEqual([before.providerEmail]);
    const code = await db.selectFrom('federation_exchange_codes').selectAll().executeTakeFirstOrThrow();
    const at = (column: string) => ({ table: 'federation_exchange_codes', column, rowId: before.codeId });
    expect(await dataProtection.open(db, SERVICE_SUBJECT, code.email_sealed ?? '', at('email_sealed'))).toBe(before.pendingEmail);
    expect(JSON.parse(await dataProtection.open(db, SERVICE_SUBJECT, code.profile ?? '', at('profile')))).toEqual({
      givenName: before.pendingName,
    });
  });

  it('refuses to run over existing rows without the key ring and the key service, changes nothing, and runs later with them', async () => {
    const before = await previousRelease();
    await expect(migrateToLatest(before.handle)).rejects.toThrow(MigrationError);
    const legacy = before.handle.db as unknown as Kysely<PreviousRelease>;
    const emails = (await legacy.selectFrom('accounts').select('email').execute()).map((row) => row.email).sort();
    expect(emails).toEqual([before.people.signsIn.email, before.people.hasPhone.email].sort());

    app = await buildApp(before.config, { database: before.handle, keyRing: before.keyRing, logger: createLogger(before.config) });
    const device = new TestDevice(app);
    expect((await device.signIn(before.people.signsIn.email, PASSWORD)).statusCode).toBe(201);
  });
});
