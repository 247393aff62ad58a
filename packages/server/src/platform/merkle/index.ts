/**
 * @module platform/merkle
 *
 * RFC 9162 Merkle trees with SHA-256, shared by the two append-only logs (the audit log and the
 * key transparency log): leaf and node hashes, the frontier an appender keeps, the index
 * arithmetic of proofs (which stored subtrees a proof is made of), roots and proofs over leaves
 * in memory, the verification algorithms, and the text form of a frontier in a head row.
 */
export { EMPTY_ROOT, HASH_BYTES, hashChildren, hashLeaf, hashLeafText } from './hash.ts';
export { Frontier, foldRight } from './frontier.ts';
export type { CompletedNode } from './frontier.ts';
export { completeNodeCount, consistencyRanges, frontierKeys, inclusionRanges, perfectSubtrees, splitPoint } from './subtrees.ts';
export type { LeafRange, NodeKey } from './subtrees.ts';
export { consistencyProof, inclusionProof, rangeHash, treeRoot } from './tree.ts';
export { verifyConsistency, verifyInclusion } from './verify.ts';
export { formatFrontier, parseFrontier } from './frontier-text.ts';
export { readStoredNodes, readStoredRangeHashes } from './node-table.ts';
export type { MerkleNodeTable, MissingNode } from './node-table.ts';
