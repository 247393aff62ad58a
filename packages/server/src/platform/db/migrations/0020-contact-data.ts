/**
 * Contact data sealed per person (platform/contact, modules/mfa, modules/federation).
 *
 * - `accounts.email` becomes `email_sealed`: the normalised address sealed for the account
 *   holder, bound to `accounts`, `email_sealed` and the account id; `email_index` (new, unique)
 *   holds its blind index, which sign-in looks the account up by and which refuses a second
 *   account for the address. The column keeps its old UNIQUE constraint on SQLite (dropping it
 *   would rebuild a table that foreign keys point to); random IVs make it inert.
 * - `external_identities.email` becomes `email_sealed`, sealed for the identity's account.
 * - `federation_exchange_codes.email` becomes `email_sealed` and `profile` is sealed too, both
 *   under the service subject (no account exists yet while a code waits to be exchanged).
 * - the development `outbox` keeps recipient, subject and body sealed under the service subject.
 * - the label an app gave its device (`sessions.device_label`, and the device of a sign-in
 *   challenge, `mfa_challenges.device`) is sealed for the account holder.
 * - `mfa_phone_factors.phone_ciphertext`, sealed by the previous release under a key derived
 *   from the server key ring, is re-sealed for the account holder, and `phone_hash` (an HMAC
 *   under a key-ring key) becomes the phone blind index.
 *
 * Rows are converted in batches; once applied, no address or number is readable with the key
 * ring alone. PostgreSQL columns sized for clear addresses (`varchar(254)`) become `text`.
 */
import { SqliteAdapter, type Kysely } from 'kysely';
import { createSealer } from '../../crypto/index.ts';
import { normalizeEmail, sealAccountEmail } from '../../contact/index.ts';
import { SERVICE_SUBJECT, type DataDb } from '../../data-protection/index.ts';
import { requireDeps, type MigrationDeps } from './deps.ts';

const NAME = '0020-contact-data';
const BATCH = 200;
/** The previous release's phone-number key purpose (modules/mfa/phone-number-cipher.ts then). */
const LEGACY_PHONE_PURPOSE = 'portcullis mfa phone-number aes-256-gcm v1';

interface Legacy {
  accounts: { id: string; email_sealed: string; email_index: string | null };
  external_identities: { id: string; account_id: string; email_sealed: string | null };
  federation_exchange_codes: { id: string; email_sealed: string | null; profile: string | null };
  mfa_phone_factors: { id: string; account_id: string; phone_ciphertext: string; phone_hash: string };
  outbox: { id: string; recipient: string; subject: string; body: string };
  sessions: { id: string; account_id: string; device_label: string };
  mfa_challenges: { id: string; account_id: string; device: string };
}

type LegacyDb = Kysely<Legacy>;

/** Visits every row of `table` in id order, `BATCH` at a time. */
async function eachRow<T extends keyof Legacy>(
  db: LegacyDb,
  table: T,
  visit: (row: Legacy[T], deps: MigrationDeps) => Promise<void>,
  given: MigrationDeps | undefined,
): Promise<void> {
  let after = '';
  for (;;) {
    // The tables differ; each has a string `id` primary key, which is all this loop needs.
    const rows = (await (db as unknown as Kysely<{ rows: { id: string } }>)
      .selectFrom(table as 'rows')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute()) as unknown as Legacy[T][];
    const last = rows.at(-1);
    if (!last) return;
    const deps = requireDeps(given, NAME);
    for (const row of rows) await visit(row, deps);
    after = last.id;
  }
}

async function convertAccounts(db: LegacyDb, given: MigrationDeps | undefined): Promise<void> {
  await eachRow(
    db,
    'accounts',
    async (row, deps) => {
      const columns = await sealAccountEmail(deps.dataProtection, db as unknown as DataDb, row.id, normalizeEmail(row.email_sealed));
      await db.updateTable('accounts').set(columns).where('id', '=', row.id).execute();
    },
    given,
  );
}

async function convertIdentities(db: LegacyDb, given: MigrationDeps | undefined): Promise<void> {
  await eachRow(
    db,
    'external_identities',
    async (row, deps) => {
      if (row.email_sealed === null) return;
      const sealed = await deps.dataProtection.seal(db as unknown as DataDb, row.account_id, row.email_sealed, {
        table: 'external_identities',
        column: 'email_sealed',
        rowId: row.id,
      });
      await db.updateTable('external_identities').set({ email_sealed: sealed }).where('id', '=', row.id).execute();
    },
    given,
  );
}

