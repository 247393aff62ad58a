/**
 * The admin console's security overview over HTTP with DPoP sessions, on SQLite and PostgreSQL
 * (ASVS V8.2.1 function-level access, V16.3.2 the read is audited, V16.2.5 no personal data):
 * TLS and key-service settings as configured, second-factor coverage per role counted from the
 * factors people hold (pending enrolments and suspended passkeys do not count), recent sign-in
 * failures from the attack-mode counters, and a key service that does not answer reported as
 * unavailable rather than failing the page.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOverview, AuditEntryList, RoleCoverage } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { buildClockedApp } from '../../test-support/clocked-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import type { TestDevice } from '../../test-support/dpop-client.ts';
import { createAccount, signedInDevice } from '../../test-support/records-world.ts';
import { testRequestContext } from '../../test-support/request-context.ts';
import { problemOf } from '../../test-support/step-up-client.ts';
import { securityOverview } from './overview.ts';

describe.each(testDatabases())('security overview on $dialect', ({ dialect }) => {
  let app: App;
  let admin: TestDevice;
  let adminId: string;

  beforeAll(async () => {
    ({ app } = await buildClockedApp(dialect, {
      http: { tls: { mode: 'upstream', minVersion: 'TLSv1.3' } },
      defense: { attackMode: { windowMinutes: 15 } },
    }));
    adminId = await createAccount(app, ['admin']);
    admin = await signedInDevice(app, adminId);
  });
  afterAll(() => app.close());

  const overview = async (): Promise<AdminOverview> => {
    const response = await admin.call('GET', '/v1/admin/overview');
    expect(response.statusCode, response.body).toBe(200);
    return response.json<AdminOverview>();
  };
  const coverageOf = (view: AdminOverview, role: string): RoleCoverage | undefined =>
    view.secondFactorCoverage.find((row) => row.role === role);

  const db = () => app.portcullis.database.db;
  const addPasskey = async (accountId: string, suspendedAt: number | null = null) => {
    const id = randomUUID().replaceAll('-', '');
    await db()
      .insertInto('passkey_credentials')
      .values({
        id,
        account_id: accountId,
        credential_id: id,
        public_key: 'AQID',
        user_handle: 'AQID',
        sign_count: 0,
        transports: '[]',
        backup_eligible: 1,
        backed_up: 1,
        aaguid: '00000000-0000-0000-0000-000000000000',
        attestation_format: 'none',
        attestation_trust: 'none',
        name: 'Test passkey',
        created_at: Date.now(),
        last_used_at: null,
        suspended_at: suspendedAt,
      })
      .execute();
  };
  const addTotp = async (accountId: string, confirmed: boolean) => {
    await db()
      .insertInto('mfa_totp_factors')
      .values({
        id: randomUUID().replaceAll('-', ''),
        account_id: accountId,
        label: 'Authenticator',
        secret_ciphertext: 'v1.a.b.c',
        last_step: 0,
        created_at: Date.now(),
        confirmed_at: confirmed ? Date.now() : null,
        expires_at: confirmed ? null : Date.now() + 600_000,
        last_used_at: null,
      })
      .execute();
  };

  it('V8.2.1: gives the configured TLS and key service and one coverage row per configured role with its required level', async () => {
    const view = await overview();
    expect(view.tls).toEqual({ mode: 'upstream', minVersion: 'TLSv1.3' });
    expect(view.keyService).toMatchObject({ adapter: 'local', status: 'up' });
    expect(view.keyService.currentVersion).toEqual(expect.any(String));
    expect(view.secondFactorCoverage.map((row) => row.role)).toEqual(['patient', 'clinician', 'support', 'admin', 'auditor']);
    expect(coverageOf(view, 'patient')?.requiredLevel).toBe('aal1');
    expect(coverageOf(view, 'admin')?.requiredLevel).toBe('aal2_phr');
    expect(view.signInFailures).toMatchObject({ windowMinutes: 15, attackMode: false });
  });

  it('counts accounts per role with a second factor and with a passkey; pending enrolments and suspended passkeys do not count', async () => {
    const before = coverageOf(await overview(), 'clinician');
    const withPasskey = await createAccount(app, ['clinician']);
    await addPasskey(withPasskey);
    const withApp = await createAccount(app, ['clinician', 'support']);
    await addTotp(withApp, true);
    await addTotp(await createAccount(app, ['clinician']), false);
    await addPasskey(await createAccount(app, ['clinician']), Date.now());
    await createAccount(app, ['clinician']);
    const after = coverageOf(await overview(), 'clinician');
    expect(after).toEqual({
      role: 'clinician',
      requiredLevel: 'aal2_phr',
      accounts: (before?.accounts ?? 0) + 5,
      withSecondFactor: (before?.withSecondFactor ?? 0) + 2,
      withPasskey: (before?.withPasskey ?? 0) + 1,
    });
  });

  it('counts failed password sign-ins of the recent window', async () => {
    const before = (await overview()).signInFailures;
    await app.portcullis.attackMode.record('failure');
    await app.portcullis.attackMode.record('success');
    const after = (await overview()).signInFailures;
    expect([after.failures - before.failures, after.attempts - before.attempts]).toEqual([1, 2]);
  });

  it('V8.2.1, V16.3.2, V16.2.5: only admins read it; each read is audited with the administrator and no personal data', async () => {
    for (const role of ['support', 'auditor', 'clinician', 'patient']) {
      const device = await signedInDevice(app, await createAccount(app, [role]));
      expect([role, problemOf(await device.call('GET', '/v1/admin/overview'))]).toEqual([role, [403, 'RBAC_FORBIDDEN']]);
    }
    const view = await overview();
    expect(JSON.stringify(view)).not.toContain('@clinic.test');
    const auditor = await signedInDevice(app, await createAccount(app, ['auditor']));
    const entries = (await auditor.call('GET', '/v1/audit/entries?action=admin.overview_viewed&limit=5')).json<AuditEntryList>().entries;
    expect(entries[0]).toMatchObject({ action: 'admin.overview_viewed', outcome: 'success', actor: adminId, subject: null });
  });

  it('reports a key service that does not answer as unavailable instead of failing', async () => {
    const config = testConfig({ dialect });
    const down = await securityOverview(
      {
        db: db(),
        access: config.access,
        attackMode: app.portcullis.attackMode,
        tls: config.http.tls,
        mfaPolicy: config.mfa.requiredLevel,
        attackModeWindowMinutes: 10,
        keyService: { adapter: 'pkcs11', versions: () => Promise.reject(new Error('token removed')) },
      },
      testRequestContext({ db: db(), clock: app.portcullis.clock }),
    );
    rmSync(config.dataDir, { recursive: true, force: true });
    expect(down.keyService).toEqual({ adapter: 'pkcs11', status: 'unavailable', currentVersion: null });
  });
});
