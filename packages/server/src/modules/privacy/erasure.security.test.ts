/**
 * Erasure by crypto-shredding, over HTTP on both databases (ASVS V14.2.7 data is deleted when no
 * longer needed / on request, V14.3.x, V8.2.1, V7.5.1 step-up for sensitive actions; GDPR art. 17).
 *
 * Invariants:
 * - erasing needs a fresh step-up bound to the request;
 * - afterwards nothing sealed for the person opens — with the key service present — and nothing
 *   is sealed for them again; their sessions are dead (the old DPoP token answers 401), their
 *   password signs in nowhere, and the same address can register a new account;
 * - the tombstone keeps the id only, and the audit log still verifies;
 * - an administrator's request runs only when a second, different administrator approves it,
 *   and two approvals at once erase once.
 */
import { outboxMessages } from '../../test-support/outbox.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErasureReceipt, Erasure } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import { SealedDataUnreadableError } from '../../platform/crypto/index.ts';
import { SubjectErasedError } from '../../platform/data-protection/index.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, createVerifiedAccount } from '../../test-support/dpop-client.ts';
import { createAccount, signedInDevice } from '../../test-support/records-world.ts';
import { problemOf } from '../../test-support/step-up-client.ts';
import {
  PASSWORD,
  buildPrivacyHarness,
  expectAuditLogVerifies,
  populatedPatient,
  personWithTotp,
  withStepUp,
  type PersonWithTotp,
  type PrivacyHarness,
} from './test-support/privacy-harness.ts';

/** Erases the person's own account through the API, answering the step-up with their authenticator app. */
const eraseOwnAccount = (h: PrivacyHarness, person: PersonWithTotp) => withStepUp(h, person, { method: 'DELETE', url: '/v1/accounts/me' });

/** Every sealed value stored for `accountId` (profile and file entries), with where it lives. */
async function sealedValuesOf(app: App, accountId: string) {
  const db = app.portcullis.database.db;
  const found: { sealed: string; at: { table: string; column: string; rowId: string } }[] = [];
  const profile = await db.selectFrom('profiles').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  for (const [field, value] of Object.entries(JSON.parse(profile?.fields ?? '{}') as Record<string, unknown>)) {
    if (typeof value === 'object' && value !== null && 'sealed' in value) {
      found.push({ sealed: (value as { sealed: string }).sealed, at: { table: 'profiles', column: `fields/${field}`, rowId: accountId } });
    }
  }
  for (const entry of await db.selectFrom('record_entries').selectAll().where('patient_account_id', '=', accountId).execute()) {
    for (const [field, value] of Object.entries(JSON.parse(entry.fields) as Record<string, unknown>)) {
      if (typeof value === 'object' && value !== null && 'sealed' in value) {
        found.push({
          sealed: (value as { sealed: string }).sealed,
          at: { table: 'record_entries', column: `fields/${field}`, rowId: entry.id },
        });
      }
    }
  }
  return found;
}

