/**
 * @module key-transparency/merkle
 *
 * The verification side of RFC 9162 Merkle trees with SHA-256: leaf and node hashes (section
 * 2.1.1) and the inclusion (section 2.1.3.2) and consistency (section 2.1.4.2) proof checks,
 * step by step. Pure functions over untrusted input: any malformed value is a plain `false`,
 * never a throw.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes } from './bytes.ts';

export const HASH_BYTES = 32;

/** MTH({}) = SHA-256(): the root of the empty tree. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** SHA-256(0x00 ‖ entry). */
export function hashLeaf(entry: Uint8Array): Uint8Array {
  return sha256(concatBytes(Uint8Array.of(0x00), entry));
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(Uint8Array.of(0x01), left, right));
}

/** Without narrowing: `Array.isArray` would turn a readonly array into `any[]`. */
const isList = (value: unknown): boolean => Array.isArray(value);
const isHash = (value: Uint8Array): boolean => value instanceof Uint8Array && value.length === HASH_BYTES;
const isSize = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;
const isOdd = (value: number): boolean => value % 2 === 1;
const half = (value: number): number => Math.floor(value / 2);

function isPowerOfTwo(n: number): boolean {
  let width = 1;
  while (width < n) width *= 2;
  return width === n;
}

/** Does `proof` show that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`? */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(size) || !isList(proof)) return false;
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, root);
}

/**
 * Does `proof` show that the tree of `toSize` leaves with root `toRoot` extends the tree of
 * `fromSize` leaves with root `fromRoot`? Equal sizes need equal roots and an empty proof; a
 * proof from size 0 proves nothing and is refused (every tree extends the empty tree).
 */
export function verifyConsistency(
  fromSize: number,
  toSize: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSize(fromSize) || !isSize(toSize) || fromSize > toSize || !isList(proof)) return false;
  if (fromSize === toSize) {
    if (proof.length > 0 || !equalBytes(fromRoot, toRoot)) return false;
    return fromSize > 0 || equalBytes(fromRoot, EMPTY_ROOT);
  }
  if (fromSize === 0) return false;
  if (!isHash(fromRoot) || !isHash(toRoot) || !proof.every(isHash)) return false;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(fromSize) ? [fromRoot, ...proof] : [...proof];
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const [first, ...rest] = path as [Uint8Array, ...Uint8Array[]];
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) return false;
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
    fn = half(fn);
    sn = half(sn);
  }
  return equalBytes(fr, fromRoot) && equalBytes(sr, toRoot) && sn === 0;
}
