/**
 * @module modules/messaging/test-support/mls-world
 *
 * Real MLS for messaging tests (ts-mls, cipher suite 1): a key log that records what is
 * appended, and `MlsDevice` — a signed-in session (DPoP, minted by `issueSession`) holding an
 * Ed25519 signature key, registered as a messaging device, which makes real KeyPackages, groups,
 * commits, Welcomes and application messages and sends them through the API.
 */
import { randomBytes } from 'node:crypto';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  processMessage,
  type CiphersuiteImpl,
  type ClientState,
  type KeyPackage,
  type PrivateKeyPackage,
  type Proposal,
} from 'ts-mls';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../../app.ts';
import type { TestDevice } from '../../../test-support/dpop-client.ts';
import { signedInDevice } from '../../../test-support/records-world.ts';
import type { Tx } from '../../../platform/db/index.ts';
import type { KeyLogAppender, KeyLogEntryInput } from '../key-log.ts';

export interface RecordedKeyLogEntry extends KeyLogEntryInput {
  readonly index: number;
}

/** A key log that keeps every append in memory (one whose transaction rolled back stays recorded). */
export function recordingKeyLog(): KeyLogAppender & { readonly entries: RecordedKeyLogEntry[] } {
  const entries: RecordedKeyLogEntry[] = [];
  let next = 0;
  return {
    entries,
    append: (_tx: Tx, entry: KeyLogEntryInput) => {
      const recorded = { ...entry, index: next++ };
      entries.push(recorded);
      return Promise.resolve({ index: recorded.index });
    },
  };
}

let suite: Promise<CiphersuiteImpl> | undefined;
export function cipherSuite(): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'));
  return suite;
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
export const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));

export function newGroupId(): string {
  return b64(randomBytes(32));
}

export interface OwnKeyPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
  /** The `mls_key_package` MLSMessage, base64url. */
  readonly wire: string;
}

function expectStatus(response: LightMyRequestResponse, status: number, what: string): void {
  if (response.statusCode !== status) throw new Error(`${what}: ${response.statusCode} ${response.body}`);
}

/** A messaging device: a signed-in session with its MLS signature key and, once registered, its credential. */
export class MlsDevice {
  deviceId = '';
  keyLogIndex = -1;
  /** Private halves of the KeyPackages uploaded, by their wire text, to join from a Welcome. */
  readonly keyPackages = new Map<string, OwnKeyPackage>();
  /** MLS state per group id (base64url). */
  readonly groups = new Map<string, ClientState>();

  private constructor(
    readonly accountId: string,
    readonly session: TestDevice,
    readonly impl: CiphersuiteImpl,
    readonly signature: { readonly signKey: Uint8Array; readonly publicKey: Uint8Array },
  ) {}

  /** A fresh session of `accountId` with a new signature key (not registered yet). */
  static async signIn(app: App, accountId: string): Promise<MlsDevice> {
    const impl = await cipherSuite();
    return new MlsDevice(accountId, await signedInDevice(app, accountId), impl, await impl.signature.keygen());
  }

  /** A messaging device for a session signed in already (not registered yet). */
  static async forSession(accountId: string, session: TestDevice): Promise<MlsDevice> {
    const impl = await cipherSuite();
    return new MlsDevice(accountId, session, impl, await impl.signature.keygen());
  }

  /** A fresh session of `accountId`, registered as a messaging device. */
  static async registered(app: App, accountId: string): Promise<MlsDevice> {
    const device = await MlsDevice.signIn(app, accountId);
    await device.register();
    return device;
  }

  get signatureKey(): string {
    return b64(this.signature.publicKey);
  }

  get identity(): string {
    return `${this.accountId}:${this.deviceId}`;
  }

  call(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
    return this.session.call(method, url, payload);
  }

  /** Uploads `bytes` as an attachment of the group (`application/octet-stream`). */
  upload(groupId: string, bytes: Uint8Array): Promise<LightMyRequestResponse> {
    return this.session.send({
      method: 'POST',
      url: `/v1/messaging/groups/${groupId}/attachments`,
      payload: Buffer.from(bytes),
      accessToken: this.session.tokens?.accessToken ?? '',
      headers: { 'content-type': 'application/octet-stream' },
    });
  }

