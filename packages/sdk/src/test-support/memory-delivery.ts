/**
 * @module test-support/memory-delivery
 *
 * An in-memory delivery service with the semantics of the messaging routes, for engine tests:
 * devices register with their signature key and get `dev_` ids; KeyPackages are claimed once
 * (one-time) or handed out again (last resort); a commit is accepted only for the group's
 * current epoch (otherwise {@link EpochConflictError} with the current epoch, as the server's
 * `409`), goes to every other member's mailbox, its Welcome to each added device, and removed
 * devices get nothing more; application messages must be for the current epoch. The service
 * reads only MLS headers, as the server does.
 *
 * This is a double of our own protocol, not of a real component: the HTTP transport and the
 * server are tested against each other elsewhere. It also plays the key transparency log's
 * part through {@link MemoryDeliveryService.verifier}: a credential is good when it is
 * registered and active with that key.
 */
import { decodeMlsMessage } from 'ts-mls';
import { encodeBase64url } from '../lib/base64url.ts';
import type { CredentialVerifier } from '../messaging/credentials.ts';
import {
  EpochConflictError,
  type ClaimedKeyPackage,
  type CommitSubmission,
  type DeliveryTransport,
  type KeyPackageCounts,
  type ListedDevice,
  type MailboxEntry,
  type MailboxEntryKind,
  type RegisteredDevice,
} from '../messaging/transport.ts';

interface Device {
  readonly accountId: string;
  readonly deviceId: string;
  readonly signatureKey: Uint8Array;
  readonly keyLogIndex: number;
  active: boolean;
  oneTime: Uint8Array[];
  lastResort: Uint8Array | undefined;
  mailbox: MailboxEntry[];
  nextSeq: number;
}

interface Group {
  epoch: number;
  readonly members: Set<string>;
  readonly attachments: Map<string, Uint8Array>;
}

/** What the service accepted, for tests that replay or re-route it. */
export interface SentRecord {
  readonly groupId: string;
  readonly kind: MailboxEntryKind;
  readonly from: string;
  readonly payload: Uint8Array;
  readonly epoch: number;
}

/** Messaging delivery in memory; one instance is "the server". */
export class MemoryDeliveryService {
  readonly #devices = new Map<string, Device>();
  readonly #groups = new Map<string, Group>();
  #nextDevice = 1;
  #nextAttachment = 1;
  #keyLogSize = 0;
  /** Every commit and application message accepted, in order. */
  readonly sent: SentRecord[] = [];

  /** The transport of one signed-in session of `accountId` (one messaging device per session). */
  transportFor(accountId: string): DeliveryTransport & { readonly deviceId: () => string | undefined } {
    return new SessionTransport(this, accountId);
  }

  /** A verifier that accepts exactly the registered, active credentials, as the key log would. */
  readonly verifier: CredentialVerifier = {
    verify: async (identity, signatureKey) => {
      const device = [...this.#devices.values()].find((candidate) => `${candidate.accountId}:${candidate.deviceId}` === identity);
      if (device === undefined || !device.active) throw new Error('the credential is not in the key log');
      if (encodeBase64url(device.signatureKey) !== encodeBase64url(signatureKey))
        throw new Error('the key log has another key for that device');
    },
  };

  /** Puts an entry into a device's mailbox as if the server had routed it there (replays, forgeries). */
  inject(deviceId: string, entry: { readonly groupId: string; readonly kind: MailboxEntryKind; readonly payload: Uint8Array }): void {
    const device = this.#device(deviceId);
    device.mailbox.push({ ...entry, seq: device.nextSeq++, sentAt: new Date(0).toISOString() });
  }

  /** The group's members as the server records them. */
  groupMembers(groupId: string): string[] {
    return [...this.#group(groupId).members];
  }

  /** The epoch the server holds for a group. */
  groupEpoch(groupId: string): number {
    return this.#group(groupId).epoch;
  }

  /** Every blob uploaded to a group. */
  attachmentBlobs(groupId: string): Uint8Array[] {
    return [...this.#group(groupId).attachments.values()];
  }

  #device(deviceId: string): Device {
    const device = this.#devices.get(deviceId);
    if (device === undefined) throw new Error(`no device ${deviceId}`);
    return device;
  }

  #group(groupId: string): Group {
    const group = this.#groups.get(groupId);
    if (group === undefined) throw new Error('404 group not found');
    return group;
  }

  #member(groupId: string, deviceId: string): Group {
    const group = this.#group(groupId);
    if (!group.members.has(deviceId)) throw new Error('404 group not found');
    return group;
  }

