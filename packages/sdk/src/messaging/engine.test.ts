/**
 * The MLS engine end to end, three devices over the in-memory delivery service: a patient with
 * two devices and a clinician. Conversations, text and attachments, a person's new device
 * joining their existing conversations, removal, replay and stale-epoch refusal, credential
 * checks, key updates, KeyPackage upkeep, safety numbers with key-change flags, and commits whose
 * answer is lost (the transport fails after, or before, the delivery service took the commit).
 */
import { decodeGroupState } from 'ts-mls';
import { ApiError } from '../errors.ts';
import { describe, expect, it } from 'vitest';
import { MemoryDeliveryService } from '../test-support/memory-delivery.ts';
import type { KeyChangeEvent } from './credentials.ts';
import type { E2eeEngine, IncomingResult, ReceivedMessage } from './engine.ts';
import { isMessagingError } from './errors.ts';
import { MemoryGroupStateStore } from './group-state-store.ts';
import { createMlsEngine, type MlsEngineOptions } from './mls-engine.ts';
import { EpochConflictError, type DeliveryTransport } from './transport.ts';

const PATIENT = 'acc_patient';
const CLINICIAN = 'acc_clinician';

interface TestDevice {
  readonly engine: E2eeEngine;
  readonly store: MemoryGroupStateStore;
  readonly transport: DeliveryTransport & { readonly deviceId: () => string | undefined };
  readonly messages: ReceivedMessage[];
  readonly keyChanges: KeyChangeEvent[];
  readonly rejections: IncomingResult[];
  deviceId(): string;
}

async function device(service: MemoryDeliveryService, accountId: string, options: Partial<MlsEngineOptions> = {}): Promise<TestDevice> {
  const store = new MemoryGroupStateStore();
  const transport = service.transportFor(accountId);
  const messages: ReceivedMessage[] = [];
  const keyChanges: KeyChangeEvent[] = [];
  const rejections: IncomingResult[] = [];
  const engine = await createMlsEngine({
    transport,
    store,
    verifier: service.verifier,
    events: {
      onMessage: (message) => messages.push(message),
      onKeyChange: (event) => keyChanges.push(event),
      onRejected: (rejection) => rejections.push(rejection),
    },
    ...options,
  });
  await engine.createDevice();
  return {
    engine,
    store,
    transport,
    messages,
    keyChanges,
    rejections,
    deviceId: () => transport.deviceId() ?? '',
  };
}

const texts = (messages: readonly ReceivedMessage[]): string[] =>
  messages.map((message) => (message.content.type === 'text' ? message.content.text : '<attachment>'));

/** A patient (device 1) and a clinician in one conversation, both past the Welcome. */
async function conversation(
  service = new MemoryDeliveryService(),
): Promise<{ service: MemoryDeliveryService; patient: TestDevice; clinician: TestDevice; groupId: string }> {
  const patient = await device(service, PATIENT);
  const clinician = await device(service, CLINICIAN);
  const groupId = await patient.engine.createConversation([CLINICIAN]);
  const joined = await clinician.engine.receive();
  expect(joined).toEqual([{ kind: 'joined', seq: 1, groupId }]);
  return { service, patient, clinician, groupId };
}

