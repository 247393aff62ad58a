/**
 * @module messaging/mls-engine
 *
 * {@link E2eeEngine} on `ts-mls` (RFC 9420), cipher suite 1
 * (`MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519`). Everything MLS-specific lives here, so
 * replacing the library means replacing this file.
 *
 * How it keeps its promises:
 * - **Ordering.** Commits are sent to the delivery service before they take effect here; only
 *   when the server accepts one (its epoch was current) does the engine adopt the new group
 *   state. On `409` it processes what is waiting in the mailbox and builds the commit again.
 * - **A lost answer.** Before a commit is sent, it and the state it leads to are stored as the
 *   group's pending commit. When the answer never arrives (the server may have accepted it),
 *   the pending commit is settled before the group is used again: it is sent again as the same
 *   bytes, and adopted when the server accepts it, when the server answers `409` with a later
 *   epoch while no other member's commit for that epoch reached this device (the delivery
 *   service routes a commit to every member but its sender, in the same step as it moves the
 *   epoch), when the commit itself comes back through the mailbox, or when a handshake or
 *   message of the next epoch opens under the pending state. Another member's commit for the
 *   same epoch supersedes it, and it is dropped.
 * - **Forward secrecy.** Each operation replaces the stored group state (no older state is
 *   kept; while a commit of ours is pending, the state it leads to is stored beside the current
 *   one until it is adopted or dropped), the keys a message or commit consumed are zeroed once
 *   the new state is stored, old epochs' receiver secrets are kept for one epoch only, and a
 *   KeyPackage's private keys are deleted once a Welcome used them (the last-resort one
 *   excepted). A replayed message needs a key that is gone, so it is refused.
 * - **Post-compromise security.** The device commits a fresh leaf key after the configured
 *   number of sent messages or time, whichever comes first.
 * - **Credential trust.** Every credential that enters a conversation, by our add, by a peer's
 *   commit, or through a Welcome, passes the {@link CredentialVerifier} (wired into the library's
 *   authentication service hook); a claimed KeyPackage must also name the account and device it
 *   was claimed for. Every change is reported through `onKeyChange`.
 */
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeGroupState,
  decodeMlsMessage,
  defaultCapabilities,
  defaultKeyPackageEqualityConfig,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  joinGroup,
  processMessage,
  zeroOutUint8Array,
  type CiphersuiteImpl,
  type ClientConfig,
  type ClientState,
  type Credential,
  type KeyPackage,
  type MLSMessage,
  type MlsPrivateMessage,
  type MlsPublicMessage,
  type PrivateKeyPackage,
  type Proposal,
} from 'ts-mls';
import { createMlsCipherSuite, MLS_CIPHER_SUITE } from './mls-cipher-suite.ts';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { systemClock, type Clock } from '../clock.ts';
import { isApiError } from '../errors.ts';
import { decodeBase64url, encodeBase64url } from '../lib/base64url.ts';
import { equalBytes } from '../key-transparency/bytes.ts';
import { randomBytes } from '../lib/webcrypto.ts';
import { encodeContent, decodeContent, openAttachment, sealAttachment, type AttachmentReference, type MessageContent } from './content.ts';
import { parseIdentity, type CredentialVerifier, type DeviceIdentity, type KeyChangeEvent } from './credentials.ts';
import type {
  ContactStatus,
  ConversationMember,
  DeviceInfo,
  DeviceSyncReport,
  E2eeEngine,
  E2eeEngineEvents,
  IncomingResult,
  ReceivedMessage,
} from './engine.ts';
import { MessagingError, isMessagingError } from './errors.ts';
import type { GroupStateStore, StoreWrite } from './group-state-store.ts';
import { safetyNumber } from './safety-number.ts';
import { isEpochConflict, type DeliveryTransport, type KeyPackageCounts, type MailboxEntry } from './transport.ts';

/** Options of {@link createMlsEngine}. */
export interface MlsEngineOptions {
  readonly transport: DeliveryTransport;
  readonly store: GroupStateStore;
  readonly verifier: CredentialVerifier;
  readonly events?: E2eeEngineEvents | undefined;
  readonly clock?: Clock | undefined;
  /** Commit a key update after this many messages sent in a conversation (default 100). */
  readonly updateEveryMessages?: number | undefined;
  /** …or when the last update of this device is older than this (milliseconds, default 24 hours). */
  readonly updateIntervalMs?: number | undefined;
  /** One-time KeyPackages to keep on the server (default 20). */
  readonly keyPackageTarget?: number | undefined;
  /** Replenish when fewer than this are left (default 5). */
  readonly keyPackageLowWater?: number | undefined;
  /** Lifetime of a published KeyPackage (milliseconds, default 28 days; the library caps it at a month). */
  readonly keyPackageLifetimeMs?: number | undefined;
  /** Message keys of skipped generations kept per sender, for messages that arrive late (default 10). */
  readonly retainKeysForGenerations?: number | undefined;
  /** How many times a commit is rebuilt after epoch conflicts before giving up (default 5). */
  readonly maxCommitAttempts?: number | undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Statuses with which the server refuses a commit it has read (malformed, an inactive device, not
 * a member): a pending commit answered so is dropped. Any other failure (the network, 401, 429,
 * 5xx) leaves the outcome open, and the commit stays pending.
 */
const REFUSED_AS_SENT: ReadonlySet<number> = new Set([400, 404, 422]);
const utf8 = new TextEncoder();
const fromUtf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

interface StoredDevice {
  accountId: string;
  deviceId: string;
  identity: string;
  signatureKey: string;
  signKey: string;
}

interface StoredKeyPackage {
  keyPackage: string;
  initPrivateKey: string;
  hpkePrivateKey: string;
  lastResort: boolean;
  notAfter: number;
}

interface GroupMeta {
  sentSinceUpdate: number;
  lastUpdateAt: number;
}

/** A commit sent (or about to be) whose answer has not been seen yet; see "A lost answer" above. */
interface PendingCommit {
  /** The epoch the commit was built on. */
  epoch: number;
  commit: string;
  welcome?: string | undefined;
  added: string[];
  removed: string[];
  /** The encoded group state the commit leads to. */
  state: string;
  /** Whether the commit carried a fresh path (an update or a removal). */
  refreshed: boolean;
}

interface VerifiedRecord {
  status: 'verified' | 'changed';
  keys: string[];
}

interface Member extends DeviceIdentity {
  readonly identity: string;
  readonly leafIndex: number;
  readonly signatureKey: Uint8Array;
}

const json = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value));
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- our own records, written by `json`
const parse = <T>(bytes: Uint8Array): T => JSON.parse(fromUtf8(bytes)) as T;

function zeroAll(values: readonly Uint8Array[]): void {
  for (const value of values) zeroOutUint8Array(value);
}