  #deliver(deviceId: string, groupId: string, kind: MailboxEntryKind, payload: Uint8Array): void {
    const device = this.#device(deviceId);
    device.mailbox.push({ seq: device.nextSeq++, groupId, kind, payload: payload.slice(), sentAt: new Date().toISOString() });
  }

  /** Reads what the server reads of an MLS message: group id, epoch, content type. */
  #header(payload: Uint8Array): { groupId: string; epoch: number; contentType: string } {
    const message = decodeMlsMessage(payload, 0)?.[0];
    if (message?.wireformat === 'mls_private_message') {
      const { groupId, epoch, contentType } = message.privateMessage;
      return { groupId: encodeBase64url(groupId), epoch: Number(epoch), contentType };
    }
    if (message?.wireformat === 'mls_public_message') {
      const { groupId, epoch, contentType } = message.publicMessage.content;
      return { groupId: encodeBase64url(groupId), epoch: Number(epoch), contentType };
    }
    throw new Error('400 not an MLS handshake or application message');
  }

  // ── Route handlers (called by SessionTransport) ────────────────────────────────────────

  register(accountId: string, signatureKey: Uint8Array): RegisteredDevice {
    const deviceId = `dev_${String(this.#nextDevice++).padStart(6, '0')}`;
    const keyLogIndex = this.#keyLogSize++;
    this.#devices.set(deviceId, {
      accountId,
      deviceId,
      signatureKey: signatureKey.slice(),
      keyLogIndex,
      active: true,
      oneTime: [],
      lastResort: undefined,
      mailbox: [],
      nextSeq: 1,
    });
    return { deviceId, accountId, identity: `${accountId}:${deviceId}`, keyLogIndex };
  }

  unregister(deviceId: string): void {
    const device = this.#device(deviceId);
    device.active = false;
    device.oneTime = [];
    device.lastResort = undefined;
    this.#keyLogSize++;
  }

  upload(deviceId: string, keyPackages: readonly Uint8Array[], lastResort: Uint8Array | undefined): KeyPackageCounts {
    const device = this.#device(deviceId);
    for (const keyPackage of [...keyPackages, ...(lastResort === undefined ? [] : [lastResort])]) {
      const message = decodeMlsMessage(keyPackage, 0)?.[0];
      if (message?.wireformat !== 'mls_key_package') throw new Error('400 not a KeyPackage');
      const { credential, signaturePublicKey } = message.keyPackage.leafNode;
      if (
        credential.credentialType !== 'basic' ||
        new TextDecoder().decode(credential.identity) !== `${device.accountId}:${device.deviceId}`
      ) {
        throw new Error('400 KeyPackage credential is not this device');
      }
      if (encodeBase64url(signaturePublicKey) !== encodeBase64url(device.signatureKey))
        throw new Error('400 KeyPackage key is not this device');
    }
    device.oneTime.push(...keyPackages.map((keyPackage) => keyPackage.slice()));
    if (lastResort !== undefined) device.lastResort = lastResort.slice();
    return this.count(deviceId);
  }

  count(deviceId: string): KeyPackageCounts {
    const device = this.#device(deviceId);
    return { oneTime: device.oneTime.length, lastResort: device.lastResort === undefined ? 0 : 1 };
  }

  claim(accountId: string, deviceIds?: readonly string[]): ClaimedKeyPackage[] {
    const claimed: ClaimedKeyPackage[] = [];
    for (const device of this.#devices.values()) {
      if (device.accountId !== accountId || !device.active) continue;
      if (deviceIds !== undefined && !deviceIds.includes(device.deviceId)) continue;
      const keyPackage = device.oneTime.shift() ?? device.lastResort;
      if (keyPackage !== undefined)
        claimed.push({ deviceId: device.deviceId, keyPackage: keyPackage.slice(), keyLogIndex: device.keyLogIndex });
    }
    return claimed;
  }

  listDevices(accountId: string): ListedDevice[] {
    return [...this.#devices.values()]
      .filter((device) => device.accountId === accountId && device.active)
      .map((device) => ({ deviceId: device.deviceId, signatureKey: device.signatureKey.slice(), keyLogIndex: device.keyLogIndex }));
  }

  createGroup(deviceId: string, groupId: string): { groupId: string; epoch: number } {
    if (this.#groups.has(groupId)) throw new Error('409 group exists');
    this.#groups.set(groupId, { epoch: 0, members: new Set([deviceId]), attachments: new Map() });
    return { groupId, epoch: 0 };
  }

  commit(deviceId: string, groupId: string, submission: CommitSubmission): { epoch: number } {
    const group = this.#member(groupId, deviceId);
    const header = this.#header(submission.commit);
    if (header.groupId !== groupId || header.contentType !== 'commit') throw new Error('400 not a commit of this group');
    if (header.epoch !== group.epoch) throw new EpochConflictError(group.epoch);
    for (const added of submission.added) {
      if (!this.#devices.get(added)?.active) throw new Error('400 added device is not an active device');
    }
    group.epoch += 1;
    for (const removed of submission.removed) group.members.delete(removed);
    for (const member of group.members) if (member !== deviceId) this.#deliver(member, groupId, 'commit', submission.commit);
    for (const added of submission.added) {
      group.members.add(added);
      if (submission.welcome !== undefined) this.#deliver(added, groupId, 'welcome', submission.welcome);
    }
    this.sent.push({ groupId, kind: 'commit', from: deviceId, payload: submission.commit.slice(), epoch: header.epoch });
    return { epoch: group.epoch };
  }

  message(deviceId: string, groupId: string, message: Uint8Array): { seq: number } {
    const group = this.#member(groupId, deviceId);
    const header = this.#header(message);
    if (header.groupId !== groupId || header.contentType !== 'application') throw new Error('400 not an application message of this group');
    if (header.epoch !== group.epoch) throw new EpochConflictError(group.epoch);
    for (const member of group.members) if (member !== deviceId) this.#deliver(member, groupId, 'application', message);
    this.sent.push({ groupId, kind: 'application', from: deviceId, payload: message.slice(), epoch: header.epoch });
    return { seq: this.sent.length };
  }

  mailbox(deviceId: string, after: number): MailboxEntry[] {
    return this.#device(deviceId).mailbox.filter((entry) => entry.seq > after);
  }

  ack(deviceId: string, upTo: number): void {
    const device = this.#device(deviceId);
    device.mailbox = device.mailbox.filter((entry) => entry.seq > upTo);
  }

  uploadAttachment(deviceId: string, groupId: string, bytes: Uint8Array): { attachmentId: string } {
    const group = this.#member(groupId, deviceId);
    const attachmentId = `att_${this.#nextAttachment++}`;
    group.attachments.set(attachmentId, bytes.slice());
    return { attachmentId };
  }

  downloadAttachment(deviceId: string, groupId: string, attachmentId: string): Uint8Array {
    const blob = this.#member(groupId, deviceId).attachments.get(attachmentId);
    if (blob === undefined) throw new Error('404 attachment not found');
    return blob.slice();
  }
}

/** One session's transport: the device it registered is the caller of every route. */
class SessionTransport implements DeliveryTransport {
  readonly #service: MemoryDeliveryService;
  readonly #accountId: string;
  #deviceId: string | undefined;

  constructor(service: MemoryDeliveryService, accountId: string) {
    this.#service = service;
    this.#accountId = accountId;
  }

  deviceId = (): string | undefined => this.#deviceId;

  #self(): string {
    if (this.#deviceId === undefined) throw new Error('401 this session has no messaging device');
    return this.#deviceId;
  }

  async registerDevice(input: { readonly signatureKey: Uint8Array }): Promise<RegisteredDevice> {
    if (this.#deviceId !== undefined) throw new Error('409 this session already has a messaging device');
    const registered = this.#service.register(this.#accountId, input.signatureKey);
    this.#deviceId = registered.deviceId;
    return registered;
  }

  async unregisterDevice(): Promise<void> {
    this.#service.unregister(this.#self());
  }

  async uploadKeyPackages(input: {
    readonly keyPackages: readonly Uint8Array[];
    readonly lastResort?: Uint8Array | undefined;
  }): Promise<KeyPackageCounts> {
    if (input.keyPackages.length > 100) throw new Error('400 at most 100 KeyPackages per upload');
    return this.#service.upload(this.#self(), input.keyPackages, input.lastResort);
  }

  async countKeyPackages(): Promise<KeyPackageCounts> {
    return this.#service.count(this.#self());
  }

  async claimKeyPackages(accountId: string, deviceIds?: readonly string[]): Promise<readonly ClaimedKeyPackage[]> {
    this.#self();
    return this.#service.claim(accountId, deviceIds);
  }

  async createGroup(groupId: string): Promise<{ readonly groupId: string; readonly epoch: number }> {
    return this.#service.createGroup(this.#self(), groupId);
  }

  async sendCommit(groupId: string, submission: CommitSubmission): Promise<{ readonly epoch: number }> {
    return this.#service.commit(this.#self(), groupId, submission);
  }

  async sendMessage(groupId: string, message: Uint8Array): Promise<{ readonly seq: number }> {
    return this.#service.message(this.#self(), groupId, message);
  }

  async fetchMailbox(after: number): Promise<readonly MailboxEntry[]> {
    return this.#service.mailbox(this.#self(), after);
  }

  async ack(upTo: number): Promise<void> {
    this.#service.ack(this.#self(), upTo);
  }

  async uploadAttachment(groupId: string, bytes: Uint8Array): Promise<{ readonly attachmentId: string }> {
    return this.#service.uploadAttachment(this.#self(), groupId, bytes);
  }

  async downloadAttachment(groupId: string, attachmentId: string): Promise<Uint8Array> {
    return this.#service.downloadAttachment(this.#self(), groupId, attachmentId);
  }

  async listDevices(accountId: string): Promise<readonly ListedDevice[]> {
    this.#self();
    return this.#service.listDevices(accountId);
  }
}