  /**
   * Makes sure the session has a device (picking up one registered by a request made outside
   * this object, or registering one); false when the session may not register one.
   */
  async ensureRegistered(app: App): Promise<boolean> {
    const sessionId = this.session.tokens?.sessionId ?? '';
    const row = await app.portcullis.database.db
      .selectFrom('messaging_devices')
      .select(['id', 'key_log_index'])
      .where('session_id', '=', sessionId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (row) {
      this.deviceId = row.id;
      this.keyLogIndex = row.key_log_index;
      return true;
    }
    const response = await this.call('POST', '/v1/messaging/devices', { signatureKey: this.signatureKey });
    if (response.statusCode !== 201) return false;
    const body = response.json<{ deviceId: string; keyLog: { index: number } }>();
    this.deviceId = body.deviceId;
    this.keyLogIndex = body.keyLog.index;
    return true;
  }

  async register(): Promise<void> {
    const response = await this.call('POST', '/v1/messaging/devices', { signatureKey: this.signatureKey });
    expectStatus(response, 201, 'registering the device');
    const body = response.json<{ deviceId: string; keyLog: { index: number } }>();
    this.deviceId = body.deviceId;
    this.keyLogIndex = body.keyLog.index;
  }

  /** A KeyPackage for this device's credential (or for `identity`, to forge one). */
  async keyPackage(identity = this.identity, signature = this.signature): Promise<OwnKeyPackage> {
    const generated = await generateKeyPackageWithKey(
      { credentialType: 'basic', identity: new TextEncoder().encode(identity) },
      defaultCapabilities(),
      defaultLifetime,
      [],
      signature,
      this.impl,
    );
    const wire = b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: generated.publicPackage }));
    const own = { ...generated, wire };
    this.keyPackages.set(wire, own);
    return own;
  }

  /** Uploads `count` one-time KeyPackages (and a last-resort one when asked). */
  async uploadKeyPackages(count: number, lastResort = false): Promise<OwnKeyPackage[]> {
    const packages: OwnKeyPackage[] = [];
    for (let i = 0; i < count; i++) packages.push(await this.keyPackage());
    const last = lastResort ? await this.keyPackage() : undefined;
    const response = await this.call('POST', '/v1/messaging/key-packages', {
      keyPackages: packages.map((p) => p.wire),
      ...(last ? { lastResort: last.wire } : {}),
    });
    expectStatus(response, 200, 'uploading key packages');
    return last ? [...packages, last] : packages;
  }

  async claim(accountId: string): Promise<LightMyRequestResponse> {
    return this.call('POST', '/v1/messaging/key-packages/claim', { accountId });
  }

  /** Creates the MLS group locally and on the server; returns its id. */
  async createGroup(groupId = newGroupId()): Promise<string> {
    const own = await this.keyPackage();
    this.keyPackages.delete(own.wire);
    this.groups.set(groupId, await createGroup(unb64(groupId), own.publicPackage, own.privatePackage, [], this.impl));
    expectStatus(await this.call('POST', '/v1/messaging/groups', { groupId }), 201, 'creating the group');
    return groupId;
  }

  state(groupId: string): ClientState {
    const state = this.groups.get(groupId);
    if (!state) throw new TypeError(`no state for group ${groupId}`);
    return state;
  }

  /**
   * Builds a commit adding the devices of the claimed KeyPackages (none: an empty commit that
   * only moves the epoch). The local state is not advanced: call `accept` once the server took it.
   */
  async buildCommit(
    groupId: string,
    adds: readonly { deviceId: string; keyPackage: string }[] = [],
  ): Promise<{ body: { commit: string; welcome?: string; added: string[]; removed: string[] }; newState: ClientState }> {
    const proposals: Proposal[] = adds.map((add) => {
      const decoded = decodeMlsMessage(unb64(add.keyPackage), 0)?.[0];
      if (decoded?.wireformat !== 'mls_key_package') throw new TypeError('not a key package');
      return { proposalType: 'add', add: { keyPackage: decoded.keyPackage } };
    });
    const result = await createCommit(
      { state: this.state(groupId), cipherSuite: this.impl },
      { extraProposals: proposals, ratchetTreeExtension: true },
    );
    const welcome = result.welcome
      ? b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome }))
      : undefined;
    return {
      body: {
        commit: b64(encodeMlsMessage(result.commit)),
        ...(welcome ? { welcome } : {}),
        added: adds.map((a) => a.deviceId),
        removed: [],
      },
      newState: result.newState,
    };
  }

  /** Sends a commit built by `buildCommit`; on 201 the local state moves to the new epoch. */
  async commit(groupId: string, built: Awaited<ReturnType<MlsDevice['buildCommit']>>): Promise<LightMyRequestResponse> {
    const response = await this.call('POST', `/v1/messaging/groups/${groupId}/commits`, built.body);
    if (response.statusCode === 201) this.groups.set(groupId, built.newState);
    return response;
  }

  /** Joins from a Welcome made for one of this device's KeyPackages. */
  async join(groupId: string, welcome: string, keyPackageWire: string): Promise<void> {
    const own = this.keyPackages.get(keyPackageWire);
    if (!own) throw new TypeError('unknown key package');
    const decoded = decodeMlsMessage(unb64(welcome), 0)?.[0];
    if (decoded?.wireformat !== 'mls_welcome') throw new TypeError('not a welcome');
    this.groups.set(groupId, await joinGroup(decoded.welcome, own.publicPackage, own.privatePackage, emptyPskIndex, this.impl));
  }

  /** Encrypts `text` for the group in its current epoch (an `mls_private_message`, base64url). */
  async seal(groupId: string, text: string): Promise<string> {
    const result = await createApplicationMessage(this.state(groupId), new TextEncoder().encode(text), this.impl);
    this.groups.set(groupId, result.newState);
    return b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: result.privateMessage }));
  }

  /**
   * Builds a commit removing `deviceIds` from the group (found by their credential identity in
   * the ratchet tree). Like `buildCommit`, the local state moves only with `commit`.
   */
  async buildRemoval(
    groupId: string,
    deviceIds: readonly string[],
  ): Promise<{ body: { commit: string; added: string[]; removed: string[] }; newState: ClientState }> {
    const state = this.state(groupId);
    const proposals: Proposal[] = [];
    for (let node = 0; node < state.ratchetTree.length; node += 2) {
      const entry = state.ratchetTree[node];
      if (entry?.nodeType !== 'leaf' || entry.leaf.credential.credentialType !== 'basic') continue;
      const identity = new TextDecoder().decode(entry.leaf.credential.identity);
      if (deviceIds.some((id) => identity.endsWith(`:${id}`))) proposals.push({ proposalType: 'remove', remove: { removed: node / 2 } });
    }
    if (proposals.length !== deviceIds.length) throw new TypeError('a device to remove is not in the group');
    const result = await createCommit({ state, cipherSuite: this.impl }, { extraProposals: proposals });
    return { body: { commit: b64(encodeMlsMessage(result.commit)), added: [], removed: [...deviceIds] }, newState: result.newState };
  }

  /**
   * Processes a handshake or application message of the group as received (base64url): a commit
   * moves the local state to its epoch (undefined is returned), an application message is
   * decrypted and its text returned.
   */
  async open(groupId: string, payload: string): Promise<string | undefined> {
    const decoded = decodeMlsMessage(unb64(payload), 0)?.[0];
    if (decoded?.wireformat !== 'mls_private_message' && decoded?.wireformat !== 'mls_public_message') {
      throw new TypeError('not a handshake or application message');
    }
    const result = await processMessage(decoded, this.state(groupId), emptyPskIndex, () => 'accept', this.impl);
    this.groups.set(groupId, result.newState);
    return result.kind === 'applicationMessage' ? new TextDecoder().decode(result.message) : undefined;
  }

  async send(groupId: string, text: string): Promise<LightMyRequestResponse> {
    return this.call('POST', `/v1/messaging/groups/${groupId}/messages`, { message: await this.seal(groupId, text) });
  }
}