/** The member devices of a group state, from its ratchet tree. */
function membersOf(state: ClientState): Member[] {
  const members: Member[] = [];
  for (let node = 0; node < state.ratchetTree.length; node += 2) {
    const entry = state.ratchetTree[node];
    if (entry?.nodeType !== 'leaf' || entry.leaf.credential.credentialType !== 'basic') continue;
    const identity = fromUtf8(entry.leaf.credential.identity);
    const parsed = parseIdentity(identity);
    if (parsed === undefined) continue;
    members.push({ ...parsed, identity, leafIndex: node / 2, signatureKey: entry.leaf.signaturePublicKey });
  }
  return members;
}

function rejected(
  code: 'MESSAGE_REJECTED' | 'STALE_EPOCH' | 'UNKNOWN_CONVERSATION' | 'CREDENTIAL_REJECTED',
  message: string,
  cause?: unknown,
): MessagingError {
  return new MessagingError(code, message, cause === undefined ? undefined : { cause });
}

/**
 * Creates an engine for one messaging device. The device identity is created by
 * {@link E2eeEngine.createDevice}; an engine over a store that already holds one resumes it.
 */
export async function createMlsEngine(options: MlsEngineOptions): Promise<E2eeEngine> {
  const cipherSuite = await createMlsCipherSuite();
  return new MlsEngine(options, cipherSuite);
}

class MlsEngine implements E2eeEngine {
  readonly #transport: DeliveryTransport;
  readonly #store: GroupStateStore;
  readonly #verifier: CredentialVerifier;
  readonly #events: E2eeEngineEvents;
  readonly #clock: Clock;
  readonly #cs: CiphersuiteImpl;
  readonly #updateEveryMessages: number;
  readonly #updateIntervalMs: number;
  readonly #keyPackageTarget: number;
  readonly #keyPackageLowWater: number;
  readonly #keyPackageLifetimeMs: number;
  readonly #maxCommitAttempts: number;
  readonly #clientConfig: ClientConfig;
  /** The current state of each open group; replaced (never added to) on every change. */
  readonly #states = new Map<string, ClientState>();
  #device: StoredDevice | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Credential rejections seen by the library hook during the current operation. */
  #rejections: unknown[] = [];
  /** The last pending commit adopted per group (its encoded commit), so a sender learns its own commit took effect. */
  readonly #adopted = new Map<string, string>();

  constructor(options: MlsEngineOptions, cipherSuite: CiphersuiteImpl) {
    this.#transport = options.transport;
    this.#store = options.store;
    this.#verifier = options.verifier;
    this.#events = options.events ?? {};
    this.#clock = options.clock ?? systemClock;
    this.#cs = cipherSuite;
    this.#updateEveryMessages = positive(options.updateEveryMessages ?? 100, 'updateEveryMessages');
    this.#updateIntervalMs = positive(options.updateIntervalMs ?? DAY_MS, 'updateIntervalMs');
    this.#keyPackageTarget = positive(options.keyPackageTarget ?? 20, 'keyPackageTarget');
    this.#keyPackageLowWater = Math.min(positive(options.keyPackageLowWater ?? 5, 'keyPackageLowWater'), this.#keyPackageTarget);
    this.#keyPackageLifetimeMs = positive(options.keyPackageLifetimeMs ?? 28 * DAY_MS, 'keyPackageLifetimeMs');
    this.#maxCommitAttempts = positive(options.maxCommitAttempts ?? 5, 'maxCommitAttempts');
    this.#clientConfig = {
      keyRetentionConfig: {
        retainKeysForGenerations: positive(options.retainKeysForGenerations ?? 10, 'retainKeysForGenerations'),
        // The delivery service orders each group's messages by epoch, so the previous epoch's
        // receiver secrets are needed only for a message the server accepted just before a commit.
        retainKeysForEpochs: 1,
        maximumForwardRatchetSteps: 200,
      },
      lifetimeConfig: defaultLifetimeConfig,
      keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
      paddingConfig: defaultPaddingConfig,
      authService: { validateCredential: (credential, signatureKey) => this.#validateCredential(credential, signatureKey) },
    };
  }

  // ── Serialisation ────────────────────────────────────────────────────────────────────────

  /** Runs operations one at a time: each reads and replaces group state. */
  #exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(
      () => operation(),
      () => operation(),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  // ── Device ───────────────────────────────────────────────────────────────────────────────

  async #loadDevice(): Promise<StoredDevice | undefined> {
    if (this.#device !== undefined) return this.#device;
    const bytes = await this.#store.get('device', 'self');
    this.#device = bytes === undefined ? undefined : parse<StoredDevice>(bytes);
    return this.#device;
  }

