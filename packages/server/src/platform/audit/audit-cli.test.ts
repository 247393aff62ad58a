/**
 * `portcullis audit verify` and `portcullis audit export`, run as operators run them (the real
 * CLI in a child process) against SQLite and PostgreSQL after rows were changed, deleted,
 * inserted and reordered directly in the database (ASVS 5.0 V16.4.2: logs cannot be modified
 * unnoticed), and the export that hands signed checkpoints to an outside witness.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../../test-support/cli.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { checkpointIfDue, latestCheckpointRow } from './checkpoint/checkpointer.ts';
import { parseCheckpoint } from '../signed-note/checkpoint.ts';
import { ed25519SignerFromSeed } from '../signed-note/ed25519.ts';
import { noteVerifier, openNote, parseVerifierKey } from '../signed-note/signed-note.ts';
import type { AuditExport } from './export.ts';
import { openAuditTestDatabase, writeSampleEvents, type AuditTestDatabase } from './test-support/audit-database.ts';
import { changeEntry, deleteEntry, insertEntry, swapEntries } from './test-support/tamper.ts';

describe('portcullis help', () => {
  it('lists the audit commands', async () => {
    const result = await runCli(['help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/audit verify {4}Recompute the audit log's Merkle tree/);
    expect(result.stdout).toMatch(/audit export {4}Sign a checkpoint/);
  });
});

describe.each(testDatabases())('portcullis audit on $dialect', ({ dialect }) => {
  let db: AuditTestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  /** 12 entries, checkpoints at 6 and 12. */
  async function populated(): Promise<AuditTestDatabase> {
    const opened = await openAuditTestDatabase(dialect, { audit: { checkpointEveryEntries: 6, checkpointEverySeconds: 3600 } });
    await writeSampleEvents(opened, 6);
    await checkpointIfDue(opened.deps);
    await writeSampleEvents(opened, 6, 6);
    await checkpointIfDue(opened.deps);
    return opened;
  }

  it('verify exits 0 with a summary when the log is intact', async () => {
    db = await populated();
    const result = await runCli(['audit', 'verify'], db.env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^audit log intact: 12 entries, root [A-Za-z0-9+/]{43}=, 2 signed checkpoint\(s\) verified with portcullis\.test\/audit\+[0-9a-f]{8}\+/,
    );
  });

  it('V16.4.2: verify exits 1 naming a changed entry', async () => {
    db = await populated();
    await changeEntry(db.database.db, 7);
    const result = await runCli(['audit', 'verify'], db.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'portcullis: audit log verification FAILED: entry 7 was changed (its content no longer matches its leaf hash)\n',
    );
  });

  it('V16.4.2: verify exits 1 naming a deleted entry', async () => {
    db = await populated();
    await deleteEntry(db.database.db, 4, { renumber: true });
    const result = await runCli(['audit', 'verify'], db.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^portcullis: audit log verification FAILED: entry 4 was removed/);
  });

  it('V16.4.2: verify exits 1 naming an inserted entry', async () => {
    db = await populated();
    await insertEntry(db.database.db, 9, {
      occurred_at: Date.UTC(2026, 10, 24, 5, 0, 0, 9),
      action: 'session.created',
      outcome: 'success',
      actor_id: 'acct_forged',
      subject_id: 'acct_forged',
      session_id: null,
      request_id: null,
      ip_prefix: null,
      reason: null,
    });
    const result = await runCli(['audit', 'verify'], db.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^portcullis: audit log verification FAILED: an entry was inserted at index 9 /);
  });

  it('V16.4.2: verify exits 1 naming reordered entries', async () => {
    db = await populated();
    await swapEntries(db.database.db, 2, 10);
    const result = await runCli(['audit', 'verify'], db.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^portcullis: audit log verification FAILED: entry 2 was reordered: it now holds the entry logged at index 10\n/,
    );
  });

  it('V16.4.2: export writes signed checkpoints and the verifier key that opens them; verify accepts that key', async () => {
    db = await populated();
    await writeSampleEvents(db, 2, 12);
    const out = path.join(db.config.dataDir, 'audit-export.json');
    const result = await runCli(['audit', 'export', '--out', out], db.env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`portcullis: wrote 3 checkpoint(s) and the verifier key to ${out}\n`);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as AuditExport;
    expect(bundle.format).toBe('portcullis-audit-export/v1');
    expect(bundle.checkpoints.map((c) => c.treeSize)).toEqual([6, 12, 14]);
    const verifier = parseVerifierKey(bundle.verifierKey);
    for (const checkpoint of bundle.checkpoints) {
      const body = parseCheckpoint(openNote(checkpoint.note, verifier));
      expect(body).toMatchObject({ origin: bundle.origin, size: checkpoint.treeSize });
      expect(body.root.toString('base64')).toBe(checkpoint.rootHash);
    }
    const withKey = await runCli(['audit', 'verify', '--key', bundle.verifierKey], db.env);
    expect(withKey.code).toBe(0);
    expect(withKey.stdout).toMatch(/^audit log intact: 14 entries/);
  });

  it('start signs checkpoints on its schedule while the server runs', async () => {
    db = await openAuditTestDatabase(dialect);
    await writeSampleEvents(db, 3);
    const child = spawnCli(['start'], {
      ...db.env,
      PORTCULLIS_HTTP_PORT: '0',
      PORTCULLIS_METRICS_ENABLED: 'false',
      PORTCULLIS_AUDIT_CHECKPOINT_EVERY_SECONDS: '1',
      // Not development: a development start of a database without accounts seeds the demo clinic (modules/demo), whose entries would join the tree.
      PORTCULLIS_ENVIRONMENT: 'test',
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('listening on')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    const deadline = Date.now() + 10_000;
    let checkpoint = await latestCheckpointRow(db.database.db);
    while (!checkpoint && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      checkpoint = await latestCheckpointRow(db.database.db);
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(checkpoint?.tree_size).toBe(3);
  });

  it('verify refuses checkpoints signed by another key', async () => {
    db = await populated();
    const otherKey = noteVerifier('portcullis.test/audit', ed25519SignerFromSeed(Buffer.alloc(32, 1)).publicKey);
    const result = await runCli(['audit', 'verify', '--key', otherKey.text], db.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `portcullis: audit log verification FAILED: the checkpoint for 6 entries is not valid: the note has no signature by portcullis.test/audit+${otherKey.keyId.toString('hex')}\n`,
    );
    const malformed = await runCli(['audit', 'verify', '--key', 'not-a-key'], db.env);
    expect(malformed).toMatchObject({ code: 1, stderr: 'portcullis: a verifier key has the form <name>+<8 hex digits>+<base64 key>\n' });
  });
});
