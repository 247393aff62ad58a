/**
 * @module key-transparency/monitor
 *
 * A client's view of the key log. The monitor keeps the latest checkpoint it verified in a
 * small store (the app's storage, or memory), checks every checkpoint it sees against the pinned
 * log key, proves each one consistent with the one it kept (so the server can neither rewrite
 * history nor show this client a different log than others see, without being caught the moment
 * the two views meet), and checks entries against the verified tree. Any failure throws a
 * {@link KeyTransparencyError} and leaves the stored checkpoint as it was.
 */
import type { KeyLogConsistencyProof, KeyLogEntry, KeyLogEntryWithProof } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { decodeBase64url, equalBytes } from './bytes.ts';
import { entrySignatureKey } from './entry.ts';
import { KeyTransparencyError } from './errors.ts';
import { getKeyLogCheckpoint, getKeyLogConsistency, getKeyLogEntry } from './key-log-api.ts';
import { parseVerifierKey, verifyCheckpoint, type LogVerifierKey, type VerifiedCheckpoint } from './signed-note.ts';
import { verifyKeyLogConsistency, verifyKeyLogEntry } from './verify.ts';

/** Where a monitor keeps the latest checkpoint it verified: the signed note only (re-verified when loaded). */
export interface KeyLogCheckpointStore {
  load(): Promise<string | null>;
  save(note: string): Promise<void>;
}

/** A {@link KeyLogCheckpointStore} in memory: for tests, and apps that keep no state between runs. */
export class MemoryKeyLogCheckpointStore implements KeyLogCheckpointStore {
  #note: string | null = null;

  load(): Promise<string | null> {
    return Promise.resolve(this.#note);
  }

  save(note: string): Promise<void> {
    this.#note = note;
    return Promise.resolve();
  }
}

/** Where the monitor reads the log from. {@link keyLogSource} reads it from the server; tests may pass their own. */
export interface KeyLogSource {
  checkpoint(): Promise<{ readonly note: string }>;
  entry(index: number, treeSize: number): Promise<KeyLogEntryWithProof>;
  consistency(fromSize: number, toSize: number): Promise<Pick<KeyLogConsistencyProof, 'proof'>>;
}

/** The key-log routes of the server `client` talks to, as a {@link KeyLogSource}. */
export function keyLogSource(client: CoreClient): KeyLogSource {
  return {
    checkpoint: () => getKeyLogCheckpoint(client),
    entry: (index, treeSize) => getKeyLogEntry(client, { index, treeSize }),
    consistency: (fromSize, toSize) => getKeyLogConsistency(client, { fromSize, toSize }),
  };
}

export interface KeyLogMonitorOptions {
  /** The log's verifier key (`<origin>+<key id>+<base64 key>`), pinned in the app, never taken from the server. */
  readonly verifierKey: string;
  readonly source: KeyLogSource;
  /** Default: in memory. */
  readonly store?: KeyLogCheckpointStore;
}

/** A credential a peer presented: it must be an `add` entry of the log with exactly these values. */
export interface ExpectedCredential {
  readonly index: number;
  readonly accountId: string;
  readonly deviceId: string;
  /** The Ed25519 public key, as bytes or base64url. */
  readonly signatureKey: Uint8Array | string;
}

/**
 * @example
 *   const monitor = new KeyLogMonitor({ verifierKey: PINNED_KEY_LOG_KEY, source: keyLogSource(client), store });
 *   await monitor.refresh();                       // on start and periodically
 *   await monitor.verifyCredential({ index, accountId, deviceId, signatureKey }); // before encrypting to a device
 */
export class KeyLogMonitor {
  readonly #verifier: LogVerifierKey;
  readonly #source: KeyLogSource;
  readonly #store: KeyLogCheckpointStore;
  /** Serialises every read-check-save of the store. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: KeyLogMonitorOptions) {
    this.#verifier = parseVerifierKey(options.verifierKey);
    this.#source = options.source;
    this.#store = options.store ?? new MemoryKeyLogCheckpointStore();
  }

  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #stored(): Promise<VerifiedCheckpoint | null> {
    const note = await this.#store.load();
    return note === null ? null : await verifyCheckpoint(note, this.#verifier);
  }

  /** The latest checkpoint verified so far (re-verified from the store), or null before the first. */
  latest(): Promise<VerifiedCheckpoint | null> {
    return this.#serialised(() => this.#stored());
  }