describe('a conversation between a patient and a clinician', () => {
  it('carries texts both ways, each authenticated as its sending device', async () => {
    const { patient, clinician, groupId } = await conversation();
    await patient.engine.sendText(groupId, 'I have a rash since Monday');
    await clinician.engine.receive();
    expect(texts(clinician.messages)).toEqual(['I have a rash since Monday']);
    expect(clinician.messages[0]?.sender).toEqual({ accountId: PATIENT, deviceId: patient.deviceId() });

    await clinician.engine.sendText(groupId, 'Please send a photo');
    await patient.engine.receive();
    expect(texts(patient.messages)).toEqual(['Please send a photo']);
    expect(patient.messages[0]?.sender).toEqual({ accountId: CLINICIAN, deviceId: clinician.deviceId() });

    const members = await patient.engine.members(groupId);
    expect(members.map(({ accountId, self }) => ({ accountId, self }))).toEqual([
      { accountId: PATIENT, self: true },
      { accountId: CLINICIAN, self: false },
    ]);
    expect(clinician.keyChanges.map(({ kind, accountId }) => ({ kind, accountId }))).toEqual([{ kind: 'added', accountId: PATIENT }]);
  });

  it('sends an attachment as an encrypted blob whose key travels inside the MLS message', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const photo = new TextEncoder().encode('JPEG bytes of a rash on the left forearm');
    const sent = await patient.engine.sendAttachment(groupId, { bytes: photo, mediaType: 'image/jpeg', name: 'rash.jpg' });
    await clinician.engine.receive();
    const [message] = clinician.messages;
    if (message?.content.type !== 'attachment') throw new Error('expected an attachment');
    expect(message.content.attachment).toMatchObject({
      attachmentId: sent.attachmentId,
      size: photo.length,
      mediaType: 'image/jpeg',
      name: 'rash.jpg',
    });
    expect(await clinician.engine.openAttachment(groupId, message.content.attachment)).toEqual(photo);

    const [blob] = service.attachmentBlobs(groupId);
    expect(Buffer.from(blob!).includes(Buffer.from(photo))).toBe(false);
    const tampered = { ...message.content.attachment, sha256: new Uint8Array(32) };
    await expect(clinician.engine.openAttachment(groupId, tampered)).rejects.toSatisfy((error) =>
      isMessagingError(error, 'ATTACHMENT_INTEGRITY'),
    );
  });

  it('resumes from its store in a new engine instance', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const again = await createMlsEngine({ transport: clinician.transport, store: clinician.store, verifier: service.verifier });
    expect(await again.conversations()).toEqual([groupId]);
    await patient.engine.sendText(groupId, 'still there?');
    const results = await again.receive();
    expect(
      results.map((result) =>
        result.kind === 'message' && result.message.content.type === 'text' ? result.message.content.text : result.kind,
      ),
    ).toEqual(['still there?']);
  });
});

describe('devices joining and leaving', () => {
  it("adds a person's new device to their existing conversations when another of their devices syncs", async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const second = await device(service, PATIENT);
    const report = await patient.engine.syncDevices();
    expect(report.added).toEqual([{ groupId, accountId: PATIENT, deviceId: second.deviceId() }]);

    expect(await second.engine.receive()).toEqual([expect.objectContaining({ kind: 'joined', groupId })]);
    await clinician.engine.receive();
    expect(clinician.keyChanges.at(-1)).toMatchObject({ kind: 'added', accountId: PATIENT, deviceId: second.deviceId() });

    await clinician.engine.sendText(groupId, 'Hello on both devices');
    await patient.engine.receive();
    await second.engine.receive();
    expect(texts(patient.messages)).toEqual(['Hello on both devices']);
    expect(texts(second.messages)).toEqual(['Hello on both devices']);
  });

  it('a removed device cannot read what is sent after its removal, even given the ciphertext', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const second = await device(service, PATIENT);
    await patient.engine.syncDevices();
    await second.engine.receive();
    await clinician.engine.receive();

    await clinician.engine.removeDevices(groupId, [second.deviceId()]);
    await patient.engine.receive();
    expect(patient.keyChanges.at(-1)).toMatchObject({ kind: 'removed', deviceId: second.deviceId() });
    expect(service.groupMembers(groupId)).not.toContain(second.deviceId());

    await clinician.engine.sendText(groupId, 'only for the remaining devices');
    await patient.engine.receive();
    expect(texts(patient.messages)).toEqual(['only for the remaining devices']);
    expect(await second.engine.receive()).toEqual([]);

    // Hand the removed device the ciphertext anyway: it holds no key of the new epoch.
    const later = service.sent.at(-1)!;
    service.inject(second.deviceId(), { groupId, kind: 'application', payload: later.payload });
    const [refused] = await second.engine.receive();
    expect(refused).toMatchObject({ kind: 'rejected', entryKind: 'application' });
    expect(second.messages).toEqual([]);

    // And the commit that removed it: it learns it is out and drops the conversation.
    const removal = service.sent.find((record) => record.kind === 'commit' && record.from === clinician.deviceId())!;
    service.inject(second.deviceId(), { groupId, kind: 'commit', payload: removal.payload });
    expect(await second.engine.receive()).toEqual([expect.objectContaining({ kind: 'removed', groupId })]);
    expect(await second.engine.conversations()).toEqual([]);
    expect(await second.store.keys('groups')).toEqual([]);
    service.inject(second.deviceId(), { groupId, kind: 'application', payload: later.payload });
    const [unknown] = await second.engine.receive();
    expect(unknown).toMatchObject({ kind: 'rejected' });
    expect(second.messages).toEqual([]);
  });
});

