/**
 * @module messaging/engine
 *
 * The end-to-end encryption engine as the app sees it, independent of the MLS library behind
 * it (today `ts-mls`, see {@link createMlsEngine}): a device identity, conversations whose
 * members are devices, text and attachments sealed on the device, and the events an app must
 * show (new messages, and every change of who is in a conversation or which key they use).
 */
import type { AttachmentReference, MessageContent } from './content.ts';
import type { DeviceIdentity, KeyChangeEvent } from './credentials.ts';
import type { MessagingError } from './errors.ts';
import type { KeyPackageCounts, MailboxEntryKind } from './transport.ts';

/** This device, once registered. */
export interface DeviceInfo extends DeviceIdentity {
  /** `${accountId}:${deviceId}`, the credential identity. */
  readonly identity: string;
  /** The device's Ed25519 public key (32 bytes). */
  readonly signatureKey: Uint8Array;
}

/** A device in a conversation. */
export interface ConversationMember extends DeviceIdentity {
  readonly signatureKey: Uint8Array;
  /** This device. */
  readonly self: boolean;
}

/** A decrypted application message. */
export interface ReceivedMessage {
  readonly groupId: string;
  /** Mailbox position it arrived at. */
  readonly seq: number;
  /** The member device that signed it (authenticated by MLS, not taken from the content). */
  readonly sender: DeviceIdentity;
  /** When the server accepted it. */
  readonly sentAt: string;
  readonly content: MessageContent;
}

/** What processing one mailbox entry did. */
export type IncomingResult =
  | { readonly kind: 'message'; readonly seq: number; readonly message: ReceivedMessage }
  | { readonly kind: 'joined'; readonly seq: number; readonly groupId: string }
  | { readonly kind: 'commit'; readonly seq: number; readonly groupId: string; readonly epoch: number }
  | { readonly kind: 'removed'; readonly seq: number; readonly groupId: string }
  | {
      readonly kind: 'rejected';
      readonly seq: number;
      readonly groupId: string;
      readonly entryKind: MailboxEntryKind;
      readonly error: MessagingError;
    };

/** Whether the app has compared an account's safety number, and whether its keys changed since. */
export type ContactStatus = 'unverified' | 'verified' | 'changed';

/** What {@link E2eeEngine.syncDevices} did. */
export interface DeviceSyncReport {
  /** Devices of this account added to conversations they were missing from. */
  readonly added: readonly (DeviceIdentity & { readonly groupId: string })[];
  /** Devices no longer listed by the server, removed from conversations. */
  readonly removed: readonly (DeviceIdentity & { readonly groupId: string })[];
}

/** Callbacks an app passes to the engine. */
export interface E2eeEngineEvents {
  /** A message was decrypted. */
  readonly onMessage?: ((message: ReceivedMessage) => void) | undefined;
  /** A device joined or left a conversation, or a device's key changed. */
  readonly onKeyChange?: ((event: KeyChangeEvent) => void) | undefined;
  /** An incoming entry was refused (tampered, replayed, stale, or from an unverifiable credential). */
  readonly onRejected?: ((rejection: Extract<IncomingResult, { kind: 'rejected' }>) => void) | undefined;
}

/** The end-to-end encryption engine of one messaging device. */
export interface E2eeEngine {
  /** This device, or `undefined` before {@link createDevice}. */
  device(): Promise<DeviceInfo | undefined>;
  /**
   * Creates the device identity (an Ed25519 key pair), registers it from this session, and
   * publishes KeyPackages. Returns the existing device when there is one.
   */
  createDevice(): Promise<DeviceInfo>;
  /** Publishes KeyPackages until the server holds the configured number, and a last-resort one. */
  replenishKeyPackages(): Promise<KeyPackageCounts>;
  /** Starts a conversation and adds every active device of the given accounts. Returns its group id. */
  createConversation(accountIds?: readonly string[]): Promise<string>;
  /**
   * Adds every active device of the accounts that is not yet in the conversation (or only the
   * listed devices). Each credential is verified first; one failure refuses the whole add.
   */
  addMembers(
    groupId: string,
    accountIds: readonly string[],
    options?: { readonly deviceIds?: readonly string[] },
  ): Promise<readonly DeviceIdentity[]>;
  /** Removes devices from the conversation. */
  removeDevices(groupId: string, deviceIds: readonly string[]): Promise<void>;
  /**
   * Brings every conversation in line with the server's device lists: adds this account's
   * other devices where they are missing, and removes devices that are no longer registered.
   */
  syncDevices(): Promise<DeviceSyncReport>;
  /** Encrypts and sends a text. */
  sendText(groupId: string, text: string): Promise<void>;
  /** Encrypts an attachment under a fresh key, uploads it, and sends its reference. */
  sendAttachment(
    groupId: string,
    input: { readonly bytes: Uint8Array; readonly mediaType: string; readonly name?: string },
  ): Promise<AttachmentReference>;
  /** Downloads an attachment, checks it against its reference and decrypts it. */
  openAttachment(groupId: string, reference: AttachmentReference): Promise<Uint8Array>;
  /** Fetches the mailbox and processes every entry in order (Welcomes, commits, messages), then acknowledges it. */
  receive(): Promise<readonly IncomingResult[]>;
  /** Commits a fresh leaf key now (post-compromise security). */
  updateKeys(groupId: string): Promise<void>;
  /** Periodic upkeep: key updates that are due, and KeyPackage top-up. */
  maintain(): Promise<void>;
  /** Group ids of the conversations this device is in. */
  conversations(): Promise<string[]>;
  /** The devices in a conversation. */
  members(groupId: string): Promise<ConversationMember[]>;
  /** The 60-digit safety number between this account and another member account of a conversation. */
  safetyNumber(groupId: string, accountId: string): Promise<string>;
  /** Records that the app compared the safety number with this account; later key changes are flagged. */
  markVerified(groupId: string, accountId: string): Promise<void>;
  /** Whether the account was verified and whether its keys changed since. */
  contactStatus(accountId: string): Promise<ContactStatus>;
}
