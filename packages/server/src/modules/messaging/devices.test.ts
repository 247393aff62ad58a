/**
 * Messaging devices and KeyPackages on both databases: registration from the session itself
 * with its key log entry, KeyPackage validation against the registered credential, counts, and
 * claims that hand every one-time KeyPackage out at most once under concurrency.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { createAccount, insertGrant } from '../../test-support/records-world.ts';
import { MlsDevice, recordingKeyLog } from './test-support/mls-world.ts';

describe.each(testDatabases())('messaging devices and key packages on $dialect', ({ dialect }) => {
  let app: App;
  let keyLog: ReturnType<typeof recordingKeyLog>;
  beforeEach(async () => {
    keyLog = recordingKeyLog();
    app = await buildTestApp({ dialect, keyLog });
  });
  afterEach(() => app.close());

  it('registers one device per session, with its identity and an `add` key log entry', async () => {
    const patient = await createAccount(app, ['patient']);
    const device = await MlsDevice.signIn(app, patient);
    const response = await device.call('POST', '/v1/messaging/devices', { signatureKey: device.signatureKey });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json<{ deviceId: string; accountId: string; identity: string; keyLog: { index: number } }>();
    expect(body.deviceId).toMatch(/^dev_[A-Za-z0-9_-]{22}$/);
    expect(body).toMatchObject({ accountId: patient, identity: `${patient}:${body.deviceId}`, keyLog: { index: 0 } });
    expect(keyLog.entries).toEqual([
      { op: 'add', accountId: patient, deviceId: body.deviceId, signatureKey: device.signatureKey, index: 0 },
    ]);

    const again = await device.call('POST', '/v1/messaging/devices', { signatureKey: device.signatureKey });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'MESSAGING_DEVICE_EXISTS' });

    // Signing out appends `remove`; the session may then register a new credential.
    expect((await device.call('DELETE', '/v1/messaging/devices/current')).statusCode).toBe(204);
    expect(keyLog.entries.at(-1)).toMatchObject({ op: 'remove', deviceId: body.deviceId });
    expect((await device.call('DELETE', '/v1/messaging/devices/current')).statusCode).toBe(404);
    expect((await device.call('POST', '/v1/messaging/devices', { signatureKey: device.signatureKey })).statusCode).toBe(201);
  });

  it('stores KeyPackages only for the device’s own credential and counts them', async () => {
    const patient = await createAccount(app, ['patient']);
    const device = await MlsDevice.registered(app, patient);
    await device.uploadKeyPackages(3, true);
    expect((await device.call('GET', '/v1/messaging/key-packages/count')).json()).toEqual({ oneTime: 3, lastResort: 1 });

    const other = await MlsDevice.registered(app, patient);
    const forged = [
      ['another device’s identity', await device.keyPackage(other.identity)],
      ['another signature key', await device.keyPackage(device.identity, await device.impl.signature.keygen())],
    ] as const;
    for (const [what, keyPackage] of forged) {
      const response = await device.call('POST', '/v1/messaging/key-packages', { keyPackages: [keyPackage.wire] });
      expect([what, response.statusCode, response.json<{ code: string }>().code]).toEqual([what, 400, 'MESSAGING_KEY_PACKAGE_INVALID']);
    }
    // A flipped bit in the signature.
    const sound = await device.keyPackage();
    const bytes = Buffer.from(sound.wire, 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    const tampered = await device.call('POST', '/v1/messaging/key-packages', { keyPackages: [bytes.toString('base64url')] });
    expect(tampered.json()).toMatchObject({ code: 'MESSAGING_KEY_PACKAGE_INVALID' });
    // Not a KeyPackage at all.
    const garbage = await device.call('POST', '/v1/messaging/key-packages', { keyPackages: ['AAEC'] });
    expect(garbage.json()).toMatchObject({ code: 'MESSAGING_KEY_PACKAGE_INVALID' });
    expect((await device.call('GET', '/v1/messaging/key-packages/count')).json()).toEqual({ oneTime: 3, lastResort: 1 });
  });

  it('refuses more unclaimed KeyPackages than `messaging.keyPackages.maxUnclaimed`', async () => {
    await app.close();
    app = await buildTestApp({ dialect, keyLog, config: { messaging: { keyPackages: { maxUnclaimed: 2 } } } });
    const device = await MlsDevice.registered(app, await createAccount(app, ['patient']));
    await device.uploadKeyPackages(2);
    const third = await device.call('POST', '/v1/messaging/key-packages', { keyPackages: [(await device.keyPackage()).wire] });
    expect(third.statusCode).toBe(409);
    expect(third.json()).toMatchObject({ code: 'MESSAGING_KEY_PACKAGES_FULL' });
  });

  it('20 parallel claims hand each one-time KeyPackage out once, then the last-resort one', async () => {
    const patient = await createAccount(app, ['patient']);
    const clinician = await createAccount(app, ['clinician']);
    await insertGrant(app, { patientId: patient, granteeId: clinician, scope: 'read' });
    const target = await MlsDevice.registered(app, patient);
    const uploaded = await target.uploadKeyPackages(12, true);
    const oneTime = uploaded.slice(0, 12).map((p) => p.wire);
    const lastResort = uploaded[12]?.wire;
    const claimers = await Promise.all(Array.from({ length: 4 }, () => MlsDevice.registered(app, clinician)));

    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => (claimers[i % claimers.length] as MlsDevice).claim(patient)));
    const handed = responses.map((response) => {
      expect(response.statusCode, response.body).toBe(200);
      const { keyPackages } = response.json<{ keyPackages: { deviceId: string; keyPackage: string; keyLogIndex: number }[] }>();
      expect(keyPackages).toHaveLength(1);
      expect(keyPackages[0]).toMatchObject({ deviceId: target.deviceId, keyLogIndex: target.keyLogIndex });
      return keyPackages[0]?.keyPackage;
    });
    const handedOneTime = handed.filter((wire) => wire !== lastResort);
    expect(handedOneTime.sort()).toEqual([...oneTime].sort());
    expect(handed.filter((wire) => wire === lastResort)).toHaveLength(8);
    expect((await target.call('GET', '/v1/messaging/key-packages/count')).json()).toEqual({ oneTime: 0, lastResort: 1 });
  });

  it('claims one KeyPackage per active device of the account, never the caller’s own device', async () => {
    const clinician = await createAccount(app, ['clinician']);
    const [first, second, third] = await Promise.all([1, 2, 3].map(() => MlsDevice.registered(app, clinician)));
    if (!first || !second || !third) throw new TypeError('devices');
    for (const device of [first, second, third]) await device.uploadKeyPackages(1);
    const claim = (await first.claim(clinician)).json<{ keyPackages: { deviceId: string }[] }>();
    expect(claim.keyPackages.map((k) => k.deviceId).sort()).toEqual([second.deviceId, third.deviceId].sort());
  });

  it('claims only for the devices named, so no one-time KeyPackage is spent on devices already in a conversation', async () => {
    const clinician = await createAccount(app, ['clinician']);
    const [first, second, third] = await Promise.all([1, 2, 3].map(() => MlsDevice.registered(app, clinician)));
    if (!first || !second || !third) throw new TypeError('devices');
    for (const device of [second, third]) await device.uploadKeyPackages(2);
    const response = await first.call('POST', '/v1/messaging/key-packages/claim', { accountId: clinician, deviceIds: [third.deviceId] });
    expect(response.json<{ keyPackages: { deviceId: string }[] }>().keyPackages.map((k) => k.deviceId)).toEqual([third.deviceId]);
    expect((await second.call('GET', '/v1/messaging/key-packages/count')).json()).toMatchObject({ oneTime: 2 });
    expect((await third.call('GET', '/v1/messaging/key-packages/count')).json()).toMatchObject({ oneTime: 1 });
    const malformed = await first.call('POST', '/v1/messaging/key-packages/claim', { accountId: clinician, deviceIds: ['not-a-device'] });
    expect(malformed.statusCode).toBe(400);
  });
});