describe('refusals', () => {
  it('rejects a replayed application message', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    await patient.engine.sendText(groupId, 'take 200 mg twice a day?');
    await clinician.engine.receive();
    const original = service.sent.at(-1)!;
    service.inject(clinician.deviceId(), { groupId, kind: 'application', payload: original.payload });
    const [replayed] = await clinician.engine.receive();
    expect(replayed).toMatchObject({ kind: 'rejected', entryKind: 'application' });
    if (replayed?.kind === 'rejected') expect(replayed.error.code).toBe('MESSAGE_REJECTED');
    expect(texts(clinician.messages)).toEqual(['take 200 mg twice a day?']);
    expect(clinician.rejections).toHaveLength(1);
  });

  it('orders concurrent commits: one wins, the other is refused with 409 and rebuilt on the new epoch', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const conflicts: number[] = [];
    const original = clinician.transport.sendCommit.bind(clinician.transport);
    clinician.transport.sendCommit = async (id, submission) => {
      try {
        return await original(id, submission);
      } catch (error) {
        if (error instanceof EpochConflictError) conflicts.push(error.currentEpoch);
        throw error;
      }
    };
    const before = service.groupEpoch(groupId);
    await patient.engine.updateKeys(groupId);
    await clinician.engine.updateKeys(groupId);
    expect(conflicts).toEqual([before + 1]);
    expect(service.groupEpoch(groupId)).toBe(before + 2);
    await patient.engine.receive();
    await patient.engine.sendText(groupId, 'after both updates');
    await clinician.engine.receive();
    expect(texts(clinician.messages)).toEqual(['after both updates']);
  });

  it('refuses a commit for an epoch the conversation has left', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    await patient.engine.updateKeys(groupId);
    await clinician.engine.receive();
    const old = service.sent.filter((record) => record.kind === 'commit').at(-1)!;
    service.inject(clinician.deviceId(), { groupId, kind: 'commit', payload: old.payload });
    const [stale] = await clinician.engine.receive();
    expect(stale).toMatchObject({ kind: 'rejected', entryKind: 'commit' });
    if (stale?.kind === 'rejected') expect(stale.error.code).toBe('STALE_EPOCH');
  });
});

describe('safety numbers', () => {
  it('is the same 60 digits on both sides, and flags a verified contact whose keys change', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const onPatient = await patient.engine.safetyNumber(groupId, CLINICIAN);
    const onClinician = await clinician.engine.safetyNumber(groupId, PATIENT);
    expect(onPatient).toMatch(/^\d{60}$/);
    expect(onClinician).toBe(onPatient);

    await clinician.engine.markVerified(groupId, PATIENT);
    expect(await clinician.engine.contactStatus(PATIENT)).toBe('verified');

    await device(service, PATIENT);
    await patient.engine.syncDevices();
    await clinician.engine.receive();
    expect(clinician.keyChanges.at(-1)).toMatchObject({ kind: 'added', accountId: PATIENT, verifiedContactChanged: true });
    expect(await clinician.engine.contactStatus(PATIENT)).toBe('changed');
    expect(await clinician.engine.safetyNumber(groupId, PATIENT)).not.toBe(onClinician);
  });
});

