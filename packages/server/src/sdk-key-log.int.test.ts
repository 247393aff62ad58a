/**
 * The SDK's key-transparency checks against the real server over HTTP (ASVS 5.0 V16.4.2,
 * V9.1.1, V9.1.3): the server appends device keys to its key log, a signed-in patient's
 * KeyLogMonitor fetches the checkpoint with the pinned log key, and proves entries and
 * consistency with what the server serves. An entry, proof or checkpoint altered on the way is
 * refused, and so is a server whose database was rewritten and re-signed behind the client's back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore, PortcullisClient } from '@portcullis/sdk';
import {
  KeyLogMonitor,
  MemoryKeyLogCheckpointStore,
  getKeyLogEntry,
  isKeyTransparencyError,
  keyLogSource,
  verifyCheckpoint,
  verifyKeyLogEntry,
  type KeyLogSource,
  type KeyTransparencyErrorCode,
} from '@portcullis/sdk/key-transparency';
import { appendKeyLogEntry, keyLogKey } from './modules/key-log/index.ts';
import { rewriteEntryConsistently } from './modules/key-log/test-support/tamper.ts';
import { withTransaction } from './platform/db/index.ts';
import type { RunningServer } from './server.ts';
import { codeIn, waitForMail } from './test-support/dpop-client.ts';
import { startRealTestServer } from './test-support/real-server.ts';

async function refusal(work: () => Promise<unknown>): Promise<KeyTransparencyErrorCode | 'none'> {
  try {
    await work();
    return 'none';
  } catch (error) {
    if (isKeyTransparencyError(error)) return error.code;
    throw error;
  }
}

describe('SDK key transparency ↔ server', () => {
  let server: RunningServer;
  let baseUrl: string;
  let sdk: PortcullisClient;
  let pinned: string;
  /** The patient's own account: entries of accounts the messaging policy keeps them from are hidden. */
  let accountId: string;

  async function append(count: number): Promise<number[]> {
    const indexes: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const n = indexes.length + i;
      const signatureKey = Uint8Array.from({ length: 32 }, (_, j) => (j * 17 + n + Date.now()) % 256);
      const { index } = await withTransaction(server.app.portcullis.database.db, (tx) =>
        appendKeyLogEntry(tx, { op: 'add', accountId, deviceId: `dev_int_${Date.now()}_${i}`, signatureKey }),
      );
      indexes.push(index);
    }
    return indexes;
  }

  beforeAll(async () => {
    ({ server, baseUrl } = await startRealTestServer());
    pinned = keyLogKey(server.app.portcullis.keyRing, { publicUrl: baseUrl }).verifier.text;
    sdk = new PortcullisClient({ baseUrl, tokenStore: new MemoryTokenStore() });
    const email = 'key-log-patient@clinic.test';
    const password = 'correct horse battery staple';
    const device = { label: 'SDK key log test', platform: 'web' as const };
    await sdk.signUp({ email, password });
    const code = codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);
    ({ id: accountId } = await sdk.verifyEmail({ email, code, device }));
    await sdk.signIn({ email, password, device });
  });
  afterAll(() => server.close());

  it('proves the server’s entries and every new checkpoint, and keeps the latest', async () => {
    const first = await append(5);
    const store = new MemoryKeyLogCheckpointStore();
    const monitor = new KeyLogMonitor({ verifierKey: pinned, source: keyLogSource(sdk), store });
    const checkpoint = await monitor.refresh();
    expect(checkpoint.size).toBeGreaterThanOrEqual(5);
    expect(checkpoint.origin).toBe(`${new URL(baseUrl).host}/portcullis/key-log`);
    for (const index of first) {
      const entry = await monitor.verifyEntry(index);
      await expect(monitor.verifyCredential(entry)).resolves.toMatchObject({ index, accountId, op: 'add' });
    }
    const later = await append(3);
    // The entry is beyond the kept checkpoint: the monitor fetches and proves a newer one first.
    await expect(monitor.verifyEntry(later.at(-1)!)).resolves.toMatchObject({ index: later.at(-1) });
    expect((await monitor.latest())?.size).toBe(checkpoint.size + 3);
    expect((await verifyCheckpoint((await store.load())!, pinned)).size).toBe(checkpoint.size + 3);
    // The pure verifier on a raw answer.
    const answer = await getKeyLogEntry(sdk, { index: first[0]!, treeSize: checkpoint.size });
    expect(verifyKeyLogEntry(answer, checkpoint).index).toBe(first[0]);
  });

  it('refuses an entry, a proof or a checkpoint altered on the way', async () => {
    await append(4);
    const honest = keyLogSource(sdk);
    const bent = (changes: Partial<KeyLogSource>): KeyLogSource => ({ ...honest, ...changes });
    const monitor = (source: KeyLogSource) => new KeyLogMonitor({ verifierKey: pinned, source });

    const kept = await monitor(honest).refresh();
    const index = kept.size - 2;
    const otherKey = 'q'.repeat(42) + 'g';
    const entryBent = bent({
      entry: async (i, size) => {
        const answer = await honest.entry(i, size);
        return { ...answer, entry: { ...answer.entry, signatureKey: otherKey } };
      },
    });
    expect(await refusal(() => monitor(entryBent).verifyEntry(index))).toBe('INCLUSION_PROOF_INVALID');
    const proofBent = bent({
      entry: async (i, size) => {
        const answer = await honest.entry(i, size);
        const proof = answer.inclusionProof.proof.map((hash, n) => (n === 0 ? `${hash[0] === 'A' ? 'B' : 'A'}${hash.slice(1)}` : hash));
        return { ...answer, inclusionProof: { ...answer.inclusionProof, proof } };
      },
    });
    expect(await refusal(() => monitor(proofBent).verifyEntry(index))).toBe('INCLUSION_PROOF_INVALID');
    const checkpointBent = bent({
      checkpoint: async () => {
        const { note } = await honest.checkpoint();
        return { note: note.replace(`\n${kept.size}\n`, `\n${kept.size + 1}\n`) };
      },
    });
    expect(await refusal(() => monitor(checkpointBent).refresh())).toBe('CHECKPOINT_SIGNATURE_INVALID');

    const watching = monitor(
      bent({
        consistency: async (from, to) => {
          const { proof } = await honest.consistency(from, to);
          return { proof: proof.map((hash) => `${hash[0] === 'A' ? 'B' : 'A'}${hash.slice(1)}`) };
        },
      }),
    );
    await watching.observe(kept.note);
    await append(2);
    expect(await refusal(() => watching.refresh())).toBe('CONSISTENCY_PROOF_INVALID');
  });

  it('refuses a server whose key log was rewritten and re-signed behind the client’s back', async () => {
    await append(3);
    const monitor = new KeyLogMonitor({ verifierKey: pinned, source: keyLogSource(sdk) });
    const kept = await monitor.refresh();
    const db = server.app.portcullis.database.db;
    // Someone holding the database and the signing key swaps a device key, rebuilds every hash,
    // and drops the checkpoints so the server signs the rewritten tree afresh.
    const attackerKey = Buffer.alloc(32, 0x66).toString('base64url');
    await rewriteEntryConsistently(db, kept.size - 2, { signature_key: attackerKey });
    await db.deleteFrom('key_log_checkpoints').execute();
    await append(1);
    expect(await refusal(() => monitor.refresh())).toBe('CONSISTENCY_PROOF_INVALID');
    expect((await monitor.latest())?.size).toBe(kept.size);
    // A client that never saw the old tree would accept the rewritten one: what it needs is any
    // earlier checkpoint (its own store, a peer's, a witness's).
    const newcomer = new KeyLogMonitor({ verifierKey: pinned, source: keyLogSource(sdk) });
    expect((await newcomer.refresh()).size).toBe(kept.size + 1);
  });
});
