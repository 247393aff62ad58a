/**
 * @module platform/merkle/verify
 *
 * The verification algorithms of RFC 9162, step by step: inclusion (section 2.1.3.2) and
 * consistency (section 2.1.4.2). They take untrusted input (a client's or witness's proof) and
 * answer true only when every step holds; any malformed value is a plain `false`, never a throw.
 */
import { timingSafeEqual } from 'node:crypto';
import { EMPTY_ROOT, HASH_BYTES, hashChildren } from './hash.ts';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function isHash(value: Uint8Array): boolean {
  return value.length === HASH_BYTES;
}

function isSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isOdd(value: number): boolean {
  return value % 2 === 1;
}

function half(value: number): number {
  return Math.floor(value / 2);
}

/** Does `proof` show that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`? */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(size)) return false;
  // Hashes of any other length cannot come from this tree; without the check an empty leaf and
  // an empty root would "match" for a one-leaf tree.
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  // Step 1: leaf_index must be below tree_size.
  if (index >= size) return false;
  // Step 2.
  let fn = index;
  let sn = size - 1;
  // Step 3.
  let r: Uint8Array = leafHash;
  // Step 4.
  for (const p of proof) {
    // 4a: more proof than tree.
    if (sn === 0) return false;
    // 4b.
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    // 4c.
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  return sn === 0 && sameBytes(r, root);
}

/**
 * Does `proof` show that the tree of `toSize` leaves with root `toRoot` extends the tree of
 * `fromSize` leaves with root `fromRoot`?
 */
export function verifyConsistency(
  fromSize: number,
  toSize: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSize(fromSize) || !isSize(toSize) || fromSize > toSize) return false;
  if (fromSize === toSize) {
    // Equal sizes: the proof is empty and the roots are the same tree head. The empty tree has
    // exactly one root, MTH({}) = SHA-256(), so any other "root" for size 0 is refused.
    if (proof.length > 0 || !sameBytes(fromRoot, toRoot)) return false;
    return fromSize > 0 || sameBytes(fromRoot, EMPTY_ROOT);
  }
  // Every tree extends the empty tree, so a proof from size 0 proves nothing; RFC 9162 defines
  // consistency proofs for 0 < m < n only, and a caller asking for one has made a mistake.
  if (fromSize === 0) return false;
  if (!isHash(fromRoot) || !isHash(toRoot) || !proof.every(isHash)) return false;
  // Step 1: an empty path cannot link two different sizes.
  if (proof.length === 0) return false;
  // Step 2: when the old tree is a perfect subtree of the new one, its root starts the path.
  const path = isPowerOfTwo(fromSize) ? [fromRoot, ...proof] : [...proof];
  // Step 3.
  let fn = fromSize - 1;
  let sn = toSize - 1;
  // Step 4.
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  const [first, ...rest] = path as [Uint8Array, ...Uint8Array[]];
  let fr: Uint8Array = first;
  let sr: Uint8Array = first;
  // Step 6.
  for (const c of rest) {
    // 6a.
    if (sn === 0) return false;
    // 6b.
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    // 6c.
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7.
  return sameBytes(fr, fromRoot) && sameBytes(sr, toRoot) && sn === 0;
}

function isPowerOfTwo(n: number): boolean {
  let width = 1;
  while (width < n) width *= 2;
  return width === n;
}