describe.each(testDatabases())('erasure on $dialect', ({ dialect }) => {
  let h: PrivacyHarness;
  beforeEach(async () => {
    h = await buildPrivacyHarness(dialect);
  });
  afterEach(() => h.app.close());

  it('V7.5.1: erasing one’s own account needs a step-up bound to the request, and without it nothing is erased', async () => {
    const person = await personWithTotp(h, 'stepup@example.test');
    expect(problemOf(await person.device.call('DELETE', '/v1/accounts/me'))).toEqual([401, 'STEP_UP_REQUIRED']);
    expect((await person.device.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
    // The data key sealing the person's address since sign-up is still there.
    expect(
      await h.app.portcullis.database.db.selectFrom('data_keys').select('subject_id').where('subject_id', '=', person.accountId).execute(),
    ).toHaveLength(1);
  });

  it('V14.2.7: after erasing oneself nothing of the person opens, sessions are dead, sign-in fails, the address registers anew and the audit log verifies', async () => {
    const { person, other } = await populatedPatient(h, 'erin@example.test');
    const sealed = await sealedValuesOf(h.app, person.accountId);
    expect(sealed.length).toBeGreaterThanOrEqual(3);
    const { dataProtection, database } = h.app.portcullis;
    expect(await dataProtection.open(database.db, person.accountId, sealed[0]!.sealed, sealed[0]!.at)).toBeTruthy();

    const response = await eraseOwnAccount(h, person);
    expect(response.statusCode).toBe(200);
    const receipt = response.json<ErasureReceipt>();
    expect(receipt).toEqual({
      receiptId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      accountId: person.accountId,
      erasedAt: new Date(h.clock.now()).toISOString(),
      requestedBy: person.accountId,
      approvedBy: person.accountId,
      erased: {
        sessions: 2,
        knownDevices: 2,
        passkeys: 0,
        totpFactors: 1,
        phoneFactors: 0,
        recoveryCodes: 10,
        externalIdentities: 0,
        profile: 1,
        recordEntries: 1,
        grants: 1,
        elevations: 0,
        pendingChallenges: expect.any(Number) as number,
      },
      dataKeysDestroyed: 1,
    });

    // Nothing sealed for them opens, in this process or a fresh one, with the key service present.
    for (const value of sealed) {
      await expect(dataProtection.open(database.db, person.accountId, value.sealed, value.at)).rejects.toBeInstanceOf(
        SealedDataUnreadableError,
      );
    }
    await expect(dataProtection.seal(database.db, person.accountId, 'again', sealed[0]!.at)).rejects.toBeInstanceOf(SubjectErasedError);

    // Every session is dead: the old DPoP-bound tokens answer 401.
    expect(problemOf(await person.device.call('GET', '/v1/accounts/me'))[0]).toBe(401);
    expect(problemOf(await other.call('GET', '/v1/accounts/me'))[0]).toBe(401);
    expect((await other.refresh()).statusCode).toBe(401);

    // The password signs in nowhere.
    expect(problemOf(await new TestDevice(h.app).signIn(person.email, PASSWORD, { confirmNewDevice: false }))).toEqual([
      401,
      'AUTH_INVALID_CREDENTIALS',
    ]);

    // The tombstone keeps the id and nothing that identifies the person.
    const tombstone = await database.db.selectFrom('accounts').selectAll().where('id', '=', person.accountId).executeTakeFirstOrThrow();
    expect(tombstone).toMatchObject({ password_hash: null, roles: '[]', status: 'locked', erased_at: h.clock.now() });
    expect(JSON.stringify(tombstone)).not.toContain('erin');
    for (const table of ['sessions', 'mfa_totp_factors', 'mfa_recovery_codes', 'known_devices', 'profiles'] as const) {
      expect(await database.db.selectFrom(table).select('account_id').where('account_id', '=', person.accountId).execute()).toEqual([]);
    }
    expect(await database.db.selectFrom('record_grants').selectAll().where('patient_account_id', '=', person.accountId).execute()).toEqual(
      [],
    );

    // The same address can register again, as a new account (the test mailbox is emptied first,
    // so the newest message is the new confirmation).
    const earlier = (await outboxMessages(h.app, { to: person.email })).map((message) => message.id);
    if (earlier.length > 0) await database.db.deleteFrom('outbox').where('id', 'in', earlier).execute();
    const newcomer = new TestDevice(h.app);
    await createVerifiedAccount(h.app, newcomer, person.email, PASSWORD);
    expect((await newcomer.signIn(person.email, PASSWORD)).statusCode).toBe(201);
    const me = (await newcomer.call('GET', '/v1/accounts/me')).json<{ id: string }>();
    expect(me.id).not.toBe(person.accountId);

    // The receipt is recorded in the audit log, which still verifies and never held the address.
    const erased = await database.db.selectFrom('audit_events').selectAll().where('action', '=', 'account.erased').execute();
    expect(erased).toEqual([
      expect.objectContaining({
        actor_id: person.accountId,
        subject_id: person.accountId,
        reason: `receipt_${receipt.receiptId.replaceAll('-', '')}`,
      }),
    ]);
    const audit = JSON.stringify(await database.db.selectFrom('audit_events').selectAll().execute());
    expect(audit).not.toContain(person.email);
    await expectAuditLogVerifies(h, { cli: true });
  });
});

describe.each(testDatabases())('erasure by two administrators on $dialect', ({ dialect }) => {
  let h: PrivacyHarness;
  beforeEach(async () => {
    h = await buildPrivacyHarness(dialect);
  });
  afterEach(() => h.app.close());

  async function admin() {
    const accountId = await createAccount(h.app, ['admin']);
    return { accountId, device: await signedInDevice(h.app, accountId) };
  }

  async function requestFor(requester: { device: TestDevice }, accountId: string) {
    const response = await requester.device.call('POST', `/v1/admin/accounts/${accountId}/erasure`, { reason: 'ticket 4711' });
    expect(response.statusCode).toBe(201);
    return response.json<Erasure>();
  }

  it('V8.2.1: a request waits for a second administrator; the requester cannot approve it, nor the account concerned', async () => {
    const [alice, bob] = [await admin(), await admin()];
    const patientId = await createAccount(h.app, ['patient']);
    const patient = await signedInDevice(h.app, patientId);
    const request = await requestFor(alice, patientId);
    expect(request).toMatchObject({ accountId: patientId, status: 'pending', requestedBy: alice.accountId, reason: 'ticket 4711' });
    expect((await patient.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
    const listed = (await bob.device.call('GET', '/v1/admin/erasures')).json<{ erasures: Erasure[] }>();
    expect(listed.erasures.map((e) => e.id)).toEqual([request.id]);

    expect(problemOf(await alice.device.call('POST', `/v1/admin/erasures/${request.id}/approve`))).toEqual([
      403,
      'ERASURE_APPROVER_INVALID',
    ]);
    expect(problemOf(await patient.call('POST', `/v1/admin/erasures/${request.id}/approve`))).toEqual([403, 'RBAC_FORBIDDEN']);
    expect((await patient.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
    expect(problemOf(await alice.device.call('POST', `/v1/admin/accounts/${alice.accountId}/erasure`, { reason: 'leaving' }))).toEqual([
      403,
      'ADMIN_SELF_ACTION_FORBIDDEN',
    ]);

    const approved = await bob.device.call('POST', `/v1/admin/erasures/${request.id}/approve`);
    expect(approved.statusCode).toBe(200);
    expect(approved.json<ErasureReceipt>()).toMatchObject({
      receiptId: request.id,
      accountId: patientId,
      requestedBy: alice.accountId,
      approvedBy: bob.accountId,
      erased: { sessions: 1 },
    });
    expect(problemOf(await patient.call('GET', '/v1/accounts/me'))[0]).toBe(401);
    const actions = await h.app.portcullis.database.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'actor_id', 'subject_id', 'reason'])
      .where('action', 'like', 'account.eras%')
      .orderBy('log_index')
      .execute();
    expect(actions).toEqual([
      { action: 'account.erasure_requested', outcome: 'success', actor_id: alice.accountId, subject_id: patientId, reason: null },
      { action: 'account.erasure_approved', outcome: 'failure', actor_id: alice.accountId, subject_id: patientId, reason: 'self_approval' },
      {
        action: 'account.erasure_requested',
        outcome: 'failure',
        actor_id: alice.accountId,
        subject_id: alice.accountId,
        reason: 'self_action',
      },
      { action: 'account.erasure_approved', outcome: 'success', actor_id: bob.accountId, subject_id: patientId, reason: null },
      {
        action: 'account.erased',
        outcome: 'success',
        actor_id: bob.accountId,
        subject_id: patientId,
        reason: `receipt_${request.id.replaceAll('-', '')}`,
      },
    ]);
    expect(problemOf(await bob.device.call('POST', `/v1/admin/erasures/${request.id}/approve`))).toEqual([409, 'ERASURE_NOT_PENDING']);
    await expectAuditLogVerifies(h);
  });

  it('a person who erases themself leaves no request pending for the administrators', async () => {
    const alice = await admin();
    const patientId = await createAccount(h.app, ['patient']);
    const patient = await signedInDevice(h.app, patientId);
    await requestFor(alice, patientId);
    // The session was just opened with a phishing-resistant factor: the step-up is already satisfied.
    expect((await patient.call('DELETE', '/v1/accounts/me')).statusCode).toBe(200);
    const listed = (await alice.device.call('GET', '/v1/admin/erasures')).json<{ erasures: Erasure[] }>();
    expect(listed.erasures).toEqual([]);
    await expectAuditLogVerifies(h);
  });

  it('V8.2.1: two approvals at once erase once', async () => {
    const [alice, bob, carol] = [await admin(), await admin(), await admin()];
    const patientId = await createAccount(h.app, ['patient']);
    const { dataProtection, database } = h.app.portcullis;
    await dataProtection.seal(database.db, patientId, 'sealed for the patient', { table: 't', column: 'c', rowId: 'r' });
    const request = await requestFor(alice, patientId);
    const answers = await Promise.all(
      [bob, carol].map((approver) => approver.device.call('POST', `/v1/admin/erasures/${request.id}/approve`)),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    expect(answers.map((a) => problemOf(a)[1]).filter(Boolean)).toEqual(['ERASURE_NOT_PENDING']);
    const winner = answers.find((a) => a.statusCode === 200)!.json<ErasureReceipt>();
    expect(winner.dataKeysDestroyed).toBe(1);
    const erased = await database.db.selectFrom('audit_events').select('actor_id').where('action', '=', 'account.erased').execute();
    expect(erased).toEqual([{ actor_id: winner.approvedBy }]);
    expect(await database.db.selectFrom('erased_subjects').selectAll().where('subject_id', '=', patientId).execute()).toHaveLength(1);
    await expectAuditLogVerifies(h);
  });
});
