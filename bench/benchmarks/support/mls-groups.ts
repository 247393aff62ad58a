/**
 * @module bench/benchmarks/support/mls-groups
 *
 * MLS groups of any size for the client-side benchmarks, built with the pinned `ts-mls` and
 * the SDK's own cipher suite 1: one creator adds every other member in one commit, and
 * the second member joins from the Welcome, so a benchmark holds two live states of one group.
 */
import {
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  generateKeyPackage,
  joinGroup,
  type CiphersuiteImpl,
  type ClientState,
  type Proposal,
} from 'ts-mls';
import { createMlsCipherSuite } from '../../../packages/sdk/src/messaging/mls-cipher-suite.js';

export interface TwoMembers {
  readonly impl: CiphersuiteImpl;
  /** The creator's state, after the commit that added everyone. */
  readonly creator: ClientState;
  /** The second member's state, joined from the Welcome. */
  readonly member: ClientState;
}

const member = (impl: CiphersuiteImpl, n: number) =>
  generateKeyPackage(
    { credentialType: 'basic', identity: new TextEncoder().encode(`bench-account:dev_${n}`) },
    defaultCapabilities(),
    defaultLifetime,
    [],
    impl,
  );

/** A group of `size` members (at least 2). */
export async function groupOf(size: number): Promise<TwoMembers> {
  if (!Number.isInteger(size) || size < 2) throw new RangeError('groupOf: size must be an integer ≥ 2');
  const impl = await createMlsCipherSuite();
  const creatorPackage = await member(impl, 0);
  const initial = await createGroup(
    crypto.getRandomValues(new Uint8Array(32)),
    creatorPackage.publicPackage,
    creatorPackage.privatePackage,
    [],
    impl,
  );
  const joiners = await Promise.all(Array.from({ length: size - 1 }, (_, n) => member(impl, n + 1)));
  const adds: Proposal[] = joiners.map((joiner) => ({ proposalType: 'add', add: { keyPackage: joiner.publicPackage } }));
  const commit = await createCommit({ state: initial, cipherSuite: impl }, { extraProposals: adds, ratchetTreeExtension: true });
  const [second] = joiners;
  if (!commit.welcome || !second) throw new Error('groupOf: the commit made no Welcome');
  const joined = await joinGroup(commit.welcome, second.publicPackage, second.privatePackage, emptyPskIndex, impl);
  return { impl, creator: commit.newState, member: joined };
}
