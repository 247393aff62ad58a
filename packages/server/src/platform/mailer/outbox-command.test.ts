/**
 * `portcullis outbox`, run as operators run it (a child process): prints the newest development
 * outbox messages, honours `--limit`, and exits 1 with one line when mail goes to SMTP.
 */
import { createDataProtection } from '../data-protection/index.ts';
import { openKeyService } from '../kms/index.ts';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { migrateToLatest, openDatabase } from '../db/index.ts';
import { createLogger } from '../logging/logger.ts';
import { makeTempDir } from '../../test-support/build-test-app.ts';
import { runCli } from '../../test-support/cli.ts';
import { createOutboxMailer } from './outbox-mailer.ts';
import type { MailMessage } from './mailer.ts';

const T0 = Date.UTC(2025, 2, 4, 5, 6, 7);

/** A data directory whose default SQLite database is migrated and holds `messages` (oldest first). */
async function dataDirWith(messages: readonly MailMessage[]): Promise<Record<string, string>> {
  const env = { PORTCULLIS_DATA_DIR: makeTempDir() };
  const { config } = loadConfig({ env: { ...env, PORTCULLIS_LOG_LEVEL: 'silent' } });
  const database = openDatabase(config, createLogger(config));
  // The key service the command opens too: the messages are sealed under its service key.
  const keyService = await openKeyService(config);
  try {
    await migrateToLatest(database);
    let now = T0;
    const dataProtection = createDataProtection({ keyService, now: () => now, cache: { maxKeys: 1, ttlMs: 1 } });
    const mailer = createOutboxMailer({ db: database.db, clock: { now: () => (now += 60_000) }, dataProtection });
    for (const message of messages) await mailer.send(message);
  } finally {
    await database.close();
    await keyService.close();
  }
  return env;
}

describe('portcullis outbox', () => {
  it('prints the newest messages first: recipient, subject, time and body', async () => {
    const env = await dataDirWith([
      { to: 'alice@example.com', subject: 'Confirm your email address', text: 'Your code:\n\n    493021\n' },
      { to: 'bob@example.com', subject: 'Reset your password', text: 'Your code:\n\n    771204\n' },
    ]);
    const result = await runCli(['outbox'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'To:      bob@example.com',
        'Subject: Reset your password',
        'Date:    2025-03-04T05:08:07.000Z',
        '',
        'Your code:',
        '',
        '    771204',
        '',
        'To:      alice@example.com',
        'Subject: Confirm your email address',
        'Date:    2025-03-04T05:07:07.000Z',
        '',
        'Your code:',
        '',
        '    493021',
        '',
      ].join('\n'),
    );

    const limited = await runCli(['outbox', '--limit', '1'], env);
    expect(limited.code).toBe(0);
    expect(limited.stdout).toContain('bob@example.com');
    expect(limited.stdout).not.toContain('alice@example.com');
  });

  it('says so when the outbox is empty', async () => {
    const result = await runCli(['outbox'], await dataDirWith([]));
    expect(result).toMatchObject({ code: 0, stdout: 'the outbox is empty\n' });
  });

  it('exits 1 with one line when mail is sent through SMTP (nothing is kept in the outbox)', async () => {
    const env = await dataDirWith([]);
    const result = await runCli(['outbox'], { ...env, SMTP_URL: 'smtps://mailer:hunter2@smtp.example.com' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^portcullis: mail\.smtpUrl is set, so mail goes to the SMTP server and the development outbox is not used\n$/,
    );
    expect(result.stderr).not.toContain('hunter2');
  });

  it('exits 2 on a bad --limit, and help lists the command', async () => {
    const [bad, help] = await Promise.all([runCli(['outbox', '--limit', '0']), runCli(['help'])]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('portcullis: outbox: --limit must be a whole number from 1 to 100\n');
    expect(help.stdout).toMatch(/\n {2}outbox {10}Print the newest messages of the development mail outbox/);
  });
});