  async #requireDevice(): Promise<StoredDevice> {
    const device = await this.#loadDevice();
    if (device === undefined) throw new MessagingError('DEVICE_NOT_REGISTERED', 'this device has no messaging identity yet');
    return device;
  }

  #info(device: StoredDevice): DeviceInfo {
    return {
      accountId: device.accountId,
      deviceId: device.deviceId,
      identity: device.identity,
      signatureKey: decodeBase64url(device.signatureKey),
    };
  }

  device(): Promise<DeviceInfo | undefined> {
    return this.#exclusive(async () => {
      const device = await this.#loadDevice();
      return device === undefined ? undefined : this.#info(device);
    });
  }

  createDevice(): Promise<DeviceInfo> {
    return this.#exclusive(async () => {
      const existing = await this.#loadDevice();
      if (existing !== undefined) return this.#info(existing);
      const keys = await this.#cs.signature.keygen();
      const registered = await this.#transport.registerDevice({ signatureKey: keys.publicKey });
      if (registered.identity !== `${registered.accountId}:${registered.deviceId}` || registered.deviceId.includes(':')) {
        throw new MessagingError('CREDENTIAL_REJECTED', 'the server answered a device identity that is not account:device');
      }
      const device: StoredDevice = {
        accountId: registered.accountId,
        deviceId: registered.deviceId,
        identity: registered.identity,
        signatureKey: encodeBase64url(keys.publicKey),
        signKey: encodeBase64url(keys.signKey),
      };
      await this.#store.write([{ op: 'put', ns: 'device', key: 'self', value: json(device) }]);
      zeroOutUint8Array(keys.signKey);
      this.#device = device;
      await this.#replenish(device);
      return this.#info(device);
    });
  }

  #credential(device: StoredDevice): Credential {
    return { credentialType: 'basic', identity: utf8.encode(device.identity) };
  }

  #signatureKeys(device: StoredDevice): { signKey: Uint8Array; publicKey: Uint8Array } {
    return { signKey: decodeBase64url(device.signKey), publicKey: decodeBase64url(device.signatureKey) };
  }

  async #newKeyPackage(device: StoredDevice): Promise<{ publicPackage: KeyPackage; privatePackage: PrivateKeyPackage; notAfter: number }> {
    const now = this.#clock.now();
    const notAfter = now + this.#keyPackageLifetimeMs;
    const lifetime = { notBefore: BigInt(Math.floor((now - 60 * 60 * 1000) / 1000)), notAfter: BigInt(Math.floor(notAfter / 1000)) };
    const generated = await generateKeyPackageWithKey(
      this.#credential(device),
      defaultCapabilities(),
      lifetime,
      [],
      this.#signatureKeys(device),
      this.#cs,
    );
    return { ...generated, notAfter };
  }

  replenishKeyPackages(): Promise<KeyPackageCounts> {
    return this.#exclusive(async () => this.#replenish(await this.#requireDevice()));
  }

  async #replenish(device: StoredDevice): Promise<KeyPackageCounts> {
    await this.#dropExpiredKeyPackages();
    const counts = await this.#transport.countKeyPackages();
    const wantOneTime = counts.oneTime < this.#keyPackageLowWater ? Math.min(100, this.#keyPackageTarget - counts.oneTime) : 0;
    const wantLastResort = counts.lastResort === 0;
    if (wantOneTime === 0 && !wantLastResort) return counts;
    const writes: StoreWrite[] = [];
    const encode = async (lastResort: boolean): Promise<Uint8Array> => {
      const { publicPackage, privatePackage, notAfter } = await this.#newKeyPackage(device);
      const ref = encodeBase64url(await makeKeyPackageRef(publicPackage, this.#cs.hash));
      const encoded = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: publicPackage });
      const record: StoredKeyPackage = {
        keyPackage: encodeBase64url(encoded),
        initPrivateKey: encodeBase64url(privatePackage.initPrivateKey),
        hpkePrivateKey: encodeBase64url(privatePackage.hpkePrivateKey),
        lastResort,
        notAfter,
      };
      writes.push({ op: 'put', ns: 'keyPackages', key: ref, value: json(record) });
      zeroOutUint8Array(privatePackage.initPrivateKey);
      zeroOutUint8Array(privatePackage.hpkePrivateKey);
      return encoded;
    };
    const oneTime: Uint8Array[] = [];
    for (let i = 0; i < wantOneTime; i++) oneTime.push(await encode(false));
    const lastResort = wantLastResort ? await encode(true) : undefined;
    // The private halves are stored before the public ones are published, so every Welcome
    // the server can route to this device finds its keys.
    await this.#store.write(writes);
    return this.#transport.uploadKeyPackages({ keyPackages: oneTime, lastResort });
  }

  async #dropExpiredKeyPackages(): Promise<void> {
    const now = this.#clock.now();
    const writes: StoreWrite[] = [];
    for (const ref of await this.#store.keys('keyPackages')) {
      const bytes = await this.#store.get('keyPackages', ref);
      if (bytes !== undefined && parse<StoredKeyPackage>(bytes).notAfter < now) writes.push({ op: 'delete', ns: 'keyPackages', key: ref });
    }
    await this.#store.write(writes);
  }

  // ── Credential trust ─────────────────────────────────────────────────────────────────────

  /** The library's authentication-service hook: every credential that enters a group passes here. */
  async #validateCredential(credential: Credential, signatureKey: Uint8Array): Promise<boolean> {
    if (credential.credentialType !== 'basic') {
      this.#rejections.push(new Error('only basic credentials are accepted'));
      return false;
    }
    const identity = fromUtf8(credential.identity);
    if (parseIdentity(identity) === undefined) {
      this.#rejections.push(new Error('the credential identity is not account:device'));
      return false;
    }
    const device = this.#device;
    if (device !== undefined && identity === device.identity && equalBytes(signatureKey, decodeBase64url(device.signatureKey))) return true;
    try {
      await this.#verifier.verify(identity, signatureKey);
      return true;
    } catch (error) {
      this.#rejections.push(error);
      return false;
    }
  }

  /** Runs a library call; a failure caused by a refused credential becomes `CREDENTIAL_REJECTED`. */
  async #withCredentialChecks<T>(call: () => Promise<T>): Promise<T> {
    this.#rejections = [];
    try {
      return await call();
    } catch (error) {
      if (this.#rejections.length > 0)
        throw rejected('CREDENTIAL_REJECTED', 'a credential in the conversation failed verification', this.#rejections[0]);
      throw error;
    } finally {
      this.#rejections = [];
    }
  }

  // ── Group state ──────────────────────────────────────────────────────────────────────────

  async #loadState(groupId: string): Promise<ClientState | undefined> {
    const cached = this.#states.get(groupId);
    if (cached !== undefined) return cached;
    const bytes = await this.#store.get('groups', groupId);
    if (bytes === undefined) return undefined;
    // The decoded state may share memory with `bytes`: they are not wiped here.
    const decoded = decodeGroupState(bytes, 0);
    if (decoded === undefined) throw new TypeError('the stored group state does not decode');
    const state: ClientState = { ...decoded[0], clientConfig: this.#clientConfig };
    this.#states.set(groupId, state);
    return state;
  }

  async #requireState(groupId: string): Promise<ClientState> {
    const state = await this.#loadState(groupId);
    if (state === undefined) throw new MessagingError('UNKNOWN_CONVERSATION', 'this device is not in that conversation');
    return state;
  }

  #stateWrite(groupId: string, state: ClientState): StoreWrite {
    return { op: 'put', ns: 'groups', key: groupId, value: encodeGroupState(state) };
  }

  async #saveState(groupId: string, state: ClientState, extra: readonly StoreWrite[] = []): Promise<void> {
    await this.#store.write([this.#stateWrite(groupId, state), ...extra]);
    this.#states.set(groupId, state);
  }

  async #meta(groupId: string): Promise<GroupMeta> {
    const bytes = await this.#store.get('meta', `group:${groupId}`);
    return bytes === undefined ? { sentSinceUpdate: 0, lastUpdateAt: this.#clock.now() } : parse<GroupMeta>(bytes);
  }

  #metaWrite(groupId: string, meta: GroupMeta): StoreWrite {
    return { op: 'put', ns: 'meta', key: `group:${groupId}`, value: json(meta) };
  }

  // ── Pending commits ──────────────────────────────────────────────────────────────────────

  async #pending(groupId: string): Promise<PendingCommit | undefined> {
    const bytes = await this.#store.get('meta', `pending:${groupId}`);
    return bytes === undefined ? undefined : parse<PendingCommit>(bytes);
  }

  #pendingDelete(groupId: string): StoreWrite {
    return { op: 'delete', ns: 'meta', key: `pending:${groupId}` };
  }

  /**
   * The state a pending commit leads to, and the writes that adopt it (key-change flags, the
   * update counters, the pending entry's removal); the caller stores them with the state.
   */
  async #adoption(
    groupId: string,
    pending: PendingCommit,
    current: ClientState,
  ): Promise<{ state: ClientState; writes: StoreWrite[]; events: KeyChangeEvent[] }> {
    const decoded = decodeGroupState(decodeBase64url(pending.state), 0);
    if (decoded === undefined) throw new TypeError('the state of a pending commit does not decode');
    const state: ClientState = { ...decoded[0], clientConfig: this.#clientConfig };
    const { events, writes } = await this.#keyChanges(groupId, membersOf(current), membersOf(state));
    const meta = await this.#meta(groupId);
    writes.push(
      this.#metaWrite(groupId, pending.refreshed ? { sentSinceUpdate: 0, lastUpdateAt: this.#clock.now() } : meta),
      this.#pendingDelete(groupId),
    );
    return { state, writes, events };
  }

  /** Adopts a pending commit on its own (the server took it); key changes are reported at once. */
  async #adoptPending(groupId: string, pending: PendingCommit, current: ClientState): Promise<void> {
    const { state, writes, events } = await this.#adoption(groupId, pending, current);
    await this.#saveState(groupId, state, writes);
    this.#adopted.set(groupId, pending.commit);
    this.#emitKeyChanges(events);
  }

  /**
   * Settles the group's pending commit before the group is used: sends the same commit again,
   * and adopts it when the server takes it now or had taken it already; drops it when the
   * group has moved past it. A transport failure leaves it pending and is thrown.
   */
  async #settlePending(groupId: string): Promise<void> {
    const pending = await this.#pending(groupId);
    if (pending === undefined) return;
    const state = await this.#loadState(groupId);
    if (state === undefined || state.groupContext.epoch !== BigInt(pending.epoch)) {
      await this.#store.write([this.#pendingDelete(groupId)]);
      return;
    }
    try {
      await this.#transport.sendCommit(groupId, {
        commit: decodeBase64url(pending.commit),
        welcome: pending.welcome === undefined ? undefined : decodeBase64url(pending.welcome),
        added: pending.added,
        removed: pending.removed,
      });
    } catch (error) {
      if (isApiError(error) && REFUSED_AS_SENT.has(error.status)) {
        // The server read these bytes and refused them (a device it no longer has, a group this
        // device left): they never took effect, and sending them again would be refused again.
        await this.#store.write([this.#pendingDelete(groupId)]);
        return;
      }
      if (!isEpochConflict(error)) throw error;
      await this.#resolveConflict(groupId, error.currentEpoch);
      return;
    }
    await this.#adoptPending(groupId, pending, state);
  }

  /**
   * After a `409` for the group: processes the mailbox (which adopts or supersedes the pending
   * commit when it holds the evidence), then adopts a pending commit that is still open when
   * the server has moved past its epoch and no other member's commit for that epoch arrived:
   * the delivery service routes every commit to every member but its sender, so the commit
   * that moved the group on was this device's.
   */
  async #resolveConflict(groupId: string, currentEpoch: number): Promise<void> {
    await this.#receive();
    const pending = await this.#pending(groupId);
    if (pending === undefined) return;
    const state = await this.#loadState(groupId);
    if (state === undefined || state.groupContext.epoch !== BigInt(pending.epoch)) {
      await this.#store.write([this.#pendingDelete(groupId)]);
    } else if (currentEpoch > pending.epoch) {
      await this.#adoptPending(groupId, pending, state);
    }
    // Otherwise the server has not taken it: it stays pending and is sent again next time.
  }

  // ── Key changes ──────────────────────────────────────────────────────────────────────────

  /** The changes between two member lists, with verified contacts flagged, and the writes that record the flags. */
  async #keyChanges(
    groupId: string,
    before: readonly Member[],
    after: readonly Member[],
  ): Promise<{ events: KeyChangeEvent[]; writes: StoreWrite[] }> {
    const self = this.#device?.identity;
    const old = new Map(before.map((member) => [member.identity, member]));
    const now = new Map(after.map((member) => [member.identity, member]));
    const raw: Omit<KeyChangeEvent, 'verifiedContactChanged'>[] = [];
    for (const member of after) {
      if (member.identity === self) continue;
      const previous = old.get(member.identity);
      const base = { groupId, accountId: member.accountId, deviceId: member.deviceId, signatureKey: member.signatureKey };
      if (previous === undefined) raw.push({ ...base, kind: 'added' });
      else if (!equalBytes(previous.signatureKey, member.signatureKey))
        raw.push({ ...base, kind: 'key-changed', previousSignatureKey: previous.signatureKey });
    }
    for (const member of before) {
      if (member.identity !== self && !now.has(member.identity)) {
        raw.push({ groupId, kind: 'removed', accountId: member.accountId, deviceId: member.deviceId, signatureKey: member.signatureKey });
      }
    }
    const events: KeyChangeEvent[] = [];
    const records = new Map<string, VerifiedRecord | undefined>();
    for (const change of raw) {
      if (!records.has(change.accountId)) {
        const bytes = await this.#store.get('meta', `verified:${change.accountId}`);
        records.set(change.accountId, bytes === undefined ? undefined : parse<VerifiedRecord>(bytes));
      }
      const record = records.get(change.accountId);
      const key = encodeBase64url(change.signatureKey);
      const flagged =
        record?.status === 'verified' &&
        (change.kind === 'key-changed' ||
          (change.kind === 'added' && !record.keys.includes(key)) ||
          (change.kind === 'removed' && record.keys.includes(key)));
      if (flagged) records.set(change.accountId, { ...record, status: 'changed' });
      events.push({ ...change, verifiedContactChanged: flagged });
    }
    const writes: StoreWrite[] = [];
    for (const [accountId, record] of records) {
      if (record?.status === 'changed') writes.push({ op: 'put', ns: 'meta', key: `verified:${accountId}`, value: json(record) });
    }
    return { events, writes };
  }

  #emitKeyChanges(events: readonly KeyChangeEvent[]): void {
    for (const event of events) this.#events.onKeyChange?.(event);
  }

  // ── Conversations ────────────────────────────────────────────────────────────────────────

  createConversation(accountIds: readonly string[] = []): Promise<string> {
    return this.#exclusive(async () => {
      const device = await this.#requireDevice();
      const groupIdBytes = randomBytes(32);
      const groupId = encodeBase64url(groupIdBytes);
      const { publicPackage, privatePackage } = await this.#newKeyPackage(device);
      const state = await createGroup(groupIdBytes, publicPackage, privatePackage, [], this.#cs, this.#clientConfig);
      await this.#transport.createGroup(groupId);
      await this.#saveState(groupId, state, [this.#metaWrite(groupId, { sentSinceUpdate: 0, lastUpdateAt: this.#clock.now() })]);
      if (accountIds.length > 0) await this.#addMembers(groupId, accountIds, undefined);
      return groupId;
    });
  }

  addMembers(
    groupId: string,
    accountIds: readonly string[],
    options?: { readonly deviceIds?: readonly string[] },
  ): Promise<readonly DeviceIdentity[]> {
    return this.#exclusive(() => this.#addMembers(groupId, accountIds, options?.deviceIds));
  }

  async #addMembers(
    groupId: string,
    accountIds: readonly string[],
    onlyDevices: readonly string[] | undefined,
  ): Promise<readonly DeviceIdentity[]> {
    const device = await this.#requireDevice();
    await this.#settlePending(groupId);
    const state = await this.#requireState(groupId);
    const present = new Set(membersOf(state).map((member) => member.identity));
    const adds: { identity: DeviceIdentity; keyPackage: KeyPackage }[] = [];
    for (const accountId of new Set(accountIds)) {
      // Claim only for devices not in the conversation yet: every claim spends a one-time package.
      const missing = (await this.#transport.listDevices(accountId))
        .map((listed) => listed.deviceId)
        .filter((deviceId) => !present.has(`${accountId}:${deviceId}`) && `${accountId}:${deviceId}` !== device.identity)
        .filter((deviceId) => onlyDevices === undefined || onlyDevices.includes(deviceId));
      if (missing.length === 0) continue;
      for (const claimed of await this.#transport.claimKeyPackages(accountId, missing)) {
        const identity = `${accountId}:${claimed.deviceId}`;
        if (identity === device.identity || present.has(identity)) continue;
        if (onlyDevices !== undefined && !onlyDevices.includes(claimed.deviceId)) continue;
        const keyPackage = this.#claimedKeyPackage(claimed.keyPackage, identity);
        const signatureKey = keyPackage.leafNode.signaturePublicKey;
        try {
          await this.#verifier.verify(identity, signatureKey);
        } catch (error) {
          throw rejected('CREDENTIAL_REJECTED', 'a claimed credential failed verification', error);
        }
        present.add(identity);
        adds.push({ identity: { accountId, deviceId: claimed.deviceId }, keyPackage });
      }
    }
    if (adds.length === 0) return [];
    await this.#commit(groupId, {
      proposals: () => adds.map(({ keyPackage }): Proposal => ({ proposalType: 'add', add: { keyPackage } })),
      added: adds.map(({ identity }) => identity.deviceId),
      removed: [],
    });
    return adds.map(({ identity }) => identity);
  }

  /** Decodes a claimed KeyPackage and checks it is suite 1 and names the account and device it was claimed for. */
  #claimedKeyPackage(bytes: Uint8Array, identity: string): KeyPackage {
    const message = decodeMlsMessage(bytes, 0)?.[0];
    if (message?.wireformat !== 'mls_key_package') throw rejected('CREDENTIAL_REJECTED', 'a claimed KeyPackage does not decode');
    const keyPackage = message.keyPackage;
    const credential = keyPackage.leafNode.credential;
    if (keyPackage.cipherSuite !== MLS_CIPHER_SUITE)
      throw rejected('CREDENTIAL_REJECTED', 'a claimed KeyPackage is for another cipher suite');
    if (credential.credentialType !== 'basic' || fromUtf8(credential.identity) !== identity) {
      throw rejected('CREDENTIAL_REJECTED', 'a claimed KeyPackage names another account or device');
    }
    return keyPackage;
  }

  removeDevices(groupId: string, deviceIds: readonly string[]): Promise<void> {
    return this.#exclusive(async () => {
      await this.#removeDevices(groupId, deviceIds);
    });
  }

  async #removeDevices(groupId: string, deviceIds: readonly string[]): Promise<void> {
    const device = await this.#requireDevice();
    if (deviceIds.includes(device.deviceId)) throw new TypeError('a device cannot commit its own removal; another member removes it');
    await this.#settlePending(groupId);
    const targets = (state: ClientState): Member[] => membersOf(state).filter((member) => deviceIds.includes(member.deviceId));
    const initial = targets(await this.#requireState(groupId));
    if (initial.length === 0) throw new MessagingError('NOT_A_MEMBER', 'none of those devices is in the conversation');
    await this.#commit(groupId, {
      proposals: (state) => targets(state).map((member): Proposal => ({ proposalType: 'remove', remove: { removed: member.leafIndex } })),
      added: [],
      removed: initial.map((member) => member.deviceId),
    });
  }

  updateKeys(groupId: string): Promise<void> {
    return this.#exclusive(() => this.#updateKeys(groupId));
  }

  async #updateKeys(groupId: string): Promise<void> {
    await this.#commit(groupId, { proposals: () => [], added: [], removed: [], update: true });
  }

  /**
   * Builds a commit on the current state, stores it as pending, has the server order it, and
   * adopts the new state only once the server accepted it. On an epoch conflict the mailbox is
   * processed and the commit rebuilt on the newer state.
   */
  async #commit(
    groupId: string,
    plan: { proposals: (state: ClientState) => Proposal[]; added: readonly string[]; removed: readonly string[]; update?: boolean },
  ): Promise<void> {
    await this.#settlePending(groupId);
    for (let attempt = 0; attempt < this.#maxCommitAttempts; attempt++) {
      const state = await this.#requireState(groupId);
      const proposals = plan.proposals(state);
      if (proposals.length === 0 && plan.update !== true) return;
      const result = await this.#withCredentialChecks(() =>
        createCommit({ state, cipherSuite: this.#cs }, { extraProposals: proposals, ratchetTreeExtension: true }),
      );
      const commit = encodeMlsMessage(result.commit);
      const welcome =
        result.welcome === undefined
          ? undefined
          : encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome });
      // Every commit of ours carries a fresh path when it removes or updates; count it as an update then.
      const refreshed = plan.update === true || plan.removed.length > 0;
      const pending: PendingCommit = {
        epoch: Number(state.groupContext.epoch),
        commit: encodeBase64url(commit),
        welcome: welcome === undefined ? undefined : encodeBase64url(welcome),
        added: [...plan.added],
        removed: [...plan.removed],
        state: encodeBase64url(encodeGroupState(result.newState)),
        refreshed,
      };
      // Stored before it leaves the device: if the answer is lost, the next operation settles it.
      await this.#store.write([{ op: 'put', ns: 'meta', key: `pending:${groupId}`, value: json(pending) }]);
      try {
        await this.#transport.sendCommit(groupId, { commit, welcome, added: plan.added, removed: plan.removed });
      } catch (error) {
        if (!isEpochConflict(error)) throw error;
        // Someone else's commit won (or an earlier delivery of this one did): catch up, then
        // build ours again on the new epoch unless it turned out to be in effect already.
        this.#adopted.delete(groupId);
        await this.#resolveConflict(groupId, error.currentEpoch);
        if (this.#adopted.get(groupId) === pending.commit) return;
        continue;
      }
      const { events, writes } = await this.#keyChanges(groupId, membersOf(state), membersOf(result.newState));
      const meta = await this.#meta(groupId);
      await this.#saveState(groupId, result.newState, [
        ...writes,
        this.#metaWrite(groupId, refreshed ? { sentSinceUpdate: 0, lastUpdateAt: this.#clock.now() } : meta),
        this.#pendingDelete(groupId),
      ]);
      zeroAll(result.consumed);
      this.#emitKeyChanges(events);
      return;
    }
    throw new MessagingError('EPOCH_CONFLICT_RETRIES_EXHAUSTED', 'the conversation kept changing while this device tried to commit');
  }

  // ── Sending ──────────────────────────────────────────────────────────────────────────────

  sendText(groupId: string, text: string): Promise<void> {
    if (typeof text !== 'string') throw new TypeError('text must be a string');
    return this.#exclusive(() => this.#send(groupId, { type: 'text', text }));
  }

  sendAttachment(
    groupId: string,
    input: { readonly bytes: Uint8Array; readonly mediaType: string; readonly name?: string },
  ): Promise<AttachmentReference> {
    if (!(input.bytes instanceof Uint8Array) || typeof input.mediaType !== 'string')
      throw new TypeError('an attachment needs bytes and a media type');
    return this.#exclusive(async () => {
      await this.#requireState(groupId);
      const sealed = await sealAttachment(input.bytes);
      const { attachmentId } = await this.#transport.uploadAttachment(groupId, sealed.blob);
      const reference: AttachmentReference = {
        attachmentId,
        key: sealed.key,
        sha256: sealed.sha256,
        size: sealed.size,
        mediaType: input.mediaType,
        ...(input.name === undefined ? {} : { name: input.name }),
      };
      await this.#send(groupId, { type: 'attachment', attachment: reference });
      return reference;
    });
  }

  async openAttachment(groupId: string, reference: AttachmentReference): Promise<Uint8Array> {
    return openAttachment(await this.#transport.downloadAttachment(groupId, reference.attachmentId), reference);
  }

  async #send(groupId: string, content: MessageContent): Promise<void> {
    await this.#settlePending(groupId);
    await this.#updateIfDue(groupId);
    const plaintext = encodeContent(content);
    for (let attempt = 0; attempt < this.#maxCommitAttempts; attempt++) {
      const state = await this.#requireState(groupId);
      if (state.groupActiveState.kind !== 'active')
        throw new MessagingError('UNKNOWN_CONVERSATION', 'this device is no longer in that conversation');
      const { newState, privateMessage, consumed } = await createApplicationMessage(state, plaintext, this.#cs);
      const meta = await this.#meta(groupId);
      // The ratchet moves on in storage before anything leaves the device: a key and nonce are never used twice.
      await this.#saveState(groupId, newState, [this.#metaWrite(groupId, { ...meta, sentSinceUpdate: meta.sentSinceUpdate + 1 })]);
      zeroAll(consumed);
      const message = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage });
      try {
        await this.#transport.sendMessage(groupId, message);
        return;
      } catch (error) {
        if (!isEpochConflict(error)) throw error;
        await this.#resolveConflict(groupId, error.currentEpoch);
      }
    }
    throw new MessagingError('EPOCH_CONFLICT_RETRIES_EXHAUSTED', 'the conversation kept changing while this device tried to send');
  }

  async #updateIfDue(groupId: string): Promise<void> {
    const meta = await this.#meta(groupId);
    if (meta.sentSinceUpdate >= this.#updateEveryMessages || this.#clock.now() - meta.lastUpdateAt >= this.#updateIntervalMs) {
      await this.#updateKeys(groupId);
    }
  }

  maintain(): Promise<void> {
    return this.#exclusive(async () => {
      const device = await this.#requireDevice();
      for (const groupId of await this.#store.keys('groups')) await this.#updateIfDue(groupId);
      await this.#replenish(device);
    });
  }

  // ── Receiving ────────────────────────────────────────────────────────────────────────────

  receive(): Promise<readonly IncomingResult[]> {
    return this.#exclusive(() => this.#receive());
  }

  async #receive(): Promise<IncomingResult[]> {
    await this.#requireDevice();
    const cursorBytes = await this.#store.get('meta', 'cursor');
    let cursor = cursorBytes === undefined ? 0 : parse<number>(cursorBytes);
    const entries = [...(await this.#transport.fetchMailbox(cursor))].sort((a, b) => a.seq - b.seq);
    const results: IncomingResult[] = [];
    for (const entry of entries) {
      if (entry.seq <= cursor) continue;
      const cursorWrite: StoreWrite = { op: 'put', ns: 'meta', key: 'cursor', value: json(entry.seq) };
      let outcome: { result: IncomingResult; events: KeyChangeEvent[] };
      try {
        outcome = await this.#process(entry, cursorWrite);
      } catch (error) {
        const reason = isMessagingError(error) ? error : rejected('MESSAGE_REJECTED', 'the entry could not be processed', error);
        await this.#store.write([cursorWrite]);
        outcome = {
          result: { kind: 'rejected', seq: entry.seq, groupId: entry.groupId, entryKind: entry.kind, error: reason },
          events: [],
        };
      }
      cursor = entry.seq;
      results.push(outcome.result);
      this.#emitKeyChanges(outcome.events);
      if (outcome.result.kind === 'message') this.#events.onMessage?.(outcome.result.message);
      if (outcome.result.kind === 'rejected') this.#events.onRejected?.(outcome.result);
    }
    if (entries.length > 0) await this.#transport.ack(cursor);
    return results;
  }

  /** Processes one entry; on success its state and the cursor are stored together. */
  async #process(entry: MailboxEntry, cursorWrite: StoreWrite): Promise<{ result: IncomingResult; events: KeyChangeEvent[] }> {
    const message = decodeMlsMessage(entry.payload, 0)?.[0];
    if (message === undefined) throw rejected('MESSAGE_REJECTED', 'the entry is not an MLS message');
    switch (entry.kind) {
      case 'welcome':
        return this.#processWelcome(entry, message, cursorWrite);
      case 'commit':
        return this.#processCommit(entry, message, cursorWrite);
      case 'application':
        return this.#processApplication(entry, message, cursorWrite);
    }
  }

  async #processWelcome(
    entry: MailboxEntry,
    message: MLSMessage,
    cursorWrite: StoreWrite,
  ): Promise<{ result: IncomingResult; events: KeyChangeEvent[] }> {
    if (message.wireformat !== 'mls_welcome') throw rejected('MESSAGE_REJECTED', 'the entry is not a Welcome');
    // A second Welcome for a group this device is in would roll its state back: refused.
    if ((await this.#loadState(entry.groupId)) !== undefined)
      throw rejected('MESSAGE_REJECTED', 'a Welcome for a conversation this device is already in');
    if (message.welcome.cipherSuite !== MLS_CIPHER_SUITE) throw rejected('MESSAGE_REJECTED', 'a Welcome for another cipher suite');
    const device = await this.#requireDevice();
    let ref: string | undefined;
    let stored: StoredKeyPackage | undefined;
    for (const secret of message.welcome.secrets) {
      const candidate = encodeBase64url(secret.newMember);
      const bytes = await this.#store.get('keyPackages', candidate);
      if (bytes !== undefined) {
        ref = candidate;
        stored = parse<StoredKeyPackage>(bytes);
        break;
      }
    }
    if (ref === undefined || stored === undefined)
      throw rejected('MESSAGE_REJECTED', 'the Welcome is for none of the KeyPackages of this device');
    const keyPackageMessage = decodeMlsMessage(decodeBase64url(stored.keyPackage), 0)?.[0];
    if (keyPackageMessage?.wireformat !== 'mls_key_package') throw new TypeError('a stored KeyPackage does not decode');
    const privateKeys: PrivateKeyPackage = {
      initPrivateKey: decodeBase64url(stored.initPrivateKey),
      hpkePrivateKey: decodeBase64url(stored.hpkePrivateKey),
      signaturePrivateKey: this.#signatureKeys(device).signKey,
    };
    let state: ClientState;
    try {
      state = await this.#withCredentialChecks(() =>
        joinGroup(
          message.welcome,
          keyPackageMessage.keyPackage,
          privateKeys,
          emptyPskIndex,
          this.#cs,
          undefined,
          undefined,
          this.#clientConfig,
        ),
      );
    } catch (error) {
      if (isMessagingError(error)) throw error;
      throw rejected('MESSAGE_REJECTED', 'the Welcome could not be opened', error);
    }
    if (encodeBase64url(state.groupContext.groupId) !== entry.groupId)
      throw rejected('MESSAGE_REJECTED', 'the Welcome is for another conversation than the server says');
    const { events, writes } = await this.#keyChanges(entry.groupId, [], membersOf(state));
    await this.#saveState(entry.groupId, state, [
      ...writes,
      this.#metaWrite(entry.groupId, { sentSinceUpdate: 0, lastUpdateAt: this.#clock.now() }),
      // A one-time KeyPackage's private keys are gone once used; the last-resort one stays until replaced.
      ...(stored.lastResort ? [] : [{ op: 'delete', ns: 'keyPackages', key: ref } as const]),
      cursorWrite,
    ]);
    // The init key is used up; the leaf key now lives on in the group state.
    zeroOutUint8Array(privateKeys.initPrivateKey);
    return { result: { kind: 'joined', seq: entry.seq, groupId: entry.groupId }, events };
  }

  async #processCommit(
    entry: MailboxEntry,
    message: MLSMessage,
    cursorWrite: StoreWrite,
  ): Promise<{ result: IncomingResult; events: KeyChangeEvent[] }> {
    const state = await this.#loadState(entry.groupId);
    if (state === undefined) throw rejected('UNKNOWN_CONVERSATION', 'a commit for a conversation this device is not in');
    let epoch: bigint;
    let groupIdBytes: Uint8Array;
    let handshake: MlsPrivateMessage | MlsPublicMessage;
    if (message.wireformat === 'mls_private_message' && message.privateMessage.contentType === 'commit') {
      epoch = message.privateMessage.epoch;
      groupIdBytes = message.privateMessage.groupId;
      handshake = message;
    } else if (message.wireformat === 'mls_public_message' && message.publicMessage.content.contentType === 'commit') {
      epoch = message.publicMessage.content.epoch;
      groupIdBytes = message.publicMessage.content.groupId;
      handshake = message;
    } else {
      throw rejected('MESSAGE_REJECTED', 'the entry is not a commit');
    }
    if (encodeBase64url(groupIdBytes) !== entry.groupId)
      throw rejected('MESSAGE_REJECTED', 'the commit is for another conversation than the server says');
    const pending = await this.#pending(entry.groupId);
    const onPendingEpoch = pending !== undefined && BigInt(pending.epoch) === state.groupContext.epoch;
    if (onPendingEpoch && epoch === state.groupContext.epoch && equalBytes(entry.payload, decodeBase64url(pending.commit))) {
      // Our own commit, routed back to us: the server took it.
      const adoption = await this.#adoption(entry.groupId, pending, state);
      await this.#saveState(entry.groupId, adoption.state, [...adoption.writes, cursorWrite]);
      this.#adopted.set(entry.groupId, pending.commit);
      const newEpoch = Number(adoption.state.groupContext.epoch);
      return { result: { kind: 'commit', seq: entry.seq, groupId: entry.groupId, epoch: newEpoch }, events: adoption.events };
    }
    // A commit on the epoch our pending commit leads to can only be processed if ours took
    // effect: it is tried on the pending state, which is adopted with it when it opens there.
    const adoption =
      onPendingEpoch && epoch === state.groupContext.epoch + 1n ? await this.#adoption(entry.groupId, pending, state) : undefined;
    const base = adoption?.state ?? state;
    if (epoch !== base.groupContext.epoch) {
      throw rejected('STALE_EPOCH', `a commit for epoch ${epoch} while the conversation is at epoch ${state.groupContext.epoch}`);
    }
    let result;
    try {
      result = await this.#withCredentialChecks(() => processMessage(handshake, base, emptyPskIndex, () => 'accept', this.#cs));
    } catch (error) {
      if (isMessagingError(error)) throw error;
      throw rejected('MESSAGE_REJECTED', 'the commit could not be processed', error);
    }
    const newState = result.newState;
    if (newState.groupActiveState.kind === 'removedFromGroup') {
      // This device was removed: nothing of the conversation is kept.
      await this.#store.write([
        { op: 'delete', ns: 'groups', key: entry.groupId },
        { op: 'delete', ns: 'meta', key: `group:${entry.groupId}` },
        this.#pendingDelete(entry.groupId),
        cursorWrite,
      ]);
      this.#states.delete(entry.groupId);
      zeroAll(result.consumed);
      if (adoption !== undefined) this.#adopted.set(entry.groupId, pending?.commit ?? '');
      return { result: { kind: 'removed', seq: entry.seq, groupId: entry.groupId }, events: [] };
    }
    const { events, writes } = await this.#keyChanges(entry.groupId, membersOf(base), membersOf(newState));
    // Any pending commit of ours for this epoch lost to this one (or took effect, above): it is dropped.
    await this.#saveState(entry.groupId, newState, [
      ...(adoption?.writes ?? []),
      ...writes,
      this.#pendingDelete(entry.groupId),
      cursorWrite,
    ]);
    zeroAll(result.consumed);
    if (adoption !== undefined) this.#adopted.set(entry.groupId, pending?.commit ?? '');
    return {
      result: { kind: 'commit', seq: entry.seq, groupId: entry.groupId, epoch: Number(newState.groupContext.epoch) },
      events: [...(adoption?.events ?? []), ...events],
    };
  }

  async #processApplication(
    entry: MailboxEntry,
    message: MLSMessage,
    cursorWrite: StoreWrite,
  ): Promise<{ result: IncomingResult; events: KeyChangeEvent[] }> {
    const state = await this.#loadState(entry.groupId);
    if (state === undefined) throw rejected('UNKNOWN_CONVERSATION', 'a message for a conversation this device is not in');
    if (message.wireformat !== 'mls_private_message' || message.privateMessage.contentType !== 'application') {
      throw rejected('MESSAGE_REJECTED', 'the entry is not an encrypted application message');
    }
    const pm = message.privateMessage;
    if (encodeBase64url(pm.groupId) !== entry.groupId)
      throw rejected('MESSAGE_REJECTED', 'the message is for another conversation than the server says');
    // A message of the epoch our pending commit leads to opens only if ours took effect: it is
    // tried on the pending state, which is adopted when it opens there.
    const pending = await this.#pending(entry.groupId);
    const adoption =
      pending !== undefined && BigInt(pending.epoch) === state.groupContext.epoch && pm.epoch === state.groupContext.epoch + 1n
        ? await this.#adoption(entry.groupId, pending, state)
        : undefined;
    const base = adoption?.state ?? state;
    const current = pm.epoch === base.groupContext.epoch;
    const historical = current ? undefined : base.historicalReceiverData.get(pm.epoch);
    const receiver = current
      ? {
          senderDataSecret: base.keySchedule.senderDataSecret,
          secretTree: base.secretTree,
          ratchetTree: base.ratchetTree,
          groupContext: base.groupContext,
        }
      : historical;
    if (receiver === undefined)
      throw rejected('STALE_EPOCH', `a message for epoch ${pm.epoch}, whose keys this device no longer (or not yet) has`);
    let unprotected;
    try {
      unprotected = await unprotectPrivateMessage(
        receiver.senderDataSecret,
        pm,
        receiver.secretTree,
        receiver.ratchetTree,
        receiver.groupContext,
        this.#clientConfig.keyRetentionConfig,
        this.#cs,
      );
    } catch (error) {
      // Includes a replay: the message key of that generation was deleted when it was first used.
      throw rejected('MESSAGE_REJECTED', 'the message could not be decrypted or authenticated', error);
    }
    const framed = unprotected.content.content;
    if (framed.contentType !== 'application' || framed.sender.senderType !== 'member')
      throw rejected('MESSAGE_REJECTED', 'the message is not an application message from a member');
    const senderLeaf = receiver.ratchetTree[framed.sender.leafIndex * 2];
    const sender =
      senderLeaf?.nodeType === 'leaf' && senderLeaf.leaf.credential.credentialType === 'basic'
        ? parseIdentity(fromUtf8(senderLeaf.leaf.credential.identity))
        : undefined;
    if (sender === undefined) throw rejected('MESSAGE_REJECTED', 'the sender has no Portcullis credential');
    const newState: ClientState =
      historical === undefined
        ? { ...base, secretTree: unprotected.tree }
        : {
            ...base,
            historicalReceiverData: new Map([...base.historicalReceiverData, [pm.epoch, { ...historical, secretTree: unprotected.tree }]]),
          };
    const writes = [...(adoption?.writes ?? []), cursorWrite];
    const adopted = (): void => {
      if (adoption !== undefined) this.#adopted.set(entry.groupId, pending?.commit ?? '');
    };
    let content: MessageContent;
    try {
      content = decodeContent(framed.applicationData);
    } catch (error) {
      await this.#saveState(entry.groupId, newState, writes);
      zeroAll(unprotected.consumed);
      adopted();
      this.#emitKeyChanges(adoption?.events ?? []);
      throw error;
    }
    await this.#saveState(entry.groupId, newState, writes);
    zeroAll(unprotected.consumed);
    adopted();
    const received: ReceivedMessage = { groupId: entry.groupId, seq: entry.seq, sender, sentAt: entry.sentAt, content };
    return { result: { kind: 'message', seq: entry.seq, message: received }, events: adoption?.events ?? [] };
  }

  // ── Membership, safety numbers ───────────────────────────────────────────────────────────

  conversations(): Promise<string[]> {
    return this.#exclusive(() => this.#store.keys('groups'));
  }

  members(groupId: string): Promise<ConversationMember[]> {
    return this.#exclusive(async () => {
      const device = await this.#requireDevice();
      return membersOf(await this.#requireState(groupId)).map((member) => ({
        accountId: member.accountId,
        deviceId: member.deviceId,
        signatureKey: member.signatureKey,
        self: member.identity === device.identity,
      }));
    });
  }

  async #accountKeys(groupId: string, accountId: string): Promise<Uint8Array[]> {
    const keys = membersOf(await this.#requireState(groupId))
      .filter((member) => member.accountId === accountId)
      .map((member) => member.signatureKey);
    if (keys.length === 0) throw new MessagingError('NOT_A_MEMBER', 'that account has no device in the conversation');
    return keys;
  }

  safetyNumber(groupId: string, accountId: string): Promise<string> {
    return this.#exclusive(async () => {
      const device = await this.#requireDevice();
      return safetyNumber(
        { accountId: device.accountId, signatureKeys: await this.#accountKeys(groupId, device.accountId) },
        { accountId, signatureKeys: await this.#accountKeys(groupId, accountId) },
      );
    });
  }

  markVerified(groupId: string, accountId: string): Promise<void> {
    return this.#exclusive(async () => {
      const keys = (await this.#accountKeys(groupId, accountId)).map((key) => encodeBase64url(key));
      const record: VerifiedRecord = { status: 'verified', keys };
      await this.#store.write([{ op: 'put', ns: 'meta', key: `verified:${accountId}`, value: json(record) }]);
    });
  }

  contactStatus(accountId: string): Promise<ContactStatus> {
    return this.#exclusive(async () => {
      const bytes = await this.#store.get('meta', `verified:${accountId}`);
      return bytes === undefined ? 'unverified' : parse<VerifiedRecord>(bytes).status;
    });
  }

  syncDevices(): Promise<DeviceSyncReport> {
    return this.#exclusive(async () => {
      const device = await this.#requireDevice();
      const listings = new Map<string, Map<string, Uint8Array>>();
      const listed = async (accountId: string): Promise<Map<string, Uint8Array>> => {
        let listing = listings.get(accountId);
        if (listing === undefined) {
          listing = new Map((await this.#transport.listDevices(accountId)).map((entry) => [entry.deviceId, entry.signatureKey]));
          listings.set(accountId, listing);
        }
        return listing;
      };
      const added: (DeviceIdentity & { groupId: string })[] = [];
      const removed: (DeviceIdentity & { groupId: string })[] = [];
      for (const groupId of await this.#store.keys('groups')) {
        const members = membersOf(await this.#requireState(groupId));
        const gone: string[] = [];
        for (const member of members) {
          if (member.identity === device.identity) continue;
          if (!(await listed(member.accountId)).has(member.deviceId)) gone.push(member.deviceId);
        }
        if (gone.length > 0) {
          await this.#removeDevices(groupId, gone);
          for (const deviceId of gone) {
            const member = members.find((candidate) => candidate.deviceId === deviceId);
            if (member !== undefined) removed.push({ groupId, accountId: member.accountId, deviceId });
          }
        }
        const present = new Set(members.map((member) => member.deviceId));
        const missing = [...(await listed(device.accountId)).keys()].filter((deviceId) => !present.has(deviceId));
        if (missing.length > 0) {
          for (const identity of await this.#addMembers(groupId, [device.accountId], missing)) added.push({ groupId, ...identity });
        }
      }
      return { added, removed };
    });
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return value;
}
