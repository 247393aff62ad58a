/**
 * @module modules/messaging/mls
 *
 * The little of MLS (RFC 9420) the delivery service reads, through the pinned `ts-mls`: the
 * framing of a message (wire format, group id, epoch, content type) and a KeyPackage's cipher
 * suite, credential, signature key and signature. Nothing here holds or derives a group secret;
 * the content of a message stays sealed. Every decoder is strict: the bytes must be exactly one
 * MLSMessage, else the input is refused. The library is loaded on first use (it adds some 27 MB
 * of code to the process), so a deployment that never carries a message does not pay for it.
 */
import type * as TsMls from 'ts-mls';
import type { CiphersuiteImpl, MLSMessage } from 'ts-mls';

let library: Promise<typeof TsMls> | undefined;
const tsMls = (): Promise<typeof TsMls> => (library ??= import('ts-mls'));

/** The only cipher suite accepted (RFC 9420 §17.1, mandatory to implement). */
export const CIPHER_SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519' as const;

let suite: Promise<CiphersuiteImpl> | undefined;
function cipherSuite(): Promise<CiphersuiteImpl> {
  suite ??= tsMls().then(({ getCiphersuiteImpl, getCiphersuiteFromName }) => getCiphersuiteImpl(getCiphersuiteFromName(CIPHER_SUITE)));
  return suite;
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Base64url text (already checked by the request schema) to bytes. */
export function fromBase64Url(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** One whole MLSMessage, or undefined (trailing bytes, truncation, unknown values). */
export async function decodeWholeMessage(bytes: Uint8Array): Promise<MLSMessage | undefined> {
  const { decodeMlsMessage } = await tsMls();
  try {
    const decoded = decodeMlsMessage(bytes, 0);
    if (!decoded || decoded[1] !== bytes.length) return undefined;
    return decoded[0];
  } catch {
    return undefined;
  }
}

/** What the server may read of a handshake or application message. */
export interface MessageHeader {
  readonly wireformat: 'mls_private_message' | 'mls_public_message';
  /** Base64url of the group id. */
  readonly groupId: string;
  readonly epoch: number;
  readonly contentType: 'application' | 'proposal' | 'commit';
}

export async function messageHeader(bytes: Uint8Array): Promise<MessageHeader | undefined> {
  const message = await decodeWholeMessage(bytes);
  if (message?.wireformat === 'mls_private_message') {
    const { groupId, epoch, contentType } = message.privateMessage;
    return { wireformat: message.wireformat, groupId: toBase64Url(groupId), epoch: Number(epoch), contentType };
  }
  if (message?.wireformat === 'mls_public_message') {
    const { groupId, epoch, contentType } = message.publicMessage.content;
    return { wireformat: message.wireformat, groupId: toBase64Url(groupId), epoch: Number(epoch), contentType };
  }
  return undefined;
}

export async function isWelcome(bytes: Uint8Array): Promise<boolean> {
  const message = await decodeWholeMessage(bytes);
  return message?.wireformat === 'mls_welcome' && message.welcome.cipherSuite === CIPHER_SUITE;
}

/** Why a KeyPackage is refused (for logs), or undefined when it is the device's and sound. */
export async function keyPackageProblem(
  bytes: Uint8Array,
  device: { readonly identity: string; readonly signatureKey: string },
): Promise<string | undefined> {
  const message = await decodeWholeMessage(bytes);
  if (message?.wireformat !== 'mls_key_package') return 'not an mls_key_package message';
  const keyPackage = message.keyPackage;
  if (keyPackage.cipherSuite !== CIPHER_SUITE) return 'cipher suite';
  const leaf = keyPackage.leafNode;
  if (leaf.credential.credentialType !== 'basic') return 'credential type';
  if (Buffer.from(leaf.credential.identity).toString('utf8') !== device.identity) return 'credential identity';
  if (toBase64Url(leaf.signaturePublicKey) !== device.signatureKey) return 'signature key';
  const [impl, { verifyKeyPackage }] = await Promise.all([cipherSuite(), import('ts-mls/keyPackage.js')]);
  if (!(await verifyKeyPackage(keyPackage, impl.signature))) return 'signature';
  return undefined;
}