describe('credential trust', () => {
  it('refuses to add a device whose credential the verifier rejects, and sends nothing', async () => {
    const service = new MemoryDeliveryService();
    const clinician = await device(service, CLINICIAN);
    const patient = await device(service, PATIENT, {
      verifier: {
        verify: async (identity, key) => {
          if (identity.startsWith(`${CLINICIAN}:`)) throw new Error('not in the key log');
          await service.verifier.verify(identity, key);
        },
      },
    });
    const groupId = await patient.engine.createConversation();
    await expect(patient.engine.addMembers(groupId, [CLINICIAN])).rejects.toSatisfy((error) =>
      isMessagingError(error, 'CREDENTIAL_REJECTED'),
    );
    expect(service.groupEpoch(groupId)).toBe(0);
    expect(await clinician.engine.receive()).toEqual([]);
  });

  it('refuses a claimed KeyPackage that names another account than the one asked for', async () => {
    const service = new MemoryDeliveryService();
    await device(service, CLINICIAN);
    await device(service, 'acc_other');
    const patient = await device(service, PATIENT);
    const claim = patient.transport.claimKeyPackages.bind(patient.transport);
    // A server that answers with another account's package (a credential that is in the log, for someone else).
    patient.transport.claimKeyPackages = async () => claim('acc_other');
    const groupId = await patient.engine.createConversation();
    await expect(patient.engine.addMembers(groupId, [CLINICIAN])).rejects.toSatisfy((error) =>
      isMessagingError(error, 'CREDENTIAL_REJECTED'),
    );
    expect(service.groupEpoch(groupId)).toBe(0);
  });

  it('a member refuses a commit that brings in a credential its verifier rejects, and stays where it was', async () => {
    const service = new MemoryDeliveryService();
    const patient = await device(service, PATIENT);
    const clinician = await device(service, CLINICIAN, {
      verifier: {
        verify: async (identity, key) => {
          if (identity.startsWith('acc_intruder:')) throw new Error('not in the key log');
          await service.verifier.verify(identity, key);
        },
      },
    });
    const intruder = await device(service, 'acc_intruder');
    const groupId = await patient.engine.createConversation([CLINICIAN]);
    await clinician.engine.receive();
    await patient.engine.addMembers(groupId, ['acc_intruder']);
    const [refused] = await clinician.engine.receive();
    expect(refused).toMatchObject({ kind: 'rejected', entryKind: 'commit' });
    if (refused?.kind === 'rejected') expect(refused.error.code).toBe('CREDENTIAL_REJECTED');
    expect((await clinician.engine.members(groupId)).map((member) => member.accountId)).toEqual([PATIENT, CLINICIAN]);
    // The intruder's messages do not reach the clinician's screen either.
    await intruder.engine.receive();
    await intruder.engine.sendText(groupId, 'hello from nowhere');
    await clinician.engine.receive();
    expect(clinician.messages).toEqual([]);
  });

  it('a new member refuses a Welcome into a conversation with a credential its verifier rejects', async () => {
    const service = new MemoryDeliveryService();
    const patient = await device(service, PATIENT);
    await device(service, 'acc_intruder');
    const clinician = await device(service, CLINICIAN, {
      verifier: {
        verify: async (identity, key) => {
          if (identity.startsWith('acc_intruder:')) throw new Error('not in the key log');
          await service.verifier.verify(identity, key);
        },
      },
    });
    const groupId = await patient.engine.createConversation(['acc_intruder']);
    await patient.engine.addMembers(groupId, [CLINICIAN]);
    const [refused] = await clinician.engine.receive();
    expect(refused).toMatchObject({ kind: 'rejected', entryKind: 'welcome' });
    if (refused?.kind === 'rejected') expect(refused.error.code).toBe('CREDENTIAL_REJECTED');
    expect(await clinician.engine.conversations()).toEqual([]);
  });
});

