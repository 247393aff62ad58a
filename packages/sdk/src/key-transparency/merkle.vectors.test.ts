/**
 * The client's RFC 9162 verifiers against the published vectors (transparency-dev/merkle
 * testdata, a selection copied into ./testdata with its licence): every inclusion and
 * consistency case verifies exactly when it should, and the leaf and node hashes give the
 * published roots of the RFC 6962 test leaves.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './bytes.ts';
import { EMPTY_ROOT, hashChildren, hashLeaf, verifyConsistency, verifyInclusion } from './merkle.ts';

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));

interface InclusionCase {
  readonly leafIdx: number;
  readonly treeSize: number;
  readonly root: string;
  readonly leafHash: string;
  readonly proof: readonly string[] | null;
  readonly desc: string;
  readonly wantErr: boolean;
}

interface ConsistencyCase {
  readonly size1: number;
  readonly size2: number;
  readonly root1: string;
  readonly root2: string;
  readonly proof: readonly string[] | null;
  readonly desc: string;
  readonly wantErr: boolean;
}

function cases<T>(kind: 'inclusion' | 'consistency'): [string, T][] {
  const root = path.join(TESTDATA, kind);
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.json'));
  return files.sort().map((file) => [`${kind}/${file}`, JSON.parse(readFileSync(path.join(root, file), 'utf8')) as T]);
}

/** Vectors hold some deliberately malformed base64 (empty, odd lengths): decode leniently, as their generator did. */
const b64 = (value: string): Uint8Array => decodeBase64(value) ?? Uint8Array.from(Buffer.from(value, 'base64'));
const proofOf = (proof: readonly string[] | null): Uint8Array[] => (proof ?? []).map(b64);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const inclusionCases = cases<InclusionCase>('inclusion');
const consistencyCases = cases<ConsistencyCase>('consistency');

describe('client Merkle verifiers against the RFC 9162 vectors', () => {
  it('reads the copied vectors: happy paths and failures of both kinds', () => {
    expect(inclusionCases.length).toBeGreaterThan(40);
    expect(consistencyCases.length).toBeGreaterThan(40);
    expect(inclusionCases.filter(([, c]) => !c.wantErr).length).toBeGreaterThanOrEqual(5);
    expect(consistencyCases.filter(([, c]) => !c.wantErr).length).toBeGreaterThanOrEqual(5);
  });

  describe('inclusion (section 2.1.3.2)', () => {
    it.each(inclusionCases)('%s', (_file, c) => {
      expect(verifyInclusion(c.leafIdx, c.treeSize, b64(c.leafHash), proofOf(c.proof), b64(c.root)), c.desc).toBe(!c.wantErr);
    });
  });

  describe('consistency (section 2.1.4.2)', () => {
    it.each(consistencyCases)('%s', (_file, c) => {
      expect(verifyConsistency(c.size1, c.size2, b64(c.root1), b64(c.root2), proofOf(c.proof)), c.desc).toBe(!c.wantErr);
    });
  });

  it('hashes the RFC 6962 test leaves to the published roots (section 2.1.1)', () => {
    const leaves = ['', '00', '10', '2021'].map((value) => hashLeaf(Uint8Array.from(Buffer.from(value, 'hex'))));
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(leaves[0]!)).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(hex(hashChildren(leaves[0]!, leaves[1]!))).toBe('fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125');
    const four = hashChildren(hashChildren(leaves[0]!, leaves[1]!), hashChildren(leaves[2]!, leaves[3]!));
    expect(hex(four)).toBe('d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7');
  });

  it('answers false, never throws, for malformed input', () => {
    const leaf = hashLeaf(new Uint8Array(0));
    expect(verifyInclusion(Number.NaN, 1, leaf, [], leaf)).toBe(false);
    expect(verifyInclusion(0, 1, leaf, 'x' as never, leaf)).toBe(false);
    expect(verifyConsistency(1, 2, leaf, leaf, [new Uint8Array(3)])).toBe(false);
    expect(verifyConsistency(0, 0, new Uint8Array(0), new Uint8Array(0), [])).toBe(false);
  });
});
