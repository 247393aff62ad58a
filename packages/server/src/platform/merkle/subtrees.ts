/**
 * @module platform/merkle/subtrees
 *
 * Which subtrees an RFC 9162 proof is made of, as index arithmetic only (no hashing, no
 * storage). A proof element is the hash of a leaf range `[start, end)`; every such range is a
 * row of perfect subtrees, each one a stored node `(level, index)` covering leaves
 * `[index·2^level, (index+1)·2^level)`. Working out the keys first lets a store fetch all of
 * them in one query, so a proof costs O(log n) lookups however large the log is.
 */

/** A perfect subtree: leaves `[index * 2^level, (index + 1) * 2^level)`. Level 0 is a leaf. */
export interface NodeKey {
  readonly level: number;
  readonly index: number;
}

/** Leaves `[start, end)` of the tree, as hashed by MTH (RFC 9162 section 2.1.1). */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** Largest power of two strictly less than `n` (the `k` of RFC 9162 section 2.1.1), for n > 1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Level of the highest set bit, floor(log2(n)) for n ≥ 1; exact where Math.log2 rounds near 2^53. */
function highestLevel(n: number): number {
  let level = 0;
  for (let width = 2; width <= n; width *= 2) level += 1;
  return level;
}

/**
 * The perfect subtrees whose right fold is MTH(D[start:end]), left to right. Greedy binary
 * decomposition works because every range the RFC recursion produces starts at a multiple of
 * the power of two that bounds its size; a range that does not is misuse.
 */
export function perfectSubtrees(range: LeafRange): NodeKey[] {
  const keys: NodeKey[] = [];
  let position = range.start;
  while (position < range.end) {
    const level = highestLevel(range.end - position);
    const width = 2 ** level;
    if (position % width !== 0) throw new TypeError(`leaf range [${range.start}, ${range.end}) is not aligned to its subtrees`);
    keys.push({ level, index: position / width });
    position += width;
  }
  return keys;
}

/**
 * The ranges whose hashes form the inclusion proof PATH(m, D[n]) of RFC 9162 section 2.1.3.1,
 * in proof order (bottom-up). Requires 0 ≤ index < size.
 */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`no inclusion proof for entry ${index} in a tree of size ${size}`);
  }
  const ranges: LeafRange[] = [];
  const path = (start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (index < start + k) {
      path(start, start + k);
      ranges.push({ start: start + k, end });
    } else {
      path(start + k, end);
      ranges.push({ start, end: start + k });
    }
  };
  path(0, size);
  return ranges;
}

/**
 * The ranges whose hashes form the consistency proof PROOF(m, D[n]) of RFC 9162 section
 * 2.1.4.1, in proof order. Requires 0 < fromSize ≤ toSize; equal sizes give the empty proof.
 */
export function consistencyRanges(fromSize: number, toSize: number): LeafRange[] {
  if (!Number.isSafeInteger(fromSize) || !Number.isSafeInteger(toSize) || fromSize < 1 || fromSize > toSize) {
    throw new RangeError(`no consistency proof from size ${fromSize} to size ${toSize}`);
  }
  const ranges: LeafRange[] = [];
  // SUBPROOF(m, D[start:end], b): m counts leaves from `start`; b is true while the subtree is
  // also a complete subtree of the old tree whose root the verifier already has.
  const subproof = (m: number, start: number, end: number, known: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!known) ranges.push({ start, end });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, start + k, known);
      ranges.push({ start: start + k, end });
    } else {
      subproof(m - k, start + k, end, false);
      ranges.push({ start, end: start + k });
    }
  };
  if (fromSize < toSize) subproof(fromSize, 0, toSize, true);
  return ranges;
}

/** Stored nodes a tree of `size` leaves has: every complete perfect subtree, leaves included. */
export function completeNodeCount(size: number): number {
  let count = 0;
  for (let width = 1; width <= size; width *= 2) count += Math.floor(size / width);
  return count;
}

/** The perfect subtrees of the whole tree (its "frontier"), left to right: one per set bit of `size`. */
export function frontierKeys(size: number): NodeKey[] {
  return size === 0 ? [] : perfectSubtrees({ start: 0, end: size });
}
