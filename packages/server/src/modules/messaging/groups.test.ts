/**
 * Conversations on both databases with real MLS objects: a clinician starts a conversation with
 * a patient who granted them access, the patient joins from the Welcome the server routed to
 * their device, application messages reach the other member devices, and the server orders
 * commits by epoch — a stale commit is refused, and of two concurrent commits exactly one wins.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { createAccount, insertGrant } from '../../test-support/records-world.ts';
import { MlsDevice, newGroupId, recordingKeyLog } from './test-support/mls-world.ts';

interface Delivered {
  seq: number;
  group_id: string;
  kind: string;
  payload: string;
}

describe.each(testDatabases())('messaging groups on $dialect', ({ dialect }) => {
  let app: App;
  beforeEach(async () => {
    app = await buildTestApp({ dialect, keyLog: recordingKeyLog() });
  });
  afterEach(() => app.close());

  /** What waits in a device's mailbox, in delivery order. */
  async function mailbox(device: MlsDevice): Promise<Delivered[]> {
    return app.portcullis.database.db
      .selectFrom('messaging_mailbox')
      .innerJoin('messaging_messages', 'messaging_messages.seq', 'messaging_mailbox.seq')
      .select(['messaging_messages.seq', 'messaging_messages.group_id', 'messaging_messages.kind', 'messaging_messages.payload'])
      .where('messaging_mailbox.device_id', '=', device.deviceId)
      .orderBy('messaging_messages.seq')
      .execute();
  }

  /** A clinician and a patient who granted them access, each with one device holding KeyPackages. */
  async function careTeam() {
    const patientId = await createAccount(app, ['patient']);
    const clinicianId = await createAccount(app, ['clinician']);
    await insertGrant(app, { patientId, granteeId: clinicianId, scope: 'read' });
    const patient = await MlsDevice.registered(app, patientId);
    const clinician = await MlsDevice.registered(app, clinicianId);
    await patient.uploadKeyPackages(2, true);
    await clinician.uploadKeyPackages(2, true);
    return { patient, clinician };
  }

  /** `owner` creates a group and adds the devices of `account` from claimed KeyPackages; each joins. */
  async function startConversation(owner: MlsDevice, others: readonly MlsDevice[]): Promise<string> {
    const groupId = await owner.createGroup();
    const accounts = [...new Set(others.map((d) => d.accountId))];
    const adds: { deviceId: string; keyPackage: string }[] = [];
    for (const account of accounts) {
      const claim = await owner.claim(account);
      expect(claim.statusCode, claim.body).toBe(200);
      adds.push(...claim.json<{ keyPackages: { deviceId: string; keyPackage: string }[] }>().keyPackages);
    }
    const built = await owner.buildCommit(groupId, adds);
    const response = await owner.commit(groupId, built);
    expect(response.statusCode, response.body).toBe(201);
    for (const device of others) {
      const welcome = (await mailbox(device)).find((entry) => entry.kind === 'welcome' && entry.group_id === groupId);
      const add = adds.find((a) => a.deviceId === device.deviceId);
      if (!welcome || !add) throw new Error('no welcome for an added device');
      await device.join(groupId, welcome.payload, add.keyPackage);
    }
    return groupId;
  }

  it('a commit adding a device routes its Welcome; members exchange application messages', async () => {
    const { patient, clinician } = await careTeam();
    const groupId = await startConversation(clinician, [patient]);

    const group = (await patient.call('GET', `/v1/messaging/groups/${groupId}`)).json<{ epoch: number; members: unknown[] }>();
    expect(group.epoch).toBe(1);
    expect(group.members).toEqual(
      expect.arrayContaining([
        { accountId: clinician.accountId, deviceId: clinician.deviceId },
        { accountId: patient.accountId, deviceId: patient.deviceId },
      ]),
    );
    expect((await patient.call('GET', '/v1/messaging/groups')).json()).toEqual({ groups: [{ groupId, epoch: 1 }] });
    // The commit did not go back to its sender, and the Welcome only to the added device.
    expect((await mailbox(clinician)).map((entry) => entry.kind)).toEqual([]);

    const sent = await patient.send(groupId, 'Hello, doctor');
    expect(sent.statusCode, sent.body).toBe(201);
    const { seq } = sent.json<{ seq: number }>();
    const delivered = await mailbox(clinician);
    expect(delivered).toEqual([expect.objectContaining({ seq, group_id: groupId, kind: 'application' })]);
    // Nobody but the other member holds it; the sender's mailbox keeps only its Welcome.
    expect((await mailbox(patient)).map((entry) => entry.kind)).toEqual(['welcome']);
  });

  it('a commit for a past epoch is refused with the current epoch', async () => {
    const { patient, clinician } = await careTeam();
    const groupId = await startConversation(clinician, [patient]);
    // The patient's commit for epoch 1 is accepted; the clinician, still at epoch 1, is behind.
    expect((await patient.commit(groupId, await patient.buildCommit(groupId))).statusCode).toBe(201);
    const stale = await clinician.call('POST', `/v1/messaging/groups/${groupId}/commits`, (await clinician.buildCommit(groupId)).body);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'EPOCH_CONFLICT', currentEpoch: 2 });
    // An application message of the old epoch is refused too.
    const late = await clinician.send(groupId, 'still at epoch 1');
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'EPOCH_CONFLICT', currentEpoch: 2 });
  });

  it('of two concurrent commits for the same epoch exactly one wins; the other gets 409 with the new epoch', async () => {
    const { patient, clinician } = await careTeam();
    const groupId = await startConversation(clinician, [patient]);
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([patient.buildCommit(groupId), clinician.buildCommit(groupId)]);
      const responses = await Promise.all([patient.commit(groupId, a), clinician.commit(groupId, b)]);
      const statuses = responses.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([201, 409]);
      const loser = responses.find((r) => r.statusCode === 409);
      expect(loser?.json()).toMatchObject({ code: 'EPOCH_CONFLICT', currentEpoch: 2 + round });
      const group = (await patient.call('GET', `/v1/messaging/groups/${groupId}`)).json<{ epoch: number }>();
      expect(group.epoch).toBe(2 + round);
      // The next round starts from the winner's state on both sides (this test is about ordering, not about applying commits).
      const winner = responses[0].statusCode === 201 ? patient : clinician;
      const behind = winner === patient ? clinician : patient;
      behind.groups.set(groupId, winner.state(groupId));
    }
  });

  it('reads only the framing: the wrong group, the wrong content type or garbage are refused', async () => {
    const { patient, clinician } = await careTeam();
    const groupId = await startConversation(clinician, [patient]);
    const otherGroup = await clinician.createGroup(newGroupId());
    const elsewhere = await clinician.seal(otherGroup, 'for the other group');
    const wrongGroup = await clinician.call('POST', `/v1/messaging/groups/${groupId}/messages`, { message: elsewhere });
    expect(wrongGroup.json()).toMatchObject({ code: 'MESSAGING_MESSAGE_INVALID' });
    const commitAsMessage = (await clinician.buildCommit(groupId)).body.commit;
    const asMessage = await clinician.call('POST', `/v1/messaging/groups/${groupId}/messages`, { message: commitAsMessage });
    expect(asMessage.json()).toMatchObject({ code: 'MESSAGING_MESSAGE_INVALID' });
    const messageAsCommit = await clinician.call('POST', `/v1/messaging/groups/${groupId}/commits`, {
      commit: await clinician.seal(groupId, 'not a commit'),
      added: [],
      removed: [],
    });
    expect(messageAsCommit.json()).toMatchObject({ code: 'MESSAGING_MESSAGE_INVALID' });
    const garbage = await clinician.call('POST', `/v1/messaging/groups/${groupId}/messages`, { message: 'AAECAwQ' });
    expect(garbage.json()).toMatchObject({ code: 'MESSAGING_MESSAGE_INVALID' });
    expect((await mailbox(patient)).filter((entry) => entry.kind !== 'welcome')).toEqual([]);
  });

  it('a commit may add only devices of people every member may talk to', async () => {
    const { patient, clinician } = await careTeam();
    const stranger = await MlsDevice.registered(app, await createAccount(app, ['patient']));
    await stranger.uploadKeyPackages(1);
    const groupId = await startConversation(clinician, [patient]);
    // The clinician cannot even claim a KeyPackage of a patient who granted nothing…
    expect((await clinician.claim(stranger.accountId)).json()).toMatchObject({ code: 'MESSAGING_ACCOUNT_NOT_FOUND' });
    // …nor add one obtained elsewhere.
    const keyPackage = [...stranger.keyPackages.keys()][0] ?? '';
    const built = await clinician.buildCommit(groupId, [{ deviceId: stranger.deviceId, keyPackage }]);
    const response = await clinician.commit(groupId, built);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'MESSAGING_DEVICE_NOT_FOUND' });
    expect((await mailbox(stranger)).length).toBe(0);
  });

  it('a device that is not a member learns nothing of a group', async () => {
    const { patient, clinician } = await careTeam();
    const groupId = await startConversation(clinician, [patient]);
    const outsider = await MlsDevice.registered(app, clinician.accountId);
    const unknown = await outsider.call('GET', `/v1/messaging/groups/${newGroupId()}`);
    const notMine = await outsider.call('GET', `/v1/messaging/groups/${groupId}`);
    expect(notMine.statusCode).toBe(404);
    expect(notMine.json<{ code: string }>().code).toBe(unknown.json<{ code: string }>().code);
    expect((await outsider.call('GET', '/v1/messaging/groups')).json()).toEqual({ groups: [] });
    const message = await clinician.seal(groupId, 'members only');
    const posted = await outsider.call('POST', `/v1/messaging/groups/${groupId}/messages`, { message });
    expect(posted.json()).toMatchObject({ code: 'MESSAGING_GROUP_NOT_FOUND' });
  });
});
