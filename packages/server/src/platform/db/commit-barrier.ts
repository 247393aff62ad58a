/**
 * @module platform/db/commit-barrier
 *
 * Group commit for the embedded SQLite database. SQLite in WAL mode with `synchronous=FULL`
 * calls `fsync` inside every COMMIT, on the thread that runs the query: the event loop. Under
 * load that blocks every other request for the length of one disk flush per write.
 *
 * Instead SQLite runs with `synchronous=NORMAL` (every commit is written to the WAL, and the
 * database stays consistent after a power loss, but the last commits may be missing), and this
 * barrier restores durability at the point where it matters, the acknowledgement: every
 * commit is noted, a flush of the WAL file (`fdatasync`, on the libuv thread pool) starts as
 * soon as one is pending, and a response is sent only after a flush that began after the
 * response's last commit has completed (`durable()`). Commits made while a flush is running
 * share the next one, so a burst of N commits costs about two flushes, not N.
 *
 * The rule that makes this safe: nothing is reported as done before the flush that covers it.
 * Because `durable()` waits for everything committed so far, not only the caller's own
 * commits, a response that reveals another request's write (say, a revocation) also waits for
 * that write to be on disk.
 */
import { DatabaseUnavailableError } from './availability.ts';

/** Flushes the WAL file to stable storage. */
export type FlushWal = () => Promise<void>;

export interface CommitBarrier {
  /** Record that a transaction (or an autocommit write) has just committed. */
  noteCommit(): void;
  /** True when every noted commit is already flushed (the common case of read-only requests). */
  isDurable(): boolean;
  /**
   * Resolves when every commit noted before the call is flushed.
   * @throws {DatabaseUnavailableError} once any flush has failed (see below).
   */
  durable(): Promise<void>;
  /** Flushes what is pending, then releases the file. */
  close(): Promise<void>;
}

export interface CommitBarrierOptions {
  readonly flush: FlushWal;
  /** Releases whatever `flush` holds open; called once by `close()`. */
  readonly release?: () => Promise<void>;
  /** Told once, when a flush fails. */
  readonly onFailure?: (error: unknown) => void;
}

export function createCommitBarrier({ flush, release, onFailure }: CommitBarrierOptions): CommitBarrier {
  let committed = 0; // sequence number of the latest commit
  let flushed = 0; // every commit up to this number is on stable storage
  let running: Promise<void> | undefined; // the flush in progress
  // After a failed fsync the kernel may have dropped the dirty pages, so a later fsync that
  // succeeds proves nothing about them. No write is acknowledged again by this process.
  let failure: DatabaseUnavailableError | undefined;

  function startFlush(): void {
    const covers = committed;
    running = flush().then(
      () => {
        flushed = Math.max(flushed, covers);
        running = undefined;
        if (committed > flushed) startFlush(); // commits arrived while this flush ran
      },
      (error: unknown) => {
        running = undefined;
        if (failure === undefined) onFailure?.(error);
        failure ??= new DatabaseUnavailableError(error);
      },
    );
  }

  async function durable(): Promise<void> {
    const target = committed;
    while (flushed < target) {
      if (failure) throw failure;
      if (running === undefined) startFlush();
      // A flush that started before our last commit does not cover it: wait, then go again.
      await running;
    }
  }

  return {
    noteCommit: () => {
      committed += 1;
      if (running === undefined && failure === undefined) startFlush();
    },
    isDurable: () => flushed >= committed,
    durable,
    close: async () => {
      try {
        await durable();
      } finally {
        await release?.();
      }
    },
  };
}
