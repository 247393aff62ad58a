/**
 * The demo clinic: seeded through the services real requests use, once, never in production;
 * its people sign in over the real API with the stored passwords (staff only as far as enrolling
 * a passkey), and nothing it writes about them is stored in clear.
 */
import { rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../app.ts';
import type { Config } from '../../config/schema.ts';
import { listEntries } from '../../platform/audit/index.ts';
import type { AuditAction } from '../../platform/audit/catalogue.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import { findMarkers } from '../../test-support/plaintext-scan.ts';
import {
  DEMO_ROLES,
  DemoSeedRefusedError,
  demoAccountsFile,
  demoInstructions,
  demoSeedDepsFrom,
  readDemoAccounts,
  seedDemoClinic,
  seededDemoAccounts,
  type DemoSeedResult,
} from './index.ts';

/** Values the seed writes that must never be stored in clear. */
const MARKERS = ['12 Harbour Lane', 'Penicillin', 'Salbutamol', 'intermittent asthma', '1988-04-12', '+15550100101', 'Sam Morgan'];

describe.each(testDatabases())('the demo clinic on $dialect', ({ dialect }) => {
  let config: Config;
  let app: App;
  let demo: DemoSeedResult;
  const seed = async (overrides: Partial<Config> = {}) =>
    seedDemoClinic(await demoSeedDepsFrom(servicesOf(app), { ...config, ...overrides }));
  const servicesOf = (a: App) => ({ db: a.portcullis.database.db, clock: a.portcullis.clock, dataProtection: a.portcullis.dataProtection });
  const account = (role: string, index = 0) => {
    const found = demo.accounts.filter((a) => a.role === role)[index];
    if (!found) throw new Error(`no demo ${role}`);
    return found;
  };

  beforeAll(async () => {
    config = testConfig({ dialect });
    app = await buildApp(config, { logger: createLogger(config) });
    demo = await seed();
  });
  afterAll(async () => {
    await app.close();
    rmSync(config.dataDir, { recursive: true, force: true });
  });

  it('creates two patients, two clinicians, support, an admin and an auditor with fake addresses and strong passwords', () => {
    expect(demo.created).toBe(true);
    expect(demo.accounts.map((a) => a.role)).toEqual(['patient', 'patient', 'clinician', 'clinician', 'support', 'admin', 'auditor']);
    for (const a of demo.accounts) {
      expect(a.email).toMatch(/^[a-z.]+@demo\.portcullis\.test$/);
      expect(a.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    }
    expect(new Set(demo.accounts.map((a) => a.password)).size).toBe(demo.accounts.length);
  });

  it('stores the accounts in dataDir/demo-accounts.json, readable by the owner only', () => {
    const file = demoAccountsFile(config.dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readDemoAccounts(config.dataDir)?.accounts).toEqual(demo.accounts);
  });

  it('writes profiles, file entries and grants through the audited services', async () => {
    const { db } = app.portcullis.database;
    expect(await db.selectFrom('profiles').select('account_id').execute()).toHaveLength(7);
    expect(await db.selectFrom('record_entries').select('id').execute()).toHaveLength(4);
    expect(await db.selectFrom('record_grants').select('id').where('revoked_at', 'is', null).execute()).toHaveLength(4);
    const audited = async (action: AuditAction) => (await listEntries({ db }, { action }, { limit: 50 })).entries;
    const seeded = await audited('account.seeded');
    expect(seeded).toHaveLength(7);
    expect(seeded.every((e) => e.actor === null && e.ipPrefix === 'local')).toBe(true);
    // Each step names the person it was done for.
    expect((await audited('profile.updated')).map((e) => e.actor).sort()).toEqual(demo.accounts.map((a) => a.accountId).sort());
    expect((await audited('record.grant_created')).map((e) => e.actor)).toEqual(
      expect.arrayContaining([account('patient', 0).accountId, account('patient', 1).accountId]),
    );
    expect(await audited('record.written')).toHaveLength(4);
  });

  it('stores profile values, entries and addresses encrypted (no plaintext at rest)', async () => {
    const { db } = app.portcullis.database;
    const rows = [
      ...(await db.selectFrom('profiles').selectAll().execute()),
      ...(await db.selectFrom('record_entries').selectAll().execute()),
      ...(await db.selectFrom('accounts').selectAll().execute()),
    ];
    const stored = [{ where: 'rows', bytes: Buffer.from(JSON.stringify(rows)) }];
    expect(findMarkers(stored, [...MARKERS, 'alex.morgan', 'demo.portcullis.test'])).toEqual([]);
    // The scan is not vacuous: the owner reads the values back through the API.
    const patient = new TestDevice(app);
    expect((await patient.signIn(account('patient').email, account('patient').password)).statusCode).toBe(201);
    const profile = await patient.call('GET', '/v1/accounts/me/profile');
    expect(profile.json()).toMatchObject({
      fields: { displayName: 'Alex Morgan', address: '12 Harbour Lane, Springfield' },
      sharing: { displayName: 'public', address: 'private', emergencyContact: 'care_team' },
    });
  });

  it('a patient signs in over the API with the stored password and reads their own file', async () => {
    const patient = new TestDevice(app);
    const signIn = await patient.signIn(account('patient').email, account('patient').password);
    expect(signIn.statusCode).toBe(201);
    expect(signIn.json<{ restriction?: unknown }>().restriction).toBeUndefined();
    const file = await patient.call('GET', '/v1/records/me/entries');
    expect(file.statusCode).toBe(200);
    expect(file.body).toContain('Penicillin');
  });

  it.each(['clinician', 'support', 'admin', 'auditor'])(
    'a %s has no second factor yet: the first sign-in opens a session that can only enrol one (a passkey, as the role needs)',
    async (role) => {
      const staff = new TestDevice(app);
      const signIn = await staff.signIn(account(role).email, account(role).password);
      expect(signIn.statusCode).toBe(201);
      // Their roles need a passkey (aal2_phr); the session may set up a second factor and nothing else.
      const restriction = signIn.json<{ restriction?: { reason: string; allows: string[] } }>().restriction;
      expect(restriction?.reason).toBe('second_factor_required');
      expect(restriction?.allows).toContain('passkey');
      expect(restriction?.allows).not.toContain('password');
      const refused = await staff.call('GET', '/v1/records/patients');
      expect(refused.json<{ code: string }>().code).toBe('MFA_ENROLMENT_REQUIRED');
    },
  );

  it('is idempotent: a second seed changes nothing and returns the stored accounts', async () => {
    const { db } = app.portcullis.database;
    const before = (await db.selectFrom('accounts').select('id').execute()).length;
    const again = await seed();
    expect(again.created).toBe(false);
    expect(again.accounts).toEqual(demo.accounts);
    expect((await db.selectFrom('accounts').select('id').execute()).length).toBe(before);
    expect(await seededDemoAccounts({ ...servicesOf(app), dataDir: config.dataDir })).toMatchObject({ accounts: demo.accounts });
  });

  it('is refused in production', async () => {
    await expect(seed({ environment: 'production' })).rejects.toBeInstanceOf(DemoSeedRefusedError);
  });

  it('prints the URL to open and, for every role, an address, its password and what it can do', () => {
    const text = demoInstructions(demo, { publicUrl: 'https://localhost:8443', accountsFile: demoAccountsFile(config.dataDir) }).join('\n');
    expect(text).toContain('open https://localhost:8443/');
    for (const role of DEMO_ROLES) expect(text).toMatch(new RegExp(`^  ${role} `, 'm'));
    for (const a of demo.accounts) {
      expect(text).toContain(a.email);
      expect(text).toContain(a.password);
    }
    expect(text).toContain('register a passkey on their first sign-in');
    expect(text).toContain('Messages start when a patient opens Messages');
  });
});
