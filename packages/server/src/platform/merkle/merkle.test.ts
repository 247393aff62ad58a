/**
 * The Merkle library against itself over every small tree shape: each proof this library
 * builds verifies, a proof for another index, size or root does not, the frontier yields every
 * perfect subtree exactly once, and proofs stay logarithmic in the tree size.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, hashChildren, hashLeaf, hashLeafText } from './hash.ts';
import { Frontier, foldRight } from './frontier.ts';
import { completeNodeCount, consistencyRanges, frontierKeys, inclusionRanges, perfectSubtrees } from './subtrees.ts';
import { consistencyProof, inclusionProof, treeRoot } from './tree.ts';
import { verifyConsistency, verifyInclusion } from './verify.ts';

const MAX_SIZE = 40;
const leaves = Array.from({ length: MAX_SIZE }, (_, i) => hashLeaf(Buffer.from(`entry ${i}`)));

/** MTH exactly as RFC 9162 section 2.1.1 defines it, recursively: the reference the fast paths must match. */
function referenceRoot(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0]!;
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return hashChildren(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

describe('Merkle tree RFC 9162 library', () => {
  it('hashes leaves as SHA-256(0x00 ‖ entry) and the empty tree as SHA-256() (section 2.1.1)', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // SHA-256 of the single byte 0x00: the leaf hash of the empty entry.
    expect(hashLeaf(Buffer.alloc(0)).toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(hashLeafText('{"a":"é"}').equals(hashLeaf(Buffer.from('{"a":"é"}', 'utf8')))).toBe(true);
  });

  it('computes the same root as the recursive definition for every size up to 40', () => {
    for (let size = 0; size <= MAX_SIZE; size += 1) {
      expect(treeRoot(leaves, size).equals(referenceRoot(leaves.slice(0, size))), `size ${size}`).toBe(true);
    }
  });

  it('builds inclusion proofs that verify, and only for their own index, size and root', () => {
    for (let size = 1; size <= MAX_SIZE; size += 1) {
      const root = treeRoot(leaves, size);
      for (let index = 0; index < size; index += 1) {
        const proof = inclusionProof(leaves, index, size);
        expect(verifyInclusion(index, size, leaves[index]!, proof, root), `${index} of ${size}`).toBe(true);
        expect(verifyInclusion(index, size, leaves[(index + 1) % MAX_SIZE]!, proof, root)).toBe(false);
        if (size < MAX_SIZE) expect(verifyInclusion(index, size + 1, leaves[index]!, proof, treeRoot(leaves, size + 1))).toBe(false);
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, leaves[index]!, proof, root)).toBe(false);
      }
    }
  });

  it('builds consistency proofs that verify for every pair of sizes, and not against another root', () => {
    for (let to = 1; to <= MAX_SIZE; to += 1) {
      const toRoot = treeRoot(leaves, to);
      for (let from = 1; from <= to; from += 1) {
        const proof = consistencyProof(leaves, from, to);
        const fromRoot = treeRoot(leaves, from);
        expect(verifyConsistency(from, to, fromRoot, toRoot, proof), `${from} → ${to}`).toBe(true);
        if (from < to) {
          expect(verifyConsistency(from, to, toRoot, toRoot, proof)).toBe(false);
          expect(verifyConsistency(from, to, fromRoot, treeRoot(leaves, to - 1), proof)).toBe(false);
        }
      }
    }
  });

  it('refuses to build proofs outside the tree', () => {
    expect(() => inclusionRanges(3, 3)).toThrow(RangeError);
    expect(() => inclusionRanges(-1, 3)).toThrow(RangeError);
    expect(() => consistencyRanges(0, 3)).toThrow(RangeError);
    expect(() => consistencyRanges(4, 3)).toThrow(RangeError);
    expect(() => treeRoot(leaves, MAX_SIZE + 1)).toThrow(RangeError);
    expect(() => perfectSubtrees({ start: 1, end: 3 })).toThrow(TypeError);
  });

  it('yields each perfect subtree exactly once, when it is completed, with the hash of its leaves', () => {
    const frontier = new Frontier();
    const seen = new Map<string, Buffer>();
    for (let size = 1; size <= MAX_SIZE; size += 1) {
      for (const node of frontier.append(leaves[size - 1]!)) {
        const key = `${node.level}/${node.index}`;
        expect(seen.has(key)).toBe(false);
        const width = 2 ** node.level;
        expect(node.hash.equals(referenceRoot(leaves.slice(node.index * width, (node.index + 1) * width)))).toBe(true);
        seen.set(key, node.hash);
      }
      expect(seen.size).toBe(completeNodeCount(size));
      expect(frontier.root().equals(treeRoot(leaves, size))).toBe(true);
      const fromKeys = foldRight(frontierKeys(size).map((key) => seen.get(`${key.level}/${key.index}`)!));
      expect(fromKeys.equals(frontier.root()), `frontier keys of ${size}`).toBe(true);
    }
    expect(() => new Frontier(3, [leaves[0]!])).toThrow(TypeError);
  });

  it('continues a tree with whole perfect subtrees hashed elsewhere, exactly as leaf by leaf', () => {
    const byLeaf = new Frontier();
    for (const leaf of leaves.slice(0, 36)) byLeaf.append(leaf);
    const byBlock = new Frontier();
    const seen: string[] = [];
    for (let block = 0; block < 4; block += 1) {
      byBlock.pushSubtree(3, treeRoot(leaves.slice(block * 8, block * 8 + 8)), (level, index) => seen.push(`${level}/${index}`));
    }
    for (const leaf of leaves.slice(32, 36)) byBlock.append(leaf);
    expect(byBlock.size).toBe(36);
    expect(byBlock.root().equals(byLeaf.root())).toBe(true);
    expect(seen).toEqual(['3/0', '3/1', '4/0', '3/2', '3/3', '4/1', '5/0']);
    expect(() => byBlock.pushSubtree(3, leaves[0]!, () => undefined)).toThrow(TypeError);
  });

  it('keeps proofs logarithmic: a proof for any entry of a 1,000,000-entry tree reads at most 2·log2(n) stored nodes', () => {
    const size = 1_000_000;
    const bound = 2 * Math.ceil(Math.log2(size));
    for (const index of [0, 1, 4_097, 524_287, 524_288, 999_998, size - 1]) {
      const keys = inclusionRanges(index, size).flatMap(perfectSubtrees);
      expect(keys.length, `entry ${index}`).toBeLessThanOrEqual(bound);
    }
    for (const from of [1, 3, 524_288, 999_999]) {
      expect(consistencyRanges(from, size).flatMap(perfectSubtrees).length, `from ${from}`).toBeLessThanOrEqual(bound);
    }
  });
});
