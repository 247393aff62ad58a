/**
 * @module messaging/content
 *
 * What travels inside an MLS application message (so only group members read it): a text, or
 * an attachment's reference with the key that opens it. Attachments are encrypted on the device
 * with a fresh AES-256-GCM key (WebCrypto) and uploaded as an opaque blob; the message carries
 * the key, the SHA-256 of the ciphertext, the plaintext size and media type. Encoded as UTF-8
 * JSON with a version field.
 */
import { decodeBase64url, encodeBase64url } from '../lib/base64url.ts';
import { randomBytes, subtleCrypto } from '../lib/webcrypto.ts';
import { MessagingError } from './errors.ts';

/** What an attachment message tells the recipient. */
export interface AttachmentReference {
  /** The server's id of the encrypted blob. */
  readonly attachmentId: string;
  /** AES-256-GCM key (32 bytes). */
  readonly key: Uint8Array;
  /** SHA-256 of the uploaded blob (nonce ‖ ciphertext). */
  readonly sha256: Uint8Array;
  /** Size of the plaintext in bytes. */
  readonly size: number;
  /** Media type the sender declared, e.g. `image/jpeg`. */
  readonly mediaType: string;
  /** File name the sender chose, if any. */
  readonly name?: string | undefined;
}

/** The content of an application message. */
export type MessageContent =
  { readonly type: 'text'; readonly text: string } | { readonly type: 'attachment'; readonly attachment: AttachmentReference };

const CONTENT_VERSION = 1;
const NONCE_BYTES = 12;

interface WireContent {
  v: number;
  t: string;
  text?: unknown;
  id?: unknown;
  key?: unknown;
  sha256?: unknown;
  size?: unknown;
  type?: unknown;
  name?: unknown;
}

/** Encodes message content for an MLS application message. */
export function encodeContent(content: MessageContent): Uint8Array {
  const wire: WireContent =
    content.type === 'text'
      ? { v: CONTENT_VERSION, t: 'text', text: content.text }
      : {
          v: CONTENT_VERSION,
          t: 'attachment',
          id: content.attachment.attachmentId,
          key: encodeBase64url(content.attachment.key),
          sha256: encodeBase64url(content.attachment.sha256),
          size: content.attachment.size,
          type: content.attachment.mediaType,
          ...(content.attachment.name === undefined ? {} : { name: content.attachment.name }),
        };
  return new TextEncoder().encode(JSON.stringify(wire));
}

function invalid(): MessagingError {
  return new MessagingError('MESSAGE_REJECTED', 'the message content is not understood');
}

/** Decodes the content of an MLS application message; `MESSAGE_REJECTED` when it is malformed. */
export function decodeContent(bytes: Uint8Array): MessageContent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const wire = parsed as WireContent;
  if (wire.v !== CONTENT_VERSION) throw invalid();
  if (wire.t === 'text' && typeof wire.text === 'string') return { type: 'text', text: wire.text };
  if (
    wire.t === 'attachment' &&
    typeof wire.id === 'string' &&
    typeof wire.key === 'string' &&
    typeof wire.sha256 === 'string' &&
    typeof wire.size === 'number' &&
    Number.isSafeInteger(wire.size) &&
    wire.size >= 0 &&
    typeof wire.type === 'string' &&
    (wire.name === undefined || typeof wire.name === 'string')
  ) {
    let key: Uint8Array;
    let sha256: Uint8Array;
    try {
      key = decodeBase64url(wire.key);
      sha256 = decodeBase64url(wire.sha256);
    } catch {
      throw invalid();
    }
    if (key.length !== 32 || sha256.length !== 32) throw invalid();
    return {
      type: 'attachment',
      attachment: {
        attachmentId: wire.id,
        key,
        sha256,
        size: wire.size,
        mediaType: wire.type,
        ...(wire.name === undefined ? {} : { name: wire.name }),
      },
    };
  }
  throw invalid();
}

/** The encrypted blob of an attachment and what its message must carry (all but the server's id). */
export interface SealedAttachment {
  /** nonce (12 bytes) ‖ AES-256-GCM ciphertext and tag: what is uploaded. */
  readonly blob: Uint8Array;
  readonly key: Uint8Array;
  readonly sha256: Uint8Array;
  readonly size: number;
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtleCrypto().digest('SHA-256', bytes.slice()));
}

/** Encrypts an attachment under a fresh random AES-256-GCM key. */
export async function sealAttachment(plaintext: Uint8Array): Promise<SealedAttachment> {
  const subtle = subtleCrypto();
  const key = randomBytes(32);
  const nonce = randomBytes(NONCE_BYTES);
  const cryptoKey = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce }, cryptoKey, plaintext.slice()));
  const blob = new Uint8Array(NONCE_BYTES + ciphertext.length);
  blob.set(nonce, 0);
  blob.set(ciphertext, NONCE_BYTES);
  return { blob, key, sha256: await sha256(blob), size: plaintext.length };
}

/** Checks a downloaded blob against its reference and decrypts it; `ATTACHMENT_INTEGRITY` on any mismatch. */
export async function openAttachment(blob: Uint8Array, reference: AttachmentReference): Promise<Uint8Array> {
  const digest = await sha256(blob);
  let same = digest.length === reference.sha256.length ? 0 : 1;
  for (let i = 0; i < digest.length; i++) same |= (digest[i] ?? 0) ^ (reference.sha256[i] ?? 0);
  if (same !== 0 || blob.length < NONCE_BYTES + 16)
    throw new MessagingError('ATTACHMENT_INTEGRITY', 'the attachment does not match its message');
  const subtle = subtleCrypto();
  const cryptoKey = await subtle.importKey('raw', reference.key.slice(), 'AES-GCM', false, ['decrypt']);
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(
      await subtle.decrypt({ name: 'AES-GCM', iv: blob.slice(0, NONCE_BYTES) }, cryptoKey, blob.slice(NONCE_BYTES)),
    );
  } catch (error) {
    throw new MessagingError('ATTACHMENT_INTEGRITY', 'the attachment does not decrypt under its key', { cause: error });
  }
  if (plaintext.length !== reference.size)
    throw new MessagingError('ATTACHMENT_INTEGRITY', 'the attachment size does not match its message');
  return plaintext;
}
