/**
 * @module bench/benchmarks/mls-client
 *
 * What end-to-end encryption costs a phone, measured with the pinned `ts-mls` and cipher suite 1,
 * one call at a time (one core):
 *
 * - `mls-seal-open`: one 1 KB message sealed as an MLS PrivateMessage by one device and opened by
 *   another (the sender's and the receiver's secret trees ratchet forward on every message, as in
 *   a conversation), against its cryptographic floor: one Ed25519 signature and verification and
 *   AES-128-GCM both ways over the same 1 KB, with the same primitives (the SDK's suite). The target the issue sets is absolute (≥ 5,000 seal+open per second per
 *   core); each sample's note says whether it was met.
 * - `mls-commit`: one commit with a fresh update path in a 50-device group, created by one member
 *   and processed by another, against the same in a 2-device group. The 50-device group was built
 *   by one commit adding everyone, so its tree has blank parents and the path is encrypted to each
 *   sibling subtree's leaves: the costly shape a group has before its members update.
 */
import {
  createApplicationMessage,
  createCommit,
  emptyPskIndex,
  processMessage,
  processPrivateMessage,
  acceptAll,
  type ClientState,
} from 'ts-mls';
import type { Benchmark, FunctionTarget } from '../lib/types.ts';
import { createMlsCipherSuite } from '../../packages/sdk/src/messaging/mls-cipher-suite.js';
import { groupOf } from './support/mls-groups.ts';

const MESSAGE_BYTES = 1024;
const SEAL_OPEN_TARGET_PER_SECOND = 5000;
const LARGE_GROUP = 50;

/** Counts calls between notes, to turn them into a rate for the absolute target. */
function rateNote(target: number): { count: () => void; note: () => string } {
  let calls = 0;
  let since = performance.now();
  return {
    count: () => void (calls += 1),
    note: () => {
      const now = performance.now();
      const perSecond = (calls * 1000) / (now - since);
      [calls, since] = [0, now];
      return `${Math.round(perSecond).toLocaleString('en-US')} seal+open/s on one core (target ≥ ${target.toLocaleString('en-US')}: ${perSecond >= target ? 'met' : 'NOT met'})`;
    },
  };
}

async function mlsSealOpen(): Promise<FunctionTarget> {
  const group = await groupOf(2);
  let [sender, receiver]: [ClientState, ClientState] = [group.creator, group.member];
  const message = crypto.getRandomValues(new Uint8Array(MESSAGE_BYTES));
  const rate = rateNote(SEAL_OPEN_TARGET_PER_SECOND);
  return {
    concurrency: 1,
    async call() {
      const sealed = await createApplicationMessage(sender, message, group.impl);
      const opened = await processPrivateMessage(receiver, sealed.privateMessage, emptyPskIndex, group.impl);
      if (opened.kind !== 'applicationMessage' || opened.message.length !== MESSAGE_BYTES) throw new Error('the message did not open');
      [sender, receiver] = [sealed.newState, opened.newState];
      rate.count();
    },
    note: rate.note,
    close: () => Promise.resolve(),
  };
}

/** What every MLS message costs at least: its signature, its verification, and AEAD both ways. */
async function cryptographicFloor(): Promise<FunctionTarget> {
  const suite = await createMlsCipherSuite();
  const keys = await suite.signature.keygen();
  const key = crypto.getRandomValues(new Uint8Array(16));
  const message = crypto.getRandomValues(new Uint8Array(MESSAGE_BYTES));
  const rate = rateNote(SEAL_OPEN_TARGET_PER_SECOND);
  return {
    concurrency: 1,
    async call() {
      const nonce = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await suite.hpke.encryptAead(key, nonce, undefined, message);
      const signature = await suite.signature.sign(keys.signKey, sealed);
      if (!(await suite.signature.verify(keys.publicKey, sealed, signature))) throw new Error('the signature did not verify');
      const opened = await suite.hpke.decryptAead(key, nonce, undefined, sealed);
      if (opened.length !== MESSAGE_BYTES) throw new Error('the message did not open');
      rate.count();
    },
    note: rate.note,
    close: () => Promise.resolve(),
  };
}

function commitIn(size: number): () => Promise<FunctionTarget> {
  return async () => {
    const group = await groupOf(size);
    return {
      concurrency: 1,
      // Every commit starts from the same epoch and is thrown away: the group keeps its shape.
      async call() {
        const commit = await createCommit({ state: group.creator, cipherSuite: group.impl });
        if (commit.commit.wireformat !== 'mls_private_message') throw new Error('expected an encrypted commit');
        const processed = await processMessage(commit.commit, group.member, emptyPskIndex, acceptAll, group.impl);
        if (processed.kind !== 'newState') throw new Error('the commit was not processed');
      },
      close: () => Promise.resolve(),
    };
  };
}

export const mlsSealOpenBenchmark: Benchmark = {
  name: 'mls-seal-open',
  description: `A ${MESSAGE_BYTES}-byte message sealed as an MLS PrivateMessage and opened by the other device (ts-mls, suite 1, one core) vs its cryptographic floor: one Ed25519 signature and verification and AES-128-GCM both ways with the same primitives.`,
  target: 0.5,
  sides: {
    candidate: { kind: 'function', label: `MLS seal+open, ${MESSAGE_BYTES} B`, setup: mlsSealOpen },
    baseline: { kind: 'function', label: `Ed25519 sign+verify, AES-128-GCM seal+open, ${MESSAGE_BYTES} B`, setup: cryptographicFloor },
  },
};

export const mlsCommitBenchmark: Benchmark = {
  name: 'mls-commit',
  description: `A commit with an update path created by one member and processed by another, in a ${LARGE_GROUP}-device group vs a 2-device group (ts-mls, suite 1, one core).`,
  target: 0.02,
  sides: {
    candidate: { kind: 'function', label: `commit + process, ${LARGE_GROUP} devices`, setup: commitIn(LARGE_GROUP) },
    baseline: { kind: 'function', label: 'commit + process, 2 devices', setup: commitIn(2) },
  },
};
