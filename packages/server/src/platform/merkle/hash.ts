/**
 * @module platform/merkle/hash
 *
 * The two hash functions of an RFC 9162 Merkle tree (section 2.1.1) with SHA-256. The one-byte
 * prefixes keep leaves and interior nodes in different domains, so no leaf can be passed off as
 * an interior node (the second-preimage attack on unprefixed Merkle trees).
 */
import { hash } from 'node:crypto';

export const HASH_BYTES = 32;

/** MTH({}) = SHA-256() — the root of the empty tree (RFC 9162 section 2.1.1). */
export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** Scratch space for `hashChildren`: prefix, left, right. Hashing is synchronous, so reuse is safe. */
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeInput[0] = NODE_PREFIX;

/** SHA-256(0x00 ‖ entry). */
export function hashLeaf(entry: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(entry.length + 1);
  input[0] = LEAF_PREFIX;
  input.set(entry, 1);
  return hash('sha256', input, 'buffer');
}

/**
 * SHA-256(0x00 ‖ UTF-8(text)). A U+0000 character encodes as the single byte 0x00, so prefixing
 * the string saves a copy; used on the append and verification paths.
 */
export function hashLeafText(text: string): Buffer {
  return hash('sha256', `\u0000${text}`, 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) {
    // Only reached with foreign input of the wrong size; the scratch buffer fits 32-byte hashes.
    return hash('sha256', Buffer.concat([Buffer.of(NODE_PREFIX), left, right]), 'buffer');
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return hash('sha256', nodeInput, 'buffer');
}
