/**
 * @module messaging/credentials
 *
 * Who a device is in a conversation: its MLS BasicCredential identity is the UTF-8 of
 * `${accountId}:${deviceId}` and its key is the Ed25519 signature key it registered. Before the
 * engine encrypts to a credential (adds it) or accepts a commit or Welcome that brings one in,
 * it asks a {@link CredentialVerifier} (the key transparency log's client checks the inclusion
 * proof) and refuses on failure. Every membership or key change is reported to the app as a
 * {@link KeyChangeEvent}.
 */

/** The account and device a credential names. */
export interface DeviceIdentity {
  readonly accountId: string;
  readonly deviceId: string;
}

/**
 * Checks a peer credential before the engine trusts it. Resolves when the credential is good;
 * rejects (with any error) when it is not: not in the key log, removed, in the log for another
 * account, or with another key.
 */
export interface CredentialVerifier {
  /**
   * @param identity The credential identity as text, `${accountId}:${deviceId}`.
   * @param signatureKey The credential's Ed25519 public key (32 bytes).
   */
  verify(identity: string, signatureKey: Uint8Array): Promise<void>;
}

/** A change in who is in a conversation or which key a device uses. */
export interface KeyChangeEvent {
  readonly groupId: string;
  /** `added`: a device joined; `removed`: it left; `key-changed`: the same device now signs with another key. */
  readonly kind: 'added' | 'removed' | 'key-changed';
  readonly accountId: string;
  readonly deviceId: string;
  /** The device's signature key now (for `removed`, the key it had). */
  readonly signatureKey: Uint8Array;
  /** For `key-changed`, the key before. */
  readonly previousSignatureKey?: Uint8Array | undefined;
  /**
   * The account was marked verified (its safety number compared) and this change alters its
   * keys: the app should warn, and the verification is withdrawn until it is compared again.
   */
  readonly verifiedContactChanged: boolean;
}

/** The credential identity text for an account's device. */
export function identityOf(device: DeviceIdentity): string {
  return `${device.accountId}:${device.deviceId}`;
}

/**
 * Splits a credential identity into account and device. The device id never contains `:`, so
 * the last `:` separates them; returns `undefined` for anything else.
 */
export function parseIdentity(identity: string): DeviceIdentity | undefined {
  const at = identity.lastIndexOf(':');
  if (at <= 0 || at === identity.length - 1) return undefined;
  return { accountId: identity.slice(0, at), deviceId: identity.slice(at + 1) };
}
