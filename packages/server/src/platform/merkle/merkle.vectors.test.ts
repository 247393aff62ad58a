/**
 * Merkle tree RFC 9162 vectors (transparency-dev/merkle testdata, copied into ./testdata with its
 * licence): every inclusion and consistency case verifies exactly when it should, and the proofs
 * this library builds for the RFC 6962 test leaves are the published happy-path proofs.
 *
 * ASVS 5.0 V16.4.2 (logs cannot be modified unnoticed) rests on these algorithms.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashLeaf } from './hash.ts';
import { consistencyProof, inclusionProof, treeRoot } from './tree.ts';
import { verifyConsistency, verifyInclusion } from './verify.ts';

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

/** Every JSON file under `testdata/<kind>`, as [relative path, parsed case]. */
function cases<T>(kind: 'inclusion' | 'consistency'): [string, T][] {
  const root = path.join(TESTDATA, kind);
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.json'));
  return files.sort().map((file) => [`${kind}/${file}`, JSON.parse(readFileSync(path.join(root, file), 'utf8')) as T]);
}

const b64 = (value: string): Buffer => Buffer.from(value, 'base64');
const proofOf = (proof: readonly string[] | null): Buffer[] => (proof ?? []).map(b64);

/** The RFC 6962 test leaves the vectors were generated from (transparency-dev/merkle, proof/verify_test.go). */
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((hex) =>
  hashLeaf(Buffer.from(hex, 'hex')),
);

/** MTH of the first 1..8 of those leaves. */
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const inclusionCases = cases<InclusionCase>('inclusion');
const consistencyCases = cases<ConsistencyCase>('consistency');

describe('Merkle tree RFC 9162 vectors', () => {
  it('reads every vector file from the local copy', () => {
    expect(inclusionCases.length + consistencyCases.length).toBe(196);
    expect(inclusionCases.filter(([, c]) => !c.wantErr).length).toBeGreaterThan(0);
    expect(consistencyCases.filter(([, c]) => c.wantErr).length).toBeGreaterThan(0);
  });

  describe('inclusion verification (section 2.1.3.2)', () => {
    it.each(inclusionCases)('%s', (_file, c) => {
      const verified = verifyInclusion(c.leafIdx, c.treeSize, b64(c.leafHash), proofOf(c.proof), b64(c.root));
      expect(verified, c.desc).toBe(!c.wantErr);
    });
  });

  describe('consistency verification (section 2.1.4.2)', () => {
    it.each(consistencyCases)('%s', (_file, c) => {
      const verified = verifyConsistency(c.size1, c.size2, b64(c.root1), b64(c.root2), proofOf(c.proof));
      expect(verified, c.desc).toBe(!c.wantErr);
    });
  });

  it('MTH of the RFC 6962 test leaves matches the published roots for sizes 1 to 8 (section 2.1.1)', () => {
    expect(ROOTS.map((_, i) => treeRoot(LEAVES, i + 1).toString('hex'))).toEqual(ROOTS);
  });

  it('builds exactly the published inclusion proofs (section 2.1.3.1)', () => {
    const happy = inclusionCases.filter(([file, c]) => /^inclusion\/\d\/happy-path/.test(file) && !c.wantErr);
    expect(happy.length).toBe(5);
    for (const [file, c] of happy) {
      expect(LEAVES[c.leafIdx]?.toString('base64'), file).toBe(c.leafHash);
      expect(
        inclusionProof(LEAVES, c.leafIdx, c.treeSize).map((h) => h.toString('base64')),
        file,
      ).toEqual(c.proof ?? []);
      expect(treeRoot(LEAVES, c.treeSize).toString('base64'), file).toBe(c.root);
    }
  });

  it('builds exactly the published consistency proofs (section 2.1.4.1)', () => {
    const happy = consistencyCases.filter(([file, c]) => /^consistency\/\d\/happy-path/.test(file) && !c.wantErr);
    expect(happy.length).toBe(5);
    for (const [file, c] of happy) {
      expect(treeRoot(LEAVES, c.size1).toString('base64'), file).toBe(c.root1);
      expect(treeRoot(LEAVES, c.size2).toString('base64'), file).toBe(c.root2);
      expect(
        consistencyProof(LEAVES, c.size1, c.size2).map((h) => h.toString('base64')),
        file,
      ).toEqual(c.proof ?? []);
    }
  });
});
