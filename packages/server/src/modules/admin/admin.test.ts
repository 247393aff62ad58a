/**
 * The admin API over HTTP with DPoP sessions, on SQLite and PostgreSQL (ASVS V8.2.1
 * function-level access, V8.2.3 field-level masking of personal data, V8.3.1 enforcement at the
 * service, V7.5.3 step-up before sensitive changes, V8.4.2 layered admin interface, V16.3.2/V16.3.3
 * admin actions and refusals logged with actor and subject, V16.2.5 no personal data in the log). Staff sessions are minted with
 * the sessions module's `issueSession` at `aal2_phr` as test setup (records-world
 * `signedInDevice`); step-up freshness is driven by a manual clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdminAccountDetail, AdminAccountList, AuditEntryList, MfaResetResult, RolesChangeResult } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import type { manualClock } from '../../platform/clock/clock.ts';
import { buildClockedApp } from '../../test-support/clocked-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { waitForMail, type TestDevice } from '../../test-support/dpop-client.ts';
import { createAccount, signedInDevice } from '../../test-support/records-world.ts';
import { problemOf } from '../../test-support/step-up-client.ts';

describe.each(testDatabases())('admin API on $dialect', ({ dialect }) => {
  let app: App;
  let clock: ReturnType<typeof manualClock>;
  let adminId: string;
  let admin: TestDevice;
  let support: TestDevice;
  let auditor: TestDevice;
  let supportId: string;
  let auditorId: string;

  beforeAll(async () => {
    ({ app, clock } = await buildClockedApp(dialect));
    adminId = await createAccount(app, ['admin']);
    supportId = await createAccount(app, ['support']);
    auditorId = await createAccount(app, ['auditor']);
  });
  // Tests move the clock; every test starts with freshly authenticated staff sessions.
  beforeEach(async () => {
    admin = await signedInDevice(app, adminId);
    support = await signedInDevice(app, supportId);
    auditor = await signedInDevice(app, auditorId);
  });
  afterAll(() => app.close());

  /** The admin holds no passkey here, so a stale session is refused with the step-up door's STEP_UP_UNAVAILABLE (answering is covered by modules/step-up). */
  const STEP_UP_REFUSAL = [403, 'STEP_UP_UNAVAILABLE'];

  const emailOf = (id: string) => `${id}@clinic.test`;
  const auditAbout = async (subjectId: string) => {
    const response = await auditor.call('GET', `/v1/audit/entries?subjectId=${subjectId}&limit=100`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<AuditEntryList>().entries;
  };

  it('V8.2.3: support finds an account by its exact email and sees it masked', async () => {
    const patientId = await createAccount(app, ['patient']);
    const response = await support.call('GET', `/v1/admin/accounts?email=${encodeURIComponent(emailOf(patientId).toUpperCase())}`);
    expect(response.statusCode, response.body).toBe(200);
    const { accounts } = response.json<AdminAccountList>();
    expect(accounts).toEqual([expect.objectContaining({ id: patientId, masked: true, roles: ['patient'], status: 'active' })]);
    expect(accounts[0]?.email).toBe(`${patientId.slice(0, 1)}•••@clinic.test`);
    expect(response.body).not.toContain(emailOf(patientId));
    // Support may not ask for the unmasked listing at all.
    expect(problemOf(await support.call('GET', '/v1/admin/accounts/unmasked'))).toEqual([403, 'RBAC_FORBIDDEN']);
  });

  it('V8.2.3, V7.5.3, V8.4.2: emails in full need accounts:read_personal and a fresh step-up', async () => {
    const patientId = await createAccount(app, ['patient']);
    const url = `/v1/admin/accounts/unmasked?email=${encodeURIComponent(emailOf(patientId))}`;
    const fresh = await admin.call('GET', url);
    expect(fresh.statusCode, fresh.body).toBe(200);
    expect(fresh.json<AdminAccountList>().accounts[0]).toMatchObject({ email: emailOf(patientId), masked: false });
    clock.advance(6 * 60_000); // the session's own authentication is no longer fresh
    expect(problemOf(await admin.call('GET', url))).toEqual(STEP_UP_REFUSAL);
    // The masked listing needs no step-up.
    expect((await admin.call('GET', `/v1/admin/accounts?email=${encodeURIComponent(emailOf(patientId))}`)).statusCode).toBe(200);
  });

  it('lists page by page with a keyset cursor, filtered by role and status', async () => {
    for (let i = 0; i < 3; i++) await createAccount(app, ['clinician']);
    const first = (await support.call('GET', '/v1/admin/accounts?role=clinician&status=active&limit=2')).json<AdminAccountList>();
    expect(first.accounts).toHaveLength(2);
    expect(first.nextAfter).not.toBeNull();
    const second = (
      await support.call('GET', `/v1/admin/accounts?role=clinician&status=active&limit=2&after=${String(first.nextAfter)}`)
    ).json<AdminAccountList>();
    expect(second.accounts.length).toBeGreaterThan(0);
    expect(second.accounts.every((a) => a.roles.includes('clinician') && a.id > String(first.nextAfter))).toBe(true);
  });

  it('V8.3.1, V8.3.2, V16.3.3, V16.2.5: support locks an account (its sessions end at once) and unlocks it; both audited with identifiers only', async () => {
    const userId = await createAccount(app, ['patient']);
    const user = await signedInDevice(app, userId);
    expect((await user.call('GET', '/v1/sessions')).statusCode).toBe(200);
    const locked = await support.call('POST', `/v1/admin/accounts/${userId}/lock`);
    expect(locked.statusCode, locked.body).toBe(200);
    expect(locked.json()).toEqual({ status: 'locked', revokedSessions: 1 });
    expect((await user.call('GET', '/v1/sessions')).statusCode).toBe(401);
    // A new session of a locked account is refused too.
    expect((await (await signedInDevice(app, userId)).call('GET', '/v1/sessions')).statusCode).toBe(401);
    expect((await support.call('POST', `/v1/admin/accounts/${userId}/unlock`)).json()).toEqual({ status: 'active', revokedSessions: 0 });
    expect((await (await signedInDevice(app, userId)).call('GET', '/v1/sessions')).statusCode).toBe(200);
    const entries = await auditAbout(userId);
    expect(entries.filter((e) => e.action.startsWith('account.')).map((e) => e.action)).toEqual(['account.unlocked', 'account.locked']);
    expect(JSON.stringify(entries)).not.toContain('@clinic.test');
  });

  it('V8.3.1: force sign-out ends every session of the account', async () => {
    const userId = await createAccount(app, ['clinician']);
    const devices = [await signedInDevice(app, userId), await signedInDevice(app, userId)];
    const response = await support.call('POST', `/v1/admin/accounts/${userId}/sign-out`);
    expect(response.json()).toEqual({ status: 'active', revokedSessions: 2 });
    for (const device of devices) expect((await device.call('GET', '/v1/sessions')).statusCode).toBe(401);
    const detail = (await support.call('GET', `/v1/admin/accounts/${userId}`)).json<AdminAccountDetail>();
    expect(detail.sessions).toEqual([]);
    expect((await auditAbout(userId)).map((e) => e.action)).toEqual(expect.arrayContaining(['account.signed_out', 'admin.account_viewed']));
  });

  it('V7.5.3, V6.4.4: resetting second factors needs a step-up, removes them, ends sessions and tells the person by email', async () => {
    const userId = await createAccount(app, ['clinician']);
    const user = await signedInDevice(app, userId);
    const now = clock.now();
    await app.portcullis.database.db
      .insertInto('passkey_credentials')
      .values({
        id: `pk_${userId.slice(0, 20)}`,
        account_id: userId,
        credential_id: `cred-${userId}`,
        public_key: 'AQ',
        user_handle: 'AQ',
        sign_count: 0,
        transports: '[]',
        backup_eligible: 1,
        backed_up: 1,
        aaguid: '00000000-0000-0000-0000-000000000000',
        attestation_format: 'none',
        attestation_trust: 'none',
        name: 'test passkey',
        created_at: now,
        last_used_at: null,
        suspended_at: null,
        suspended_reason: null,
      })
      .execute();
    await app.portcullis.database.db
      .insertInto('mfa_phone_factors')
      .values({
        id: `ph_${userId.slice(0, 20)}`,
        account_id: userId,
        phone_ciphertext: 'sealed',
        phone_hash: `hash-${userId}`,
        created_at: now,
        confirmed_at: now,
        expires_at: null,
        last_used_at: null,
      })
      .execute();
    expect(problemOf(await support.call('POST', `/v1/admin/accounts/${userId}/mfa/reset`))).toEqual([403, 'RBAC_FORBIDDEN']);
    clock.advance(6 * 60_000);
    expect(problemOf(await admin.call('POST', `/v1/admin/accounts/${userId}/mfa/reset`))).toEqual(STEP_UP_REFUSAL);
    admin = await signedInDevice(app, adminId);
    const user2 = await signedInDevice(app, userId);
    expect((await user.call('GET', '/v1/sessions')).statusCode).toBe(200);
    const reset = await admin.call('POST', `/v1/admin/accounts/${userId}/mfa/reset`);
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.json<MfaResetResult>()).toEqual({ removed: { totp: 0, recoveryCodeSets: 0, passkeys: 1, phones: 1 }, revokedSessions: 2 });
    expect((await user2.call('GET', '/v1/sessions')).statusCode).toBe(401);
    expect((await user.call('GET', '/v1/sessions')).statusCode).toBe(401);
    const mail = await waitForMail(app, emailOf(userId), { subject: /second factors/ });
    expect(mail.body).not.toContain(adminId); // the message names no administrator
    expect((await auditAbout(userId)).find((e) => e.action === 'mfa.reset')).toMatchObject({ actor: adminId, outcome: 'success' });
  });

  it('V8.2.1, V16.3.2: role changes apply at once, except admin, which waits for a second admin (never the granting one)', async () => {
    const userId = await createAccount(app, ['clinician']);
    const changed = await admin.call('PUT', `/v1/admin/accounts/${userId}/roles`, { roles: ['support', 'admin'] });
    expect(changed.statusCode, changed.body).toBe(200);
    const result = changed.json<RolesChangeResult>();
    expect(result.roles).toEqual(['support']);
    expect(result.pending).toEqual([expect.objectContaining({ role: 'admin', kind: 'grant', status: 'pending', requestedBy: adminId })]);
    const grantId = result.pending[0]?.id ?? '';
    expect(problemOf(await admin.call('POST', `/v1/admin/elevations/${grantId}/approve`))).toEqual([403, 'ELEVATION_APPROVER_INVALID']);
    const second = await signedInDevice(app, await createAccount(app, ['admin']));
    const approved = await second.call('POST', `/v1/admin/elevations/${grantId}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'granted' });
    const detail = (await support.call('GET', `/v1/admin/accounts/${userId}`)).json<AdminAccountDetail>();
    expect(detail.account.roles).toEqual(['support', 'admin']);
    expect(problemOf(await second.call('POST', `/v1/admin/elevations/${grantId}/approve`))).toEqual([409, 'ELEVATION_NOT_PENDING']);
    const actions = (await auditAbout(userId)).map((e) => [e.action, e.outcome, e.reason]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['role.removed', 'success', 'clinician'],
        ['role.granted', 'success', 'support'],
        ['role.grant_requested', 'success', 'admin'],
        ['elevation.approved', 'failure', 'self_approval'],
        ['role.granted', 'success', 'admin'],
      ]),
    );
  });

  it('separation of duties: no admin locks, resets or changes the roles of their own account', async () => {
    expect(problemOf(await admin.call('PUT', `/v1/admin/accounts/${adminId}/roles`, { roles: ['admin', 'auditor'] }))).toEqual([
      403,
      'ADMIN_SELF_ACTION_FORBIDDEN',
    ]);
    expect(problemOf(await admin.call('POST', `/v1/admin/accounts/${adminId}/lock`))).toEqual([403, 'ADMIN_SELF_ACTION_FORBIDDEN']);
    expect(problemOf(await admin.call('POST', `/v1/admin/accounts/${adminId}/mfa/reset`))).toEqual([403, 'ADMIN_SELF_ACTION_FORBIDDEN']);
  });

  it('bad input is a 4xx problem with a stable code, never a 500', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(problemOf(await support.call('GET', '/v1/admin/accounts/not-a-uuid'))).toEqual([400, 'REQUEST_INVALID']);
    expect(problemOf(await support.call('GET', `/v1/admin/accounts/${missing}`))).toEqual([404, 'ADMIN_ACCOUNT_NOT_FOUND']);
    expect(problemOf(await support.call('POST', `/v1/admin/accounts/${missing}/lock`))).toEqual([404, 'ADMIN_ACCOUNT_NOT_FOUND']);
    expect(problemOf(await support.call('GET', '/v1/admin/accounts?limit=0'))).toEqual([400, 'REQUEST_INVALID']);
    expect(problemOf(await support.call('GET', '/v1/admin/accounts?role=%25%27'))).toEqual([400, 'REQUEST_INVALID']);
    const userId = await createAccount(app, ['patient']);
    expect(problemOf(await admin.call('PUT', `/v1/admin/accounts/${userId}/roles`, { roles: ['wizard'] }))).toEqual([
      400,
      'ADMIN_ROLE_UNKNOWN',
    ]);
    expect(problemOf(await admin.call('PUT', `/v1/admin/accounts/${userId}/roles`, { roles: 'admin' }))).toEqual([400, 'REQUEST_INVALID']);
  });
});
