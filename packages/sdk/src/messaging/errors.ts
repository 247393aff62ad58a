/**
 * @module messaging/errors
 *
 * What the messaging engine refuses, with a stable code to branch on. Messages never contain
 * message text, keys or attachment bytes.
 */

/** Codes of {@link MessagingError}. */
export const MESSAGING_ERROR_CODES = Object.freeze([
  /** The engine has no registered device yet: call `createDevice()` first. */
  'DEVICE_NOT_REGISTERED',
  /** The conversation is unknown to this device, or this device was removed from it. */
  'UNKNOWN_CONVERSATION',
  /** A peer credential failed verification (not in the key log, another account's, or a claimed package that does not match). */
  'CREDENTIAL_REJECTED',
  /** A handshake for an epoch this device has already left (or has not reached) was refused. */
  'STALE_EPOCH',
  /** An incoming message could not be authenticated or decrypted (tampered, replayed, or not for this device). */
  'MESSAGE_REJECTED',
  /** A decrypted attachment does not match the hash or size its message announced. */
  'ATTACHMENT_INTEGRITY',
  /** The server kept refusing a commit because the group moved on, more times than the engine retries. */
  'EPOCH_CONFLICT_RETRIES_EXHAUSTED',
  /** The device or account asked for is not in the conversation. */
  'NOT_A_MEMBER',
  /** A value of the device's group-state store does not open (altered, moved to another slot, or sealed under another key). */
  'STORED_STATE_UNREADABLE',
] as const);

/** A code of {@link MessagingError}. */
export type MessagingErrorCode = (typeof MESSAGING_ERROR_CODES)[number];

/** An expected refusal of the messaging engine. */
export class MessagingError extends Error {
  override readonly name = 'MessagingError';
  readonly code: MessagingErrorCode;

  constructor(code: MessagingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Whether `error` is a {@link MessagingError}, optionally with the given code. */
export function isMessagingError(error: unknown, code?: MessagingErrorCode): error is MessagingError {
  return error instanceof MessagingError && (code === undefined || error.code === code);
}
