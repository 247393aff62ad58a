/**
 * Messaging invariants (ASVS V8.2.2 data-specific access, V8.3.1 enforcement at the service
 * layer, V7.4.1 and V7.4.2 session termination):
 * - who may reach whom is the messaging policy, decided on the server: a patient and a clinician
 *   only while the patient's grant is in force, clinicians among themselves, nobody else; an
 *   account one may not reach answers exactly like an unknown one;
 * - a device credential lives only as long as its session: revoking the session (one session,
 *   all others, refresh-token reuse) removes the credential with a `remove` key log entry in the
 *   same transaction (erasure does too: modules/privacy/erasure-messaging.security.test.ts); a removed device is no longer handed out,
 *   receives nothing more and loses its undelivered mail;
 * - a credential is registered only from a session bound to the calling device's key (DPoP);
 *   a bearer client's session cannot hold one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenResponse } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { testRequestContext } from '../../test-support/request-context.ts';
import { createAccount, insertGrant } from '../../test-support/records-world.ts';
import { bearerBinding, issueSession } from '../sessions/index.ts';
import { MlsDevice, recordingKeyLog } from './test-support/mls-world.ts';

describe.each(testDatabases())('messaging security on $dialect', ({ dialect }) => {
  let app: App;
  let keyLog: ReturnType<typeof recordingKeyLog>;
  beforeEach(async () => {
    keyLog = recordingKeyLog();
    app = await buildTestApp({ dialect, keyLog, config: { sessions: { bearerClients: ['kiosk'] } } });
  });
  afterEach(() => app.close());

  async function reach(from: MlsDevice, accountId: string): Promise<{ devices: number; claim: number; code?: string }> {
    const devices = await from.call('GET', `/v1/messaging/accounts/${accountId}/devices`);
    const claim = await from.claim(accountId);
    const code = claim.statusCode === 200 ? undefined : claim.json<{ code: string }>().code;
    return { devices: devices.statusCode, claim: claim.statusCode, ...(code ? { code } : {}) };
  }

  it('V8.2.2: a patient and a clinician reach each other only while the patient’s grant is in force; clinicians always; nobody else', async () => {
    const patient = await MlsDevice.registered(app, await createAccount(app, ['patient']));
    const otherPatient = await MlsDevice.registered(app, await createAccount(app, ['patient']));
    const clinician = await MlsDevice.registered(app, await createAccount(app, ['clinician']));
    const colleague = await MlsDevice.registered(app, await createAccount(app, ['clinician']));
    const support = await createAccount(app, ['support']);
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const device of [patient, otherPatient, clinician, colleague]) await device.uploadKeyPackages(2);
    const refused = { devices: 404, claim: 404, code: 'MESSAGING_ACCOUNT_NOT_FOUND' };
    const allowed = { devices: 200, claim: 200 };

    expect(await reach(clinician, patient.accountId)).toEqual(refused);
    expect(await reach(patient, clinician.accountId)).toEqual(refused);
    const grantId = await insertGrant(app, { patientId: patient.accountId, granteeId: clinician.accountId, scope: 'read' });
    expect(await reach(clinician, patient.accountId)).toEqual(allowed);
    expect(await reach(patient, clinician.accountId)).toEqual(allowed);
    // The grant is the patient's: it does not let the clinician reach other patients.
    expect(await reach(clinician, otherPatient.accountId)).toEqual(refused);
    expect(await reach(patient, otherPatient.accountId)).toEqual(refused);
    expect(await reach(clinician, colleague.accountId)).toEqual(allowed);
    // Staff accounts and unknown ids look the same: not reachable.
    expect(await reach(clinician, support)).toEqual(refused);
    expect(await reach(clinician, unknown)).toEqual(refused);

    const revoked = await patient.call('DELETE', `/v1/records/grants/${grantId}`);
    expect(revoked.statusCode).toBe(204);
    expect(await reach(clinician, patient.accountId)).toEqual(refused);
    expect(await reach(patient, clinician.accountId)).toEqual(refused);
  });

  it('V8.2.2: staff holding no `messages:use` cannot register a device, claim or create a conversation', async () => {
    for (const role of ['support', 'admin', 'auditor']) {
      const staff = await MlsDevice.signIn(app, await createAccount(app, [role]));
      const attempts = [
        await staff.call('POST', '/v1/messaging/devices', { signatureKey: staff.signatureKey }),
        await staff.claim(staff.accountId),
        await staff.call('GET', '/v1/messaging/groups'),
      ];
      expect([role, attempts.map((r) => r.json<{ code: string }>().code)]).toEqual([role, Array(3).fill('RBAC_FORBIDDEN')]);
    }
  });

  /** A clinician and a patient in one conversation, the patient on two devices; returns them with the group. */
  async function conversation() {
    const patientId = await createAccount(app, ['patient']);
    const clinicianId = await createAccount(app, ['clinician']);
    await insertGrant(app, { patientId, granteeId: clinicianId, scope: 'read' });
    const phone = await MlsDevice.registered(app, patientId);
    const tablet = await MlsDevice.registered(app, patientId);
    const clinician = await MlsDevice.registered(app, clinicianId);
    for (const device of [phone, tablet, clinician]) await device.uploadKeyPackages(2);
    const groupId = await clinician.createGroup();
    const claimed = (await clinician.claim(patientId)).json<{ keyPackages: { deviceId: string; keyPackage: string }[] }>().keyPackages;
    expect(claimed).toHaveLength(2);
    expect((await clinician.commit(groupId, await clinician.buildCommit(groupId, claimed))).statusCode).toBe(201);
    return { phone, tablet, clinician, groupId };
  }

  async function mailboxOf(device: MlsDevice): Promise<number> {
    const rows = await app.portcullis.database.db
      .selectFrom('messaging_mailbox')
      .select('seq')
      .where('device_id', '=', device.deviceId)
      .execute();
    return rows.length;
  }

  async function expectRemoved(device: MlsDevice, clinician: MlsDevice, groupId: string): Promise<void> {
    // The key log holds its removal…
    expect(keyLog.entries.filter((e) => e.deviceId === device.deviceId).map((e) => e.op)).toEqual(['add', 'remove']);
    // …nobody can claim it any more, the group no longer lists it, and its mail is gone.
    const claimed = (await clinician.claim(device.accountId)).json<{ keyPackages: { deviceId: string }[] }>().keyPackages;
    expect(claimed.map((k) => k.deviceId)).not.toContain(device.deviceId);
    const members = (await clinician.call('GET', `/v1/messaging/groups/${groupId}`)).json<{ members: { deviceId: string }[] }>().members;
    expect(members.map((m) => m.deviceId)).not.toContain(device.deviceId);
    expect(await mailboxOf(device)).toBe(0);
    // What is sent next does not reach it.
    expect((await clinician.send(groupId, 'after the removal')).statusCode).toBe(201);
    expect(await mailboxOf(device)).toBe(0);
    const listed = (await clinician.call('GET', `/v1/messaging/accounts/${device.accountId}/devices`)).json<{
      devices: { deviceId: string }[];
    }>();
    expect(listed.devices.map((d) => d.deviceId)).not.toContain(device.deviceId);
  }

  it('V7.4.1: revoking a session from another device removes its credential in the same transaction', async () => {
    const { phone, tablet, clinician, groupId } = await conversation();
    const sessionId = tablet.session.tokens?.sessionId ?? '';
    expect((await phone.call('DELETE', `/v1/sessions/${sessionId}`)).statusCode).toBe(200);
    await expectRemoved(tablet, clinician, groupId);
    // The phone stays.
    expect(keyLog.entries.filter((e) => e.deviceId === phone.deviceId).map((e) => e.op)).toEqual(['add']);
  });

  it('V7.4.1: signing out everywhere else removes every other device’s credential', async () => {
    const { phone, tablet, clinician, groupId } = await conversation();
    expect((await phone.call('POST', '/v1/sessions/revoke-others')).statusCode).toBe(200);
    await expectRemoved(tablet, clinician, groupId);
  });

  it('V7.4.1: refresh-token reuse ends the session and removes its credential', async () => {
    const { tablet, clinician, groupId } = await conversation();
    const spent = tablet.session.tokens?.refreshToken;
    // Its successor is used too, so presenting the spent token again is reuse even inside the grace window.
    expect((await tablet.session.refresh()).statusCode).toBe(200);
    expect((await tablet.session.refresh()).statusCode).toBe(200);
    expect((await tablet.session.refresh(spent)).statusCode).toBe(401);
    await expectRemoved(tablet, clinician, groupId);
  });

  it('a credential is registered only from a session bound to the device key: a bearer client’s session cannot hold one', async () => {
    const accountId = await createAccount(app, ['patient']);
    const tokens: TokenResponse = await issueSession(
      app.portcullis.sessions,
      { accountId, aal: 'aal1', amr: ['pwd'], jkt: bearerBinding('kiosk'), device: { label: 'Kiosk', platform: 'web' } },
      testRequestContext(app.portcullis.sessions, 'test-setup'),
    );
    const response = await app.inject({
      method: 'POST',
      url: '/v1/messaging/devices',
      headers: { authorization: `Bearer ${tokens.accessToken}` },
      payload: { signatureKey: Buffer.alloc(32, 7).toString('base64url') },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'MESSAGING_DEVICE_BINDING_REQUIRED' });
    expect(keyLog.entries).toEqual([]);
  });

  it('a registration whose key log append fails leaves no credential behind', async () => {
    await app.close();
    const failing = { append: () => Promise.reject(new Error('key log unavailable')) };
    app = await buildTestApp({ dialect, keyLog: failing });
    const device = await MlsDevice.signIn(app, await createAccount(app, ['patient']));
    const response = await device.call('POST', '/v1/messaging/devices', { signatureKey: device.signatureKey });
    expect(response.statusCode).toBe(500);
    expect(await app.portcullis.database.db.selectFrom('messaging_devices').selectAll().execute()).toEqual([]);
  });
});
