/**
 * @module platform/merkle/frontier-text
 *
 * How the head row stores the frontier: the perfect-subtree roots, largest first, as one string
 * of concatenated lower-case hex (64 characters each). At most 53 hashes for any safe size.
 */
import { HASH_BYTES } from './hash.ts';
import { Frontier } from './frontier.ts';

const HEX_CHARS = 2 * HASH_BYTES;

export function formatFrontier(frontier: Frontier): string {
  return frontier.hashes.map((hash) => hash.toString('hex')).join('');
}

/** The frontier of a tree of `size` leaves; throws `TypeError` when the text does not fit the size. */
export function parseFrontier(size: number, text: string): Frontier {
  if (text.length % HEX_CHARS !== 0 || !/^[0-9a-f]*$/.test(text)) throw new TypeError('a stored Merkle tree frontier is malformed');
  const hashes: Buffer[] = [];
  for (let offset = 0; offset < text.length; offset += HEX_CHARS) hashes.push(Buffer.from(text.slice(offset, offset + HEX_CHARS), 'hex'));
  return new Frontier(size, hashes);
}
