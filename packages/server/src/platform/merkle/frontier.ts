/**
 * @module platform/merkle/frontier
 *
 * The frontier of an append-only Merkle tree: the roots of its perfect subtrees, left to right,
 * one per set bit of the size (a "compact range" [0, size)). It is all an appender needs to
 * add a leaf, it yields every perfect subtree at the moment it is completed (the nodes the log
 * stores for cheap proofs), and its right fold is the tree root. O(log n) memory.
 */
import { EMPTY_ROOT, hashChildren } from './hash.ts';
import type { NodeKey } from './subtrees.ts';

/** A perfect subtree completed by an append, with its hash. */
export interface CompletedNode extends NodeKey {
  readonly hash: Buffer;
}

export class Frontier {
  #size: number;
  readonly #hashes: Buffer[];

  /** `hashes` are the perfect-subtree roots of a tree of `size` leaves, largest (leftmost) first. */
  constructor(size = 0, hashes: readonly Buffer[] = []) {
    if (!Number.isSafeInteger(size) || size < 0 || popCount(size) !== hashes.length) {
      throw new TypeError(`a frontier of size ${size} has ${popCount(size)} hashes, not ${hashes.length}`);
    }
    this.#size = size;
    this.#hashes = [...hashes];
  }

  get size(): number {
    return this.#size;
  }

  get hashes(): readonly Buffer[] {
    return this.#hashes;
  }

  /**
   * Appends one leaf hash and returns the perfect subtrees this completes, bottom-up: the leaf
   * itself, then one more for every trailing 1 bit of the old size (each merge of two equal
   * subtrees). Returns a fresh array; the frontier keeps only the merged root.
   */
  append(leafHash: Buffer): CompletedNode[] {
    const completed: CompletedNode[] = [];
    this.push(leafHash, (level, index, hash) => completed.push({ level, index, hash }));
    return completed;
  }

  /** `append` without the array: `visit` sees each completed subtree, bottom-up (for full-log scans). */
  push(leafHash: Buffer, visit: (level: number, index: number, hash: Buffer) => void): void {
    this.pushSubtree(0, leafHash, visit);
  }

  /**
   * Appends a whole perfect subtree of 2^level leaves (its root hash), which must start where the
   * tree ends: the size must be a multiple of 2^level. `visit` sees it and every subtree it
   * completes, bottom-up. Lets a scan that hashed a block of leaves elsewhere continue the tree.
   */
  pushSubtree(level: number, subtreeHash: Buffer, visit: (level: number, index: number, hash: Buffer) => void): void {
    const width = 2 ** level;
    if (this.#size % width !== 0) throw new TypeError(`a subtree of ${width} leaves cannot start at ${this.#size}`);
    let position = this.#size / width;
    let hash = subtreeHash;
    let current = level;
    visit(current, position, hash);
    while (position % 2 === 1) {
      const left = this.#hashes.pop();
      if (!left) throw new TypeError('frontier is inconsistent with its size');
      hash = hashChildren(left, hash);
      current += 1;
      position = (position - 1) / 2;
      visit(current, position, hash);
    }
    this.#hashes.push(hash);
    this.#size += width;
  }

  /** MTH of the whole tree: the right fold of the frontier (EMPTY_ROOT for size 0). */
  root(): Buffer {
    return foldRight(this.#hashes);
  }

  clone(): Frontier {
    return new Frontier(this.#size, this.#hashes);
  }
}

/** MTH of a row of perfect subtrees, given left to right: H(a, H(b, H(c, …))). */
export function foldRight(hashes: readonly Buffer[]): Buffer {
  let root = hashes.at(-1);
  if (!root) return EMPTY_ROOT;
  for (let i = hashes.length - 2; i >= 0; i -= 1) root = hashChildren(hashes[i] as Buffer, root);
  return root;
}

function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