  /**
   * Verifies a checkpoint seen anywhere (fetched, or passed on by a peer) and proves it
   * consistent with the stored one; keeps it when it is newer. Returns the latest verified
   * checkpoint. An older checkpoint must be consistent too (proven from it to the stored one).
   */
  observe(note: string): Promise<VerifiedCheckpoint> {
    return this.#serialised(() => this.#observe(note));
  }

  async #observe(note: string): Promise<VerifiedCheckpoint> {
    const seen = await verifyCheckpoint(note, this.#verifier);
    const kept = await this.#stored();
    if (kept === null) {
      verifyKeyLogConsistency(seen, seen);
      await this.#store.save(seen.note);
      return seen;
    }
    const [older, newer] = seen.size < kept.size ? [seen, kept] : [kept, seen];
    const needsProof = older.size > 0 && older.size < newer.size;
    const proof = needsProof ? (await this.#source.consistency(older.size, newer.size)).proof : [];
    verifyKeyLogConsistency(older, newer, proof);
    if (newer === seen && seen.size > kept.size) await this.#store.save(seen.note);
    return newer;
  }

  /** Fetches the log's current checkpoint and {@link observe}s it. */
  async refresh(): Promise<VerifiedCheckpoint> {
    const { note } = await this.#source.checkpoint();
    return this.observe(note);
  }

  /**
   * Entry `index`, checked to be in the tree of the latest verified checkpoint (fetching a newer
   * checkpoint first when the entry is beyond it). Throws `INCLUSION_PROOF_INVALID` when the log
   * does not hold it or the proof fails.
   */
  async verifyEntry(index: number): Promise<KeyLogEntry> {
    if (!Number.isSafeInteger(index) || index < 0) throw new TypeError('index must be a whole number');
    let checkpoint = await this.latest();
    if (checkpoint === null || index >= checkpoint.size) checkpoint = await this.refresh();
    if (index >= checkpoint.size) {
      throw new KeyTransparencyError('INCLUSION_PROOF_INVALID', `the log has no entry ${index} (it holds ${checkpoint.size})`);
    }
    const answer = await this.#source.entry(index, checkpoint.size);
    if (answer.entry.index !== index) throw new KeyTransparencyError('INCLUSION_PROOF_INVALID', `asked for entry ${index}, got another`);
    return verifyKeyLogEntry(answer, checkpoint);
  }

  /**
   * Checks a peer's credential before anything is encrypted to it: entry `index` is in the
   * verified log, adds a key, and names exactly this account, device and signature key. Throws
   * `ENTRY_INVALID` when the log says something else (a credential the server made up, or one
   * logged for another account), `INCLUSION_PROOF_INVALID` when the log does not prove it.
   */
  async verifyCredential(expected: ExpectedCredential): Promise<KeyLogEntry> {
    const entry = await this.verifyEntry(expected.index);
    const key = typeof expected.signatureKey === 'string' ? decodeBase64url(expected.signatureKey) : expected.signatureKey;
    if (
      entry.op !== 'add' ||
      entry.accountId !== expected.accountId ||
      entry.deviceId !== expected.deviceId ||
      key === undefined ||
      !equalBytes(entrySignatureKey(entry), key)
    ) {
      throw new KeyTransparencyError('ENTRY_INVALID', `key log entry ${expected.index} is not the credential presented`);
    }
    return entry;
  }
}