async function convertExchangeCodes(db: LegacyDb, given: MigrationDeps | undefined): Promise<void> {
  await eachRow(
    db,
    'federation_exchange_codes',
    async (row, deps) => {
      const seal = (column: string, value: string | null) =>
        value === null
          ? Promise.resolve(null)
          : deps.dataProtection.seal(db as unknown as DataDb, SERVICE_SUBJECT, value, {
              table: 'federation_exchange_codes',
              column,
              rowId: row.id,
            });
      await db
        .updateTable('federation_exchange_codes')
        .set({ email_sealed: await seal('email_sealed', row.email_sealed), profile: await seal('profile', row.profile) })
        .where('id', '=', row.id)
        .execute();
    },
    given,
  );
}

async function convertPhones(db: LegacyDb, given: MigrationDeps | undefined): Promise<void> {
  await eachRow(
    db,
    'mfa_phone_factors',
    async (row, deps) => {
      const e164 = new TextDecoder().decode(
        createSealer(deps.keyRing, LEGACY_PHONE_PURPOSE).open(row.phone_ciphertext, [row.account_id, row.id]),
      );
      const dataDb = db as unknown as DataDb;
      await db
        .updateTable('mfa_phone_factors')
        .set({
          phone_ciphertext: await deps.dataProtection.seal(dataDb, row.account_id, e164, {
            table: 'mfa_phone_factors',
            column: 'phone_ciphertext',
            rowId: row.id,
          }),
          phone_hash: await deps.dataProtection.blindIndex(dataDb, 'phone', e164),
        })
        .where('id', '=', row.id)
        .execute();
    },
    given,
  );
}

async function convertOutbox(db: LegacyDb, given: MigrationDeps | undefined): Promise<void> {
  await eachRow(
    db,
    'outbox',
    async (row, deps) => {
      const seal = (column: 'recipient' | 'subject' | 'body') =>
        deps.dataProtection.seal(db as unknown as DataDb, SERVICE_SUBJECT, row[column], { table: 'outbox', column, rowId: row.id });
      await db
        .updateTable('outbox')
        .set({ recipient: await seal('recipient'), subject: await seal('subject'), body: await seal('body') })
        .where('id', '=', row.id)
        .execute();
    },
    given,
  );
}

async function convertDeviceLabels(db: LegacyDb, given: MigrationDeps | undefined): Promise<void> {
  await eachRow(
    db,
    'sessions',
    async (row, deps) => {
      const sealed = await deps.dataProtection.seal(db as unknown as DataDb, row.account_id, row.device_label, {
        table: 'sessions',
        column: 'device_label',
        rowId: row.id,
      });
      await db.updateTable('sessions').set({ device_label: sealed }).where('id', '=', row.id).execute();
    },
    given,
  );
  await eachRow(
    db,
    'mfa_challenges',
    async (row, deps) => {
      const sealed = await deps.dataProtection.seal(db as unknown as DataDb, row.account_id, row.device, {
        table: 'mfa_challenges',
        column: 'device',
        rowId: row.id,
      });
      await db.updateTable('mfa_challenges').set({ device: sealed }).where('id', '=', row.id).execute();
    },
    given,
  );
}

async function migrate(db: Kysely<unknown>, deps: MigrationDeps | undefined): Promise<void> {
  const postgres = !(db.getExecutor().adapter instanceof SqliteAdapter);
  if (postgres) {
    await db.schema.alterTable('accounts').dropConstraint('accounts_email_key').ifExists().execute();
    for (const table of ['accounts', 'external_identities', 'federation_exchange_codes']) {
      await db.schema
        .alterTable(table)
        .alterColumn('email', (c) => c.setDataType('text'))
        .execute();
    }
    await db.schema
      .alterTable('outbox')
      .alterColumn('recipient', (c) => c.setDataType('text'))
      .execute();
    await db.schema
      .alterTable('sessions')
      .alterColumn('device_label', (c) => c.setDataType('text'))
      .execute();
  }
  for (const table of ['accounts', 'external_identities', 'federation_exchange_codes']) {
    await db.schema.alterTable(table).renameColumn('email', 'email_sealed').execute();
  }
  await db.schema.alterTable('accounts').addColumn('email_index', 'varchar(64)').execute();

  const legacy = db as unknown as LegacyDb;
  await convertAccounts(legacy, deps);
  await convertIdentities(legacy, deps);
  await convertExchangeCodes(legacy, deps);
  await convertPhones(legacy, deps);
  await convertOutbox(legacy, deps);
  await convertDeviceLabels(legacy, deps);
  await db.schema.createIndex('accounts_email_index').on('accounts').column('email_index').unique().execute();
}

/** One transaction for the whole change (see 0019): a conversion stopped half-way leaves the previous release's tables intact. */
export async function up(db: Kysely<unknown>, deps?: MigrationDeps): Promise<void> {
  await (db.isTransaction ? migrate(db, deps) : db.transaction().execute((tx) => migrate(tx, deps)));
}
