/**
 * The SDK's records, admin and audit clients against the real server, each used the way an
 * app would: a patient shares their file with a clinician who writes in it; an administrator
 * who signed in with a password is told by a typed error that a passkey is needed (RFC 9470),
 * and with a passkey session reads the alerts, manages accounts and reads the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore, PortcullisClient, isApiError, isInsufficientAuthentication, type PasskeyAuthenticator } from '@portcullis/sdk';
import { getAccountDetail, getAdminAlerts, listAccounts, lockAccount, unlockAccount } from '@portcullis/sdk/admin';
import { getAuditCheckpoint, listAuditEntries } from '@portcullis/sdk/audit';
import {
  addPatientEntry,
  getMyProfile,
  getMyRecordEntry,
  getProfile,
  grantRecordAccess,
  listGrantingPatients,
  listMyRecordEntries,
  listPatientEntries,
  previewMyData,
  revokeRecordGrant,
  updateMyProfile,
} from '@portcullis/sdk/records';
import type { RunningServer } from './server.ts';
import { codeIn, waitForMail } from './test-support/dpop-client.ts';
import { setRoles } from './test-support/phone-harness.ts';
import { startRealTestServer } from './test-support/real-server.ts';
import { SoftwareAuthenticator } from './test-support/software-authenticator.ts';

describe('SDK records, admin and audit clients ↔ server', () => {
  let server: RunningServer;
  let baseUrl: string;
  beforeAll(async () => {
    ({ server, baseUrl } = await startRealTestServer());
  });
  afterAll(() => server.close());

  const password = 'correct horse battery staple';
  const device = { label: 'SDK test', platform: 'web' as const };

  /** A verified account with `roles`, signed in with its password; and its id. */
  async function account(email: string, roles: readonly string[]): Promise<{ sdk: PortcullisClient; id: string }> {
    const sdk = new PortcullisClient({ baseUrl, tokenStore: new MemoryTokenStore() });
    await sdk.signUp({ email, password });
    const code = codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);
    const { id } = await sdk.verifyEmail({ email, code, device });
    await setRoles(server.app, id, roles);
    await sdk.signIn({ email, password, device });
    return { sdk, id };
  }

  /** Registers a passkey on the (restricted) password session, then signs in with it: staff roles need one. */
  async function signInWithNewPasskey(sdk: PortcullisClient): Promise<void> {
    const software = new SoftwareAuthenticator();
    const authenticator: PasskeyAuthenticator = {
      create: (options) => Promise.resolve(software.register(options, { origin: baseUrl })),
      get: (options) => Promise.resolve(software.assert(options, { origin: baseUrl })),
    };
    await sdk.registerPasskey(authenticator, 'Work laptop');
    await sdk.signInWithPasskey(authenticator, device);
  }

  it('records: a patient grants a clinician access, the clinician writes and sees the profile, the patient reads, previews and revokes', async () => {
    const patient = await account('patient-sdk@clinic.test', ['patient']);
    const clinician = await account('clinician-sdk@clinic.test', ['clinician']);
    await signInWithNewPasskey(clinician.sdk);

    const grant = await grantRecordAccess(patient.sdk, { granteeAccountId: clinician.id, scope: 'write' });
    expect(grant).toMatchObject({ patientAccountId: patient.id, granteeAccountId: clinician.id, scope: 'write' });
    expect((await listGrantingPatients(clinician.sdk)).grants).toEqual([expect.objectContaining({ patientAccountId: patient.id })]);

    const entry = await addPatientEntry(clinician.sdk, patient.id, {
      type: 'file-entry',
      fields: { kind: 'note', note: 'Follow-up in two weeks.' },
    });
    expect(entry).toMatchObject({
      patientAccountId: patient.id,
      authorAccountId: clinician.id,
      type: 'file-entry',
      fields: { kind: 'note' },
    });
    expect((await listMyRecordEntries(patient.sdk)).entries.map(({ id }) => id)).toEqual([entry.id]);
    expect(await getMyRecordEntry(patient.sdk, entry.id)).toMatchObject({ fields: { note: 'Follow-up in two weeks.' } });
    expect((await listPatientEntries(clinician.sdk, patient.id)).entries).toHaveLength(1);

    const saved = await updateMyProfile(patient.sdk, {
      fields: { displayName: 'Ada', emergencyContact: 'Grace, +15550100' },
      sharing: { displayName: 'public' },
    });
    expect(saved.sharing).toMatchObject({ displayName: 'public', emergencyContact: 'care_team', phone: 'private' });
    expect((await getMyProfile(patient.sdk)).fields).toEqual({ displayName: 'Ada', emergencyContact: 'Grace, +15550100' });
    expect((await getProfile(clinician.sdk, patient.id)).fields).toEqual({ displayName: 'Ada', emergencyContact: 'Grace, +15550100' });
    expect((await previewMyData(patient.sdk, 'public')).profile.fields).toEqual({ displayName: 'Ada' });
    expect((await previewMyData(patient.sdk, 'care_team')).entries.map(({ id }) => id)).toEqual([entry.id]);

    await revokeRecordGrant(patient.sdk, grant.id);
    const refused: unknown = await listPatientEntries(clinician.sdk, patient.id).catch((error: unknown) => error);
    expect(isApiError(refused, 'RECORD_NOT_FOUND')).toBe(true);
  });

  it('admin: a password session learns a passkey is needed; a passkey session manages accounts and reads the audit log', async () => {
    const admin = await account('admin-sdk@clinic.test', ['admin', 'auditor']);
    const member = await account('member-sdk@clinic.test', ['patient']);

    const refused: unknown = await listAccounts(admin.sdk).catch((error: unknown) => error);
    expect(isInsufficientAuthentication(refused)).toBe(true);
    expect(refused).toMatchObject({
      code: 'AUTH_LEVEL_INSUFFICIENT',
      requiredLevel: 'aal2_phr',
      currentLevel: 'aal1',
      methods: ['passkey'],
    });
    expect((refused as Error).message).toContain('passkey');

    await signInWithNewPasskey(admin.sdk);

    // Nothing to show on the banner: no wave of failed sign-ins.
    expect(await getAdminAlerts(admin.sdk)).toEqual({ alerts: [] });
    const { accounts } = await listAccounts(admin.sdk, { email: 'member-sdk@clinic.test' });
    expect(accounts).toEqual([expect.objectContaining({ id: member.id, masked: true, status: 'active' })]);
    expect(await getAccountDetail(admin.sdk, member.id)).toMatchObject({ account: { id: member.id } });
    expect(await lockAccount(admin.sdk, member.id)).toMatchObject({ status: 'locked' });
    expect(await unlockAccount(admin.sdk, member.id)).toMatchObject({ status: 'active' });

    const { entries } = await listAuditEntries(admin.sdk, { subjectId: member.id, limit: 10 });
    expect(entries.map(({ action }) => action)).toEqual(expect.arrayContaining(['account.locked', 'account.unlocked']));
    expect(await getAuditCheckpoint(admin.sdk)).toHaveProperty('checkpoint');
  });
});
