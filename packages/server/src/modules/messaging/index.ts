/**
 * @module modules/messaging
 *
 * End-to-end encrypted messaging, server side: the authentication service (one MLS credential per
 * session, every add and removal in the key transparency log) and the delivery service
 * (KeyPackages, groups ordered by epoch, per-device mailboxes). The server relays MLS ciphertext
 * and reads only its framing. Other modules import from here only.
 */
export { messagingRoutes } from './routes.ts';
export type { MessagingDeps } from './deps.ts';
export type { KeyLogAppender, KeyLogEntryInput } from './key-log.ts';
export { removeDevicesOfSessions } from './devices.ts';
export { mayTalk } from './policy.ts';
export type { RemovalReason } from './devices.ts';
