/**
 * @module messaging/transport
 *
 * The engine's only way to the delivery service: one method per HTTP route of the messaging
 * API (`/v1/messaging/...`). Bytes are `Uint8Array` here; an HTTP transport encodes them as
 * base64url on the wire. The engine never sees HTTP, so it runs the same against the server and
 * against an in-memory delivery service in tests.
 */

/** What `POST /v1/messaging/devices` answers: the server-chosen device id and the identity to put in the credential. */
export interface RegisteredDevice {
  readonly deviceId: string;
  readonly accountId: string;
  /** `${accountId}:${deviceId}`: the MLS BasicCredential identity (UTF-8). */
  readonly identity: string;
  /** Index of the `add` entry in the key transparency log. */
  readonly keyLogIndex: number;
}

/** Unclaimed KeyPackages the server holds for this device. */
export interface KeyPackageCounts {
  readonly oneTime: number;
  readonly lastResort: number;
}

/** One KeyPackage claimed for one active device of an account. */
export interface ClaimedKeyPackage {
  readonly deviceId: string;
  /** The encoded MLSMessage (wire format `mls_key_package`). */
  readonly keyPackage: Uint8Array;
  readonly keyLogIndex: number;
}

/** An active messaging device of an account, as `GET /v1/messaging/accounts/:accountId/devices` lists it. */
export interface ListedDevice {
  readonly deviceId: string;
  /** Ed25519 public key (32 bytes). */
  readonly signatureKey: Uint8Array;
  readonly keyLogIndex: number;
}

/** A handshake to order: the commit, the Welcome for the devices it adds, and which devices it adds and removes. */
export interface CommitSubmission {
  /** Encoded MLSMessage carrying the commit. */
  readonly commit: Uint8Array;
  /** Encoded MLSMessage (`mls_welcome`), when the commit adds devices. */
  readonly welcome?: Uint8Array | undefined;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Kinds of mailbox entries. */
export type MailboxEntryKind = 'welcome' | 'commit' | 'application';

/** One entry of this device's mailbox. */
export interface MailboxEntry {
  /** Position in this device's mailbox; strictly increasing. */
  readonly seq: number;
  readonly groupId: string;
  readonly kind: MailboxEntryKind;
  /** Encoded MLSMessage. */
  readonly payload: Uint8Array;
  /** ISO 8601 time the server accepted it. */
  readonly sentAt: string;
}

/**
 * The delivery service, route by route. Implementations map the server's `409 EPOCH_CONFLICT`
 * problem to {@link EpochConflictError} and leave every other failure as it is.
 */
export interface DeliveryTransport {
  /** `POST /v1/messaging/devices`: registers this session's device with its signature key. */
  registerDevice(input: { readonly signatureKey: Uint8Array }): Promise<RegisteredDevice>;
  /** `DELETE /v1/messaging/devices/current`: removes this device's credential. */
  unregisterDevice(): Promise<void>;
  /** `POST /v1/messaging/key-packages` (at most 100 one-time packages per call). */
  uploadKeyPackages(input: {
    readonly keyPackages: readonly Uint8Array[];
    readonly lastResort?: Uint8Array | undefined;
  }): Promise<KeyPackageCounts>;
  /** `GET /v1/messaging/key-packages/count`. */
  countKeyPackages(): Promise<KeyPackageCounts>;
  /**
   * `POST /v1/messaging/key-packages/claim`: one KeyPackage per active device of the account, or
   * only of `deviceIds` (so no one-time package is spent on devices already in the conversation).
   */
  claimKeyPackages(accountId: string, deviceIds?: readonly string[]): Promise<readonly ClaimedKeyPackage[]>;
  /** `POST /v1/messaging/groups`: the group starts at epoch 0 with this device as its only member. */
  createGroup(groupId: string): Promise<{ readonly groupId: string; readonly epoch: number }>;
  /** `POST /v1/messaging/groups/:groupId/commits`: rejects with {@link EpochConflictError} when the group has moved on. */
  sendCommit(groupId: string, submission: CommitSubmission): Promise<{ readonly epoch: number }>;
  /** `POST /v1/messaging/groups/:groupId/messages`: rejects with {@link EpochConflictError} when the message's epoch is not current. */
  sendMessage(groupId: string, message: Uint8Array): Promise<{ readonly seq: number }>;
  /** `GET /v1/messaging/mailbox?after=<seq>`. */
  fetchMailbox(after: number): Promise<readonly MailboxEntry[]>;
  /** `POST /v1/messaging/mailbox/ack`: the server deletes entries up to and including `upTo`. */
  ack(upTo: number): Promise<void>;
  /** `POST /v1/messaging/groups/:groupId/attachments`: an opaque (already encrypted) blob. */
  uploadAttachment(groupId: string, bytes: Uint8Array): Promise<{ readonly attachmentId: string }>;
  /** `GET /v1/messaging/groups/:groupId/attachments/:id`. */
  downloadAttachment(groupId: string, attachmentId: string): Promise<Uint8Array>;
  /** `GET /v1/messaging/accounts/:accountId/devices`. */
  listDevices(accountId: string): Promise<readonly ListedDevice[]>;
}

/** The server refused a commit or message because the group is at another epoch (`409 EPOCH_CONFLICT`). */
export class EpochConflictError extends Error {
  override readonly name = 'EpochConflictError';
  /** The group's epoch on the server. */
  readonly currentEpoch: number;

  constructor(currentEpoch: number) {
    super(`the group is at epoch ${currentEpoch}`);
    this.currentEpoch = currentEpoch;
  }
}

/** Whether a transport failure is an epoch conflict. */
export function isEpochConflict(error: unknown): error is EpochConflictError {
  return error instanceof EpochConflictError;
}