describe('key updates for post-compromise security', () => {
  it('commits an update before the message that would exceed the configured count', async () => {
    const service = new MemoryDeliveryService();
    const patient = await device(service, PATIENT, { updateEveryMessages: 3 });
    const clinician = await device(service, CLINICIAN);
    const groupId = await patient.engine.createConversation([CLINICIAN]);
    await clinician.engine.receive();
    const start = service.groupEpoch(groupId);
    for (const text of ['one', 'two', 'three']) await patient.engine.sendText(groupId, text);
    expect(service.groupEpoch(groupId)).toBe(start);
    await patient.engine.sendText(groupId, 'four');
    expect(service.groupEpoch(groupId)).toBe(start + 1);
    const results = await clinician.engine.receive();
    expect(results.map((result) => result.kind)).toEqual(['message', 'message', 'message', 'commit', 'message']);
    expect(texts(clinician.messages)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('commits an update once the configured time has passed', async () => {
    const service = new MemoryDeliveryService();
    let now = Date.parse('2030-01-01T00:00:00Z');
    const clock = { now: () => now };
    const patient = await device(service, PATIENT, { clock, updateIntervalMs: 24 * 60 * 60 * 1000 });
    await device(service, CLINICIAN);
    const groupId = await patient.engine.createConversation([CLINICIAN]);
    const start = service.groupEpoch(groupId);
    await patient.engine.maintain();
    expect(service.groupEpoch(groupId)).toBe(start);
    now += 24 * 60 * 60 * 1000;
    await patient.engine.maintain();
    expect(service.groupEpoch(groupId)).toBe(start + 1);
    await patient.engine.maintain();
    expect(service.groupEpoch(groupId)).toBe(start + 1);
  });
});

describe('keys that are used up', () => {
  it('publishes one-time and last-resort KeyPackages, deletes a one-time private key once its Welcome is used, and tops up', async () => {
    const service = new MemoryDeliveryService();
    const clinician = await device(service, CLINICIAN, { keyPackageTarget: 3, keyPackageLowWater: 2 });
    expect(await clinician.transport.countKeyPackages()).toEqual({ oneTime: 3, lastResort: 1 });
    expect(await clinician.store.keys('keyPackages')).toHaveLength(4);

    const patient = await device(service, PATIENT);
    await patient.engine.createConversation([CLINICIAN]);
    await patient.engine.createConversation([CLINICIAN]);
    await clinician.engine.receive();
    expect(await clinician.engine.conversations()).toHaveLength(2);
    expect(await clinician.store.keys('keyPackages')).toHaveLength(2);
    expect(await clinician.transport.countKeyPackages()).toEqual({ oneTime: 1, lastResort: 1 });

    await clinician.engine.maintain();
    expect(await clinician.transport.countKeyPackages()).toEqual({ oneTime: 3, lastResort: 1 });
  });

  it('joins through the last-resort KeyPackage when the one-time ones are gone, and keeps it', async () => {
    const service = new MemoryDeliveryService();
    const clinician = await device(service, CLINICIAN, { keyPackageTarget: 1, keyPackageLowWater: 1 });
    const patient = await device(service, PATIENT);
    await patient.engine.createConversation([CLINICIAN]);
    await patient.engine.createConversation([CLINICIAN]);
    await patient.engine.createConversation([CLINICIAN]);
    const results = await clinician.engine.receive();
    expect(results.map((result) => result.kind)).toEqual(['joined', 'joined', 'joined']);
    expect(await clinician.store.keys('keyPackages')).toHaveLength(1);
  });

  it('stores one state per conversation and keeps the receiver secrets of at most one earlier epoch', async () => {
    const { patient, clinician, groupId } = await conversation();
    for (let i = 0; i < 4; i++) {
      await patient.engine.updateKeys(groupId);
      await patient.engine.sendText(groupId, `after update ${i}`);
    }
    await clinician.engine.receive();
    expect(texts(clinician.messages)).toHaveLength(4);
    for (const engine of [patient, clinician]) {
      expect(await engine.store.keys('groups')).toEqual([groupId]);
      const decoded = decodeGroupState((await engine.store.get('groups', groupId))!, 0)![0];
      expect(decoded.historicalReceiverData.size).toBeLessThanOrEqual(1);
    }
  });
});

describe('a commit whose answer is lost', () => {
  /** The next commit the device sends fails with a network error, after (or before) the server took it. */
  function loseNextCommitAnswer(target: TestDevice, when: 'after the server took it' | 'before it reached the server'): void {
    const original = target.transport.sendCommit.bind(target.transport);
    target.transport.sendCommit = async (groupId, submission) => {
      target.transport.sendCommit = original;
      if (when === 'after the server took it') await original(groupId, submission);
      throw new TypeError('Failed to fetch');
    };
  }

  const pendingOf = async (target: TestDevice, groupId: string): Promise<Uint8Array | undefined> =>
    target.store.get('meta', `pending:${groupId}`);

  /** Both sides read each other at the current epoch. */
  async function stillTalking(patient: TestDevice, clinician: TestDevice, groupId: string): Promise<void> {
    await patient.engine.sendText(groupId, 'from the patient');
    await clinician.engine.receive();
    expect(texts(clinician.messages).at(-1)).toBe('from the patient');
    await clinician.engine.sendText(groupId, 'from the clinician');
    await patient.engine.receive();
    expect(texts(patient.messages).at(-1)).toBe('from the clinician');
    expect(patient.rejections).toEqual([]);
    expect(clinician.rejections).toEqual([]);
  }

  it('is stored as pending before it is sent, and adopted on retry when the server answers 409 for the epoch it led to (after a restart)', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const start = service.groupEpoch(groupId);
    loseNextCommitAnswer(patient, 'after the server took it');
    await expect(patient.engine.updateKeys(groupId)).rejects.toThrow('Failed to fetch');
    expect(service.groupEpoch(groupId)).toBe(start + 1);
    expect(await pendingOf(patient, groupId)).toBeDefined();

    // A new engine on the same store: the pending commit survived the restart.
    const conflicts: number[] = [];
    const sendCommit = patient.transport.sendCommit.bind(patient.transport);
    patient.transport.sendCommit = async (id, submission) => {
      try {
        return await sendCommit(id, submission);
      } catch (error) {
        if (error instanceof EpochConflictError) conflicts.push(error.currentEpoch);
        throw error;
      }
    };
    const restarted = await createMlsEngine({
      transport: patient.transport,
      store: patient.store,
      verifier: service.verifier,
      events: { onMessage: (message) => patient.messages.push(message), onRejected: (rejection) => patient.rejections.push(rejection) },
    });
    await restarted.updateKeys(groupId);
    // The same bytes were refused (the server had them), ours was adopted, and the new update went on top.
    expect(conflicts).toEqual([start + 1]);
    expect(service.groupEpoch(groupId)).toBe(start + 2);
    expect(await pendingOf(patient, groupId)).toBeUndefined();

    expect((await clinician.engine.receive()).map((result) => result.kind)).toEqual(['commit', 'commit']);
    await stillTalking({ ...patient, engine: restarted }, clinician, groupId);
  });

  it('is adopted when the next epoch’s commit from another member opens under it', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const start = service.groupEpoch(groupId);
    loseNextCommitAnswer(patient, 'after the server took it');
    await expect(patient.engine.updateKeys(groupId)).rejects.toThrow('Failed to fetch');
    await clinician.engine.receive();
    await clinician.engine.updateKeys(groupId);
    await clinician.engine.sendText(groupId, 'two epochs on');
    expect(service.groupEpoch(groupId)).toBe(start + 2);

    const results = await patient.engine.receive();
    expect(results).toEqual([
      { kind: 'commit', seq: expect.any(Number) as number, groupId, epoch: start + 2 },
      expect.objectContaining({ kind: 'message' }),
    ]);
    expect(texts(patient.messages)).toEqual(['two epochs on']);
    expect(await pendingOf(patient, groupId)).toBeUndefined();
    await stillTalking(patient, clinician, groupId);
  });

  it('is adopted when a message of the epoch it led to opens under it', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const start = service.groupEpoch(groupId);
    const second = await device(service, PATIENT);
    loseNextCommitAnswer(patient, 'after the server took it');
    await expect(patient.engine.addMembers(groupId, [PATIENT])).rejects.toThrow('Failed to fetch');
    expect(service.groupEpoch(groupId)).toBe(start + 1);
    await clinician.engine.receive();
    await second.engine.receive();
    await clinician.engine.sendText(groupId, 'welcome, second device');

    expect((await patient.engine.receive()).map((result) => result.kind)).toEqual(['message']);
    expect(texts(patient.messages)).toEqual(['welcome, second device']);
    expect(texts(second.messages)).toEqual([]);
    expect((await patient.engine.members(groupId)).map((member) => member.deviceId)).toContain(second.deviceId());
    expect(patient.keyChanges.at(-1)).toMatchObject({ kind: 'added', deviceId: second.deviceId() });
    expect(await pendingOf(patient, groupId)).toBeUndefined();
    // Adding the same device again finds it present: nothing is committed twice.
    await expect(patient.engine.addMembers(groupId, [PATIENT])).resolves.toEqual([]);
    expect(service.groupEpoch(groupId)).toBe(start + 1);
    await stillTalking(patient, clinician, groupId);
  });

  it('is adopted when the delivery service routes it back to its sender, recognised by its bytes', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const start = service.groupEpoch(groupId);
    loseNextCommitAnswer(patient, 'after the server took it');
    await expect(patient.engine.updateKeys(groupId)).rejects.toThrow('Failed to fetch');
    const own = service.sent.at(-1)!;
    expect(own).toMatchObject({ kind: 'commit', from: patient.deviceId() });
    service.inject(patient.deviceId(), { groupId, kind: 'commit', payload: own.payload });

    expect(await patient.engine.receive()).toEqual([{ kind: 'commit', seq: expect.any(Number) as number, groupId, epoch: start + 1 }]);
    expect(await pendingOf(patient, groupId)).toBeUndefined();
    await clinician.engine.receive();
    await stillTalking(patient, clinician, groupId);
  });

  it('is sent again as the same bytes when it never reached the server', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const start = service.groupEpoch(groupId);
    loseNextCommitAnswer(patient, 'before it reached the server');
    await expect(patient.engine.updateKeys(groupId)).rejects.toThrow('Failed to fetch');
    expect(service.groupEpoch(groupId)).toBe(start);
    const stored = await pendingOf(patient, groupId);

    await patient.engine.sendText(groupId, 'after the retry');
    expect(service.groupEpoch(groupId)).toBe(start + 1);
    const commit = service.sent.find((record) => record.kind === 'commit' && record.epoch === start)!;
    expect(Buffer.from(stored!).toString()).toContain(Buffer.from(commit.payload).toString('base64url'));
    expect(await pendingOf(patient, groupId)).toBeUndefined();
    expect((await clinician.engine.receive()).map((result) => result.kind)).toEqual(['commit', 'message']);
    expect(texts(clinician.messages)).toEqual(['after the retry']);
  });

  it('is dropped when another member’s commit for the same epoch won, and the group goes on', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const start = service.groupEpoch(groupId);
    loseNextCommitAnswer(patient, 'before it reached the server');
    await expect(patient.engine.updateKeys(groupId)).rejects.toThrow('Failed to fetch');
    await clinician.engine.updateKeys(groupId);
    expect(service.groupEpoch(groupId)).toBe(start + 1);

    expect((await patient.engine.receive()).map((result) => result.kind)).toEqual(['commit']);
    expect(await pendingOf(patient, groupId)).toBeUndefined();
    await stillTalking(patient, clinician, groupId);
    expect(service.groupEpoch(groupId)).toBe(start + 1);
  });

  it('is dropped when the server reads it again and refuses it (a device it adds is gone), and the next commit is built afresh', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    const start = service.groupEpoch(groupId);
    const second = await device(service, PATIENT);
    loseNextCommitAnswer(patient, 'before it reached the server');
    await expect(patient.engine.addMembers(groupId, [PATIENT])).rejects.toThrow('Failed to fetch');
    await second.transport.unregisterDevice();
    const sendCommit = patient.transport.sendCommit.bind(patient.transport);
    patient.transport.sendCommit = async (id, submission) => {
      try {
        return await sendCommit(id, submission);
      } catch (error) {
        // The HTTP transport's form of the server's refusal.
        if (error instanceof Error && error.message.startsWith('400 '))
          throw new ApiError({ code: 'REQUEST_INVALID', status: 400, requestId: 'req_test' });
        throw error;
      }
    };

    await patient.engine.updateKeys(groupId);
    expect(service.groupEpoch(groupId)).toBe(start + 1);
    expect(await pendingOf(patient, groupId)).toBeUndefined();
    expect((await patient.engine.members(groupId)).map((member) => member.deviceId)).not.toContain(second.deviceId());
    await clinician.engine.receive();
    await stillTalking(patient, clinician, groupId);
  });

  it('without the pending entry, a lost answer leaves the sender behind (the failure the entry prevents)', async () => {
    const { service, patient, clinician, groupId } = await conversation();
    loseNextCommitAnswer(patient, 'after the server took it');
    await expect(patient.engine.updateKeys(groupId)).rejects.toThrow('Failed to fetch');
    await patient.store.write([{ op: 'delete', ns: 'meta', key: `pending:${groupId}` }]);
    await clinician.engine.receive();
    await clinician.engine.sendText(groupId, 'unreadable for a device left behind');
    const [result] = await patient.engine.receive();
    expect(result).toMatchObject({ kind: 'rejected', entryKind: 'application' });
    expect(service.groupEpoch(groupId)).toBe(2);
  });
});
