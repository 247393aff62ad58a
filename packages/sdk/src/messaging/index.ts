/**
 * @module @portcullis/sdk/messaging
 *
 * End-to-end encrypted messaging on MLS (RFC 9420): an {@link E2eeEngine} per device, which
 * talks to the delivery service only through a {@link DeliveryTransport}, trusts a peer
 * credential only after a {@link CredentialVerifier} (the key transparency log) accepts it,
 * and keeps its keys and group states in a {@link GroupStateStore}. Safety numbers let two
 * people check, outside the app, that no one sits between them.
 *
 * @example
 *   import { createMlsEngine, IndexedDbGroupStateStore } from '@portcullis/sdk/messaging';
 *
 *   const engine = await createMlsEngine({ transport, verifier, store: new IndexedDbGroupStateStore({ databaseName: 'messaging' }) });
 *   await engine.createDevice();
 *   const groupId = await engine.createConversation([clinicianAccountId]);
 *   await engine.sendText(groupId, 'Hello');
 *   for (const result of await engine.receive()) if (result.kind === 'message') show(result.message);
 */
export type {
  ContactStatus,
  ConversationMember,
  DeviceInfo,
  DeviceSyncReport,
  E2eeEngine,
  E2eeEngineEvents,
  IncomingResult,
  ReceivedMessage,
} from './engine.ts';
export { createMlsEngine, type MlsEngineOptions } from './mls-engine.ts';
export { MLS_CIPHER_SUITE } from './mls-cipher-suite.ts';
export {
  EpochConflictError,
  isEpochConflict,
  type ClaimedKeyPackage,
  type CommitSubmission,
  type DeliveryTransport,
  type KeyPackageCounts,
  type ListedDevice,
  type MailboxEntry,
  type MailboxEntryKind,
  type RegisteredDevice,
} from './transport.ts';
export { createHttpDeliveryTransport } from './http-delivery-transport.ts';
export { checkpointStoreIn, createKeyLogVerifier, type KeyLogVerifierOptions } from './key-log-verifier.ts';
export { MESSAGING_EVENTS_PATH, startLiveDelivery, type LiveDeliveryOptions } from './live-delivery.ts';
export type { EventSubscription } from '../realtime/event-subscription.ts';
export { identityOf, parseIdentity, type CredentialVerifier, type DeviceIdentity, type KeyChangeEvent } from './credentials.ts';
export {
  MemoryGroupStateStore,
  STORE_NAMESPACES,
  type GroupStateStore,
  type StoreNamespace,
  type StoreWrite,
} from './group-state-store.ts';
export { IndexedDbGroupStateStore, type IndexedDbGroupStateStoreOptions } from './indexeddb-group-state-store.ts';
export type { AttachmentReference, MessageContent } from './content.ts';
export {
  displayableFingerprint,
  formatSafetyNumber,
  safetyNumber,
  SAFETY_NUMBER_ITERATIONS,
  type FingerprintSide,
  type SafetyNumberParty,
} from './safety-number.ts';
export { isMessagingError, MESSAGING_ERROR_CODES, MessagingError, type MessagingErrorCode } from './errors.ts';
