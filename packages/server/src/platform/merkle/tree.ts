/**
 * @module platform/merkle/tree
 *
 * RFC 9162 tree heads and proofs over leaf hashes held in memory: MTH of the first `size`
 * leaves (section 2.1.1), the inclusion proof PATH(m, D[n]) (section 2.1.3.1) and the
 * consistency proof PROOF(m, D[n]) (section 2.1.4.1). The stored logs (audit log, key
 * transparency log) build the same proofs from their node tables with the same range arithmetic.
 */
import { hashChildren } from './hash.ts';
import { Frontier, foldRight } from './frontier.ts';
import { consistencyRanges, inclusionRanges, perfectSubtrees, type LeafRange, type NodeKey } from './subtrees.ts';

function checkSize(leafHashes: readonly Buffer[], size: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > leafHashes.length) {
    throw new RangeError(`tree size ${size} is outside 0..${leafHashes.length}`);
  }
}

/** MTH(D[0:size]) — the root of the tree of the first `size` leaves. */
export function treeRoot(leafHashes: readonly Buffer[], size = leafHashes.length): Buffer {
  checkSize(leafHashes, size);
  const frontier = new Frontier();
  for (let i = 0; i < size; i += 1) frontier.append(leafHashes[i] as Buffer);
  return frontier.root();
}

/** Hash of the perfect subtree `key`, computed from its leaves. */
function perfectHash(leafHashes: readonly Buffer[], key: NodeKey): Buffer {
  if (key.level === 0) return leafHashes[key.index] as Buffer;
  const below = key.level - 1;
  return hashChildren(
    perfectHash(leafHashes, { level: below, index: 2 * key.index }),
    perfectHash(leafHashes, { level: below, index: 2 * key.index + 1 }),
  );
}

/** MTH(D[start:end]) for a range of an RFC proof, from the perfect subtrees that make it up. */
export function rangeHash(range: LeafRange, perfect: (key: NodeKey) => Buffer): Buffer {
  return foldRight(perfectSubtrees(range).map(perfect));
}

/** PATH(index, D[0:size]): the audit path proving leaf `index` is in the tree of `size` leaves. */
export function inclusionProof(leafHashes: readonly Buffer[], index: number, size = leafHashes.length): Buffer[] {
  checkSize(leafHashes, size);
  return inclusionRanges(index, size).map((range) => rangeHash(range, (key) => perfectHash(leafHashes, key)));
}

/** PROOF(fromSize, D[0:toSize]): proves the tree of `toSize` leaves extends the one of `fromSize`. */
export function consistencyProof(leafHashes: readonly Buffer[], fromSize: number, toSize = leafHashes.length): Buffer[] {
  checkSize(leafHashes, toSize);
  return consistencyRanges(fromSize, toSize).map((range) => rangeHash(range, (key) => perfectHash(leafHashes, key)));
}
