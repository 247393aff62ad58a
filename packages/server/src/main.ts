#!/usr/bin/env node
/**
 * @module main
 *
 * The `portcullis` command line. The only module that reads `process.env`, writes to the
 * terminal and calls `process.exit`; everything else receives what it needs as arguments.
 *
 * Exit codes: 0 success; 1 invalid configuration or a failure while running; 2 usage error.
 */
import { ConfigError, loadConfig, type LoadedConfig } from './config/load.ts';
import { createLogger } from './platform/logging/logger.ts';
import { openDatabase, migrateToLatest } from './platform/db/index.ts';
import { OUTBOX_DEFAULT_LIMIT, OUTBOX_MAX_LIMIT, formatOutboxMessage, listOutbox, mailTransportFor } from './platform/mailer/index.ts';
import { startServer, type RunningServer } from './server.ts';
import { KeyRingError, completeKeyRingFile, generateKeyRingFile, loadKeyRing } from './platform/crypto/index.ts';
import { systemClock } from './platform/clock/clock.ts';
import { createDataProtection } from './platform/data-protection/index.ts';
import {
  auditLogKey,
  exportCheckpoints,
  parseVerifierKey,
  scheduleCheckpoints,
  verifyAuditLog,
  type LogKey,
} from './platform/audit/index.ts';
import { createFirstAdmin, threadPoolSizeFor } from './modules/accounts/index.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './platform/db/index.ts';
import { detachedRequestContext, type RequestContext } from './platform/routes/request-context.ts';
import { parseArguments } from './cli/arguments.ts';
import { availableParallelism } from 'node:os';
import { createLocalKeyFile, openKeyService, type KeyService } from './platform/kms/index.ts';
import {
  DEFAULT_RETIRE_GRACE_MS,
  DEFAULT_REWRAP_BATCH_SIZE,
  keyStatus,
  retireKekVersion,
  rotateDataKeys,
} from './platform/data-protection/index.ts';
import { createProgressReporter } from './cli/progress.ts';
import {
  DemoSeedRefusedError,
  demoAccountsFile,
  demoInstructions,
  demoSeedDepsFrom,
  seedDemoClinic,
  seededDemoAccounts,
  type DemoAccounts,
} from './modules/demo/index.ts';
import { hasAnyAccount } from './modules/accounts/index.ts';
import type { Config } from './config/schema.ts';

export const USAGE = `Usage: portcullis <command>

Commands:
  start           Start the API server (HTTPS; development certificate generated on first start)
  migrate         Apply pending database migrations and exit
  config check    Validate the configuration, print every problem, exit 1 if any
  outbox          Print the newest messages of the development mail outbox (--limit N, default 20)
  keys generate   Print a new production key ring (JSON) for keys.ringFile; store it as a secret.
                  --complete FILE prints FILE's ring with a new key for each purpose added since
                  (an upgrade: existing keys are kept)
  keys init       Write a new key file for the local key service (--file FILE, outside dataDir), to set
                  as keyService.local.keyFile; refuses to overwrite an existing one
  keys status     List the key service's key-encryption key (KEK) versions and the data keys each wraps
  keys rotate     Make a new KEK version current (or resume an unfinished rotation), re-wrap every
                  data key under it in batches (--batch-size N, default 200) while the server keeps
                  serving, then retire the old versions no data key uses (--retire none keeps them for
                  restoring older backups; retire them later with keys retire). Before retiring it waits
                  --grace-seconds (default 20) for writes still in flight and sweeps once more. Safe to
                  run again after a crash
  keys retire     Destroy one old KEK version (--version VERSION); refused while a data key uses it
  admin create    Create the first administrator (or promote an account): --email ADDRESS. Prints a
                  one-time code to set the password; the first sign-in can only register a passkey.
                  Changes nothing for an administrator who can already sign in
  audit verify    Recompute the audit log's Merkle tree from its entries, check every stored hash and
                  checkpoint signature; exit 1 naming the first changed, removed, inserted or
                  reordered entry (--key VERIFIER_KEY checks signatures with a published key)
  audit export    Sign a checkpoint of the current log, then write every checkpoint (C2SP signed
                  notes) and the verifier key as JSON for an outside witness (--out FILE)
  demo seed       Seed the demo clinic (two patients, two clinicians, support, an administrator and
                  an auditor, with profiles, file entries and grants) and print how to sign in as
                  each; passwords are kept in <dataDir>/demo-accounts.json. Does nothing but print
                  when the demo is already there; refused in production. The first development
                  start of an empty database seeds it by itself
  help            Show this help

Configuration comes from PORTCULLIS_* environment variables and an optional JSON file named by
PORTCULLIS_CONFIG_FILE; see docs/config.md. DATABASE_URL, REDIS_URL and NODE_ENV are honoured.

Exit codes: 0 success, 1 configuration or runtime failure, 2 usage error.`;

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function loadOrExit(): LoadedConfig {
  try {
    return loadConfig({ env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`portcullis: ${error.message}\n`);
      process.exit(EXIT_FAILURE);
    }
    throw error;
  }
}

function printWarnings(warnings: readonly string[]): void {
  for (const warning of warnings) process.stderr.write(`portcullis: WARNING (development default) ${warning}\n`);
}

async function start(): Promise<void> {
  const { config, warnings } = loadOrExit();
  printWarnings(warnings);
  // libuv reads this once, when its pool first starts, which has not happened yet.
  process.env['UV_THREADPOOL_SIZE'] ??= String(threadPoolSizeFor(config.passwords));
  const logger = createLogger(config);
  const server = await startServer(config, { logger });
  // Signs audit-log checkpoints every audit.checkpointEveryEntries entries or
  // audit.checkpointEverySeconds seconds while the server runs (idempotent across instances).
  const { database, clock, keyRing } = server.app.portcullis;
  const checkpoints = scheduleCheckpoints({ db: database.db, clock, keyRing, config }, (error) =>
    logger.error({ err: error }, 'audit checkpoint failed'),
  );

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    checkpoints
      .stop()
      .then(() => server.close())
      .then(
        () => process.exit(EXIT_OK),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(EXIT_FAILURE);
        },
      );
  };
  // Before announcing the URL: a supervisor that stops the server as soon as it is up must reach
  // this handler, not the default action that kills the process without closing anything.
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  for (const line of startupAnnouncement(server)) process.stderr.write(`portcullis: ${line}\n`);
  if (server.metricsUrl) process.stderr.write(`portcullis: metrics on ${server.metricsUrl}\n`);
  if (server.redirectUrl) process.stderr.write(`portcullis: plain-HTTP redirect listener on ${server.redirectUrl}\n`);
  if (config.environment === 'development') await announceDemo(server, config);
}

/**
 * Development only: the first start of an empty database seeds the demo clinic; every start
 * that finds it prints how to sign in. A failed seed does not stop the server.
 */
async function announceDemo(server: RunningServer, config: Config): Promise<void> {
  const { database, clock, dataProtection } = server.app.portcullis;
  const services = { db: database.db, clock, dataProtection };
  try {
    let demo: DemoAccounts | undefined;
    if (!(await hasAnyAccount(database.db))) {
      demo = await seedDemoClinic(await demoSeedDepsFrom(services, config));
      process.stderr.write('portcullis: first start: seeded the demo clinic (portcullis demo seed does the same on demand)\n');
    } else {
      demo = await seededDemoAccounts({ ...services, dataDir: config.dataDir });
    }
    if (demo) printDemo(demo, config, (line) => process.stderr.write(`portcullis: ${line}\n`));
  } catch (error) {
    process.stderr.write(
      `portcullis: WARNING the demo clinic could not be seeded: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
}

function printDemo(demo: DemoAccounts, config: Config, write: (line: string) => void): void {
  for (const line of demoInstructions(demo, { publicUrl: config.publicUrl, accountsFile: demoAccountsFile(config.dataDir) })) write(line);
}

/**
 * What a developer needs to reach the server: the bound address, the public URL clients must use
 * (DPoP proofs and passkeys name it, so calling the bound address is refused), and how to trust
 * the development certificate.
 */
function startupAnnouncement(server: RunningServer): string[] {
  const { url, publicUrl, devCertificateFile } = server;
  const lines = [
    `listening on ${url}`,
    `clients must use the public URL ${publicUrl} (DPoP proofs name it; API reference: ${publicUrl}/docs, health: ${publicUrl}/healthz)`,
  ];
  const portMismatch = publicPortMismatch(publicUrl, url);
  if (portMismatch) lines.push(`WARNING ${portMismatch}`);
  if (devCertificateFile !== undefined) {
    lines.push(
      `${server.createdDevCertificate ? 'generated a' : 'using the'} self-signed development certificate ${devCertificateFile}; ` +
        `Node clients trust it with NODE_EXTRA_CA_CERTS=${devCertificateFile} (browsers will warn)`,
    );
  }
  return lines;
}

/**
 * A public URL on this machine whose port is not the listener's is almost always a forgotten
 * PORTCULLIS_PUBLIC_URL after changing the port: every DPoP proof would then be refused.
 */
function publicPortMismatch(publicUrl: string, boundUrl: string): string | undefined {
  const expected = new URL(publicUrl);
  const bound = new URL(boundUrl);
  const onThisMachine = ['localhost', '127.0.0.1', '[::1]'].includes(expected.hostname);
  if (!onThisMachine || expected.protocol !== bound.protocol || expected.port === bound.port) return undefined;
  return `the public URL ${publicUrl} does not name the port the server listens on (${bound.port}); set PORTCULLIS_PUBLIC_URL=${bound.protocol}//localhost:${bound.port}`;
}

async function migrate(): Promise<void> {
  const { config } = loadOrExit();
  const database = openDatabase(config, createLogger(config));
  try {
    const applied = await migrateToLatest(database);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await database.close();
  }
}

/** A fresh ring of random keys; the operator stores it (mode 0600, secret manager) and sets keys.ringFile. */
/** A new production ring, or (`--complete FILE`) the given ring with a key for every purpose added since. */
function keysGenerate(complete: string | undefined): number {
  if (complete === undefined) {
    process.stdout.write(`${JSON.stringify(generateKeyRingFile({ development: false }), null, 2)}\n`);
    return EXIT_OK;
  }
  let text: string;
  try {
    text = readFileSync(complete, 'utf8');
  } catch {
    process.stderr.write(`portcullis: keys generate: cannot read ${complete}\n`);
    return EXIT_FAILURE;
  }
  try {
    const { ring, added } = completeKeyRingFile(text, complete);
    if (ring.development) throw new KeyRingError(`key ring ${complete} is a development ring`);
    process.stdout.write(`${JSON.stringify(ring, null, 2)}\n`);
    process.stderr.write(
      added.length === 0 ? 'portcullis: the key ring already has every key\n' : `portcullis: added ${added.join(', ')}\n`,
    );
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof KeyRingError)) throw error;
    process.stderr.write(`portcullis: keys generate: ${error.message}\n`);
    return EXIT_FAILURE;
  }
}

/** Runs `action` with the configured database and key service, closing both afterwards. */
async function withKeys<T>(action: (db: Kysely<Database>, keyService: KeyService) => Promise<T>): Promise<T> {
  const { config } = loadOrExit();
  const database = openDatabase(config, createLogger(config));
  try {
    const keyService = await openKeyService(config);
    try {
      return await action(database.db, keyService);
    } finally {
      await keyService.close();
    }
  } finally {
    await database.close();
  }
}

function keysInit(file: string): number {
  createLocalKeyFile(file, { development: false });
  process.stdout.write(
    `wrote a new key file (KEK v1) to ${file}; set keyService.local.keyFile to it and back it up apart from the database\n`,
  );
  return EXIT_OK;
}

async function keysStatus(): Promise<number> {
  return withKeys(async (db, keyService) => {
    const status = await keyStatus(db, keyService);
    const lines = [`key service: ${keyService.adapter}, current KEK version ${status.current}`];
    for (const { version, dataKeys } of status.versions) {
      lines.push(`  ${version.padEnd(6)} ${String(dataKeys).padStart(9)} data key(s)${version === status.current ? '  (current)' : ''}`);
    }
    for (const [version, dataKeys] of Object.entries(status.orphaned)) {
      lines.push(`  ${version.padEnd(6)} ${String(dataKeys).padStart(9)} data key(s)  (NOT held by the key service: these do not unwrap)`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_OK;
  });
}

async function keysRotate(batchSize: number, retire: 'unused' | 'none', graceSeconds: number): Promise<number> {
  return withKeys(async (db, keyService) => {
    const tty = process.stderr.isTTY;
    let progress: ReturnType<typeof createProgressReporter> | undefined;
    const report = await rotateDataKeys({
      db,
      keyService,
      batchSize,
      retire,
      retireGraceMs: graceSeconds * 1000,
      audit: commandContext(db).audit,
      onBatch: ({ target, done, total }) => {
        progress ??= createProgressReporter({
          tty,
          label: `data keys re-wrapped under ${target}`,
          write: (text) => process.stderr.write(tty ? text : `portcullis: ${text}`),
        });
        progress.update(done, total);
      },
    });
    progress?.finish();
    const lines = [
      `KEK ${report.target} is current (${report.created ? 'created now' : 'resumed an unfinished rotation'}); ` +
        `${report.rewrapped} data key(s) re-wrapped, ${report.skipped} changed meanwhile and left alone`,
      report.retired.length > 0 ? `retired: ${report.retired.join(', ')}` : 'retired: none',
    ];
    for (const [version, count] of Object.entries(report.kept)) lines.push(`kept ${version}: ${count} data key(s) use it`);
    if (report.unreadable > 0) lines.push(`${report.unreadable} data key(s) did not unwrap and were left under their version`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return report.unreadable > 0 ? EXIT_FAILURE : EXIT_OK;
  });
}

async function keysRetire(version: string): Promise<number> {
  return withKeys(async (db, keyService) => {
    await retireKekVersion({ db, keyService, audit: commandContext(db).audit }, version);
    process.stdout.write(`retired KEK ${version}\n`);
    return EXIT_OK;
  });
}

async function outbox(limit: number): Promise<number> {
  const { config } = loadOrExit();
  if (mailTransportFor(config) === 'smtp') {
    process.stderr.write('portcullis: mail.smtpUrl is set, so mail goes to the SMTP server and the development outbox is not used\n');
    return EXIT_FAILURE;
  }
  const database = openDatabase(config, createLogger(config));
  // Messages are sealed under the service subject; the key service opens them.
  const keyService = await openKeyService(config);
  try {
    const dataProtection = createDataProtection({ keyService, now: () => systemClock.now(), cache: { maxKeys: 1, ttlMs: 60_000 } });
    const messages = await listOutbox({ db: database.db, dataProtection }, limit);
    process.stdout.write(messages.length ? messages.map(formatOutboxMessage).join('\n') : 'the outbox is empty\n');
  } finally {
    await database.close();
    await keyService.close();
  }
  return EXIT_OK;
}

/**
 * The context of an audited command: no HTTP request, so the entry carries an id of its own for
 * this run and `local` as its network (the command ran on the server, with its key ring).
 */
function commandContext(db: Kysely<Database>): RequestContext {
  return detachedRequestContext({ db, clock: systemClock }, { requestId: randomUUID(), ipPrefix: 'local' });
}

/** Makes (or promotes) an administrator and prints how to finish: set a password, then register a passkey. */
async function adminCreate(email: string): Promise<number> {
  const { config } = loadOrExit();
  const database = openDatabase(config, createLogger(config));
  // The address is sealed for the new administrator and indexed under the key service's keys.
  const keyService = await openKeyService(config);
  try {
    const keyRing = loadKeyRing(config);
    const dataProtection = createDataProtection({ keyService, now: () => systemClock.now(), cache: { maxKeys: 16, ttlMs: 60_000 } });
    await migrateToLatest(database, { keyRing, dataProtection });
    const admin = await createFirstAdmin(
      { db: database.db, keyRing, dataProtection, clock: systemClock, passwordsEnabled: config.passwords.enabled },
      email,
      commandContext(database.db),
    );
    if (admin.outcome === 'already-admin') {
      process.stderr.write(
        `portcullis: ${email} is already an administrator (account ${admin.accountId}) with a way to sign in; nothing changed. ` +
          'An administrator who lost their passkey gets a second-factor reset from another administrator (admin API).\n',
      );
      return EXIT_FAILURE;
    }
    const done = {
      created: `Created administrator ${email}`,
      promoted: `Promoted ${email} to administrator`,
      'new-code': `${email} is already an administrator but cannot sign in yet: here is a new code (earlier ones no longer work)`,
    }[admin.outcome];
    const redeem = config.passwords.enabled
      ? [
          `Within ${admin.validForMinutes} minutes, set a password with this single-use code:`,
          '',
          `  POST ${config.publicUrl}${admin.redeemAt}`,
          `  { "email": "${email}", "code": "${admin.code}", "newPassword": "…" }`,
          '',
          'Then sign in: the session can only register a passkey (administrators need one). Sign in with',
        ]
      : [
          `Within ${admin.validForMinutes} minutes, confirm the address with this single-use code (DPoP proof required):`,
          '',
          `  POST ${config.publicUrl}${admin.redeemAt}`,
          `  { "email": "${email}", "code": "${admin.code}", "device": { "label": "…", "platform": "web" } }`,
          '',
          'The session it opens can only register a passkey (administrators need one). Sign in with',
        ];
    process.stdout.write(
      [
        `${done} (account ${admin.accountId}).`,
        ...redeem,
        'the passkey afterwards. The code is shown only here; until then, run this command again for a',
        'new one.',
        '',
      ].join('\n'),
    );
  } finally {
    await database.close();
    await keyService.close();
  }
  return EXIT_OK;
}

/** Rebuilds the log from its entries; prints a summary, or every problem with the first tampered entry first. */
async function auditVerify(verifierKey: string | undefined): Promise<number> {
  const { config } = loadOrExit();
  const key = verifierKey === undefined ? auditLogKey(loadKeyRing(config), config) : keyFromText(verifierKey);
  const database = openDatabase(config, createLogger(config));
  try {
    // Pages are summarised in worker threads, one per core (up to 4), each with its own connection.
    const report = await verifyAuditLog(database.db, key, { workers: { count: Math.min(availableParallelism(), 4), config } });
    if (report.problems.length > 0) {
      for (const problem of report.problems) process.stderr.write(`portcullis: audit log verification FAILED: ${problem.message}\n`);
      return EXIT_FAILURE;
    }
    process.stdout.write(
      `audit log intact: ${report.entries} entries, root ${report.root.toString('base64')}, ` +
        `${report.checkpoints} signed checkpoint(s) verified with ${key.verifier.text}\n`,
    );
    return EXIT_OK;
  } finally {
    await database.close();
  }
}

function keyFromText(text: string): Pick<LogKey, 'origin' | 'verifier'> {
  const verifier = parseVerifierKey(text);
  return { origin: verifier.name, verifier };
}

/** The witness bundle: checkpoints and verifier key, to stdout or a file. */
async function auditExport(out: string | undefined): Promise<number> {
  const { config } = loadOrExit();
  const database = openDatabase(config, createLogger(config));
  try {
    const bundle = await exportCheckpoints({ db: database.db, clock: systemClock, keyRing: loadKeyRing(config), config });
    const text = `${JSON.stringify(bundle, null, 2)}\n`;
    if (out === undefined) {
      process.stdout.write(text);
    } else {
      writeFileSync(out, text);
      process.stderr.write(`portcullis: wrote ${bundle.checkpoints.length} checkpoint(s) and the verifier key to ${out}\n`);
    }
    return EXIT_OK;
  } finally {
    await database.close();
  }
}

/** `portcullis demo seed`: seeds the demo clinic once (refused in production) and prints how to sign in. */
async function demoSeed(): Promise<number> {
  const refused = 'portcullis: demo seed: refused in production (the demo holds invented people whose passwords are printed)\n';
  // Asked before the configuration is validated: a production deployment gets this answer, not
  // a list of the settings it would need before being refused anyway.
  if (process.env['PORTCULLIS_ENVIRONMENT'] === 'production' || process.env['NODE_ENV'] === 'production') {
    process.stderr.write(refused);
    return EXIT_FAILURE;
  }
  const { config } = loadOrExit();
  if (config.environment === 'production') {
    process.stderr.write(refused);
    return EXIT_FAILURE;
  }
  const database = openDatabase(config, createLogger(config));
  const keyService = await openKeyService(config);
  try {
    const keyRing = loadKeyRing(config);
    const dataProtection = createDataProtection({ keyService, now: () => systemClock.now(), cache: { maxKeys: 64, ttlMs: 60_000 } });
    await migrateToLatest(database, { keyRing, dataProtection });
    const demo = await seedDemoClinic(await demoSeedDepsFrom({ db: database.db, clock: systemClock, dataProtection }, config));
    process.stderr.write(
      demo.created
        ? 'portcullis: seeded the demo clinic\n'
        : `portcullis: the demo clinic was already seeded (${demo.seededAt}); nothing changed\n`,
    );
    printDemo(demo, config, (line) => process.stdout.write(`${line}\n`));
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof DemoSeedRefusedError)) throw error;
    process.stderr.write(`portcullis: demo seed: ${error.message}\n`);
    return EXIT_FAILURE;
  } finally {
    await database.close();
    await keyService.close();
  }
}

function configCheck(): void {
  const { warnings } = loadOrExit();
  printWarnings(warnings);
  process.stdout.write('configuration is valid\n');
}

const OUTBOX_LIMIT = /^[1-9][0-9]*$/;
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+$/;

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArguments(argv);
  switch (parsed.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    case 'usage-error':
      process.stderr.write(`portcullis: ${parsed.message}\n${parsed.showUsage ? `\n${USAGE}\n` : ''}`);
      return EXIT_USAGE;
    case 'command':
      break;
  }
  switch (parsed.command) {
    case 'start':
      await start();
      return -1; // keeps running until a signal
    case 'migrate':
      await migrate();
      return EXIT_OK;
    case 'config check':
      configCheck();
      return EXIT_OK;
    case 'keys generate':
      return keysGenerate(parsed.options.complete);
    case 'keys init':
      return keysInit(parsed.options.file ?? '');
    case 'keys status':
      return keysStatus();
    case 'keys rotate': {
      const batchSize = parsed.options['batch-size'] ?? String(DEFAULT_REWRAP_BATCH_SIZE);
      if (!OUTBOX_LIMIT.test(batchSize) || Number(batchSize) > 10_000) {
        process.stderr.write('portcullis: keys rotate: --batch-size must be a whole number from 1 to 10000\n');
        return EXIT_USAGE;
      }
      const retire = parsed.options.retire ?? 'unused';
      if (retire !== 'unused' && retire !== 'none') {
        process.stderr.write('portcullis: keys rotate: --retire must be "unused" (the default) or "none"\n');
        return EXIT_USAGE;
      }
      const grace = parsed.options['grace-seconds'] ?? String(DEFAULT_RETIRE_GRACE_MS / 1000);
      if (!/^[0-9]+$/.test(grace) || Number(grace) > 3600) {
        process.stderr.write('portcullis: keys rotate: --grace-seconds must be a whole number from 0 to 3600\n');
        return EXIT_USAGE;
      }
      return keysRotate(Number(batchSize), retire, Number(grace));
    }
    case 'keys retire':
      return keysRetire(parsed.options.version ?? '');
    case 'outbox': {
      const limit = parsed.options.limit ?? String(OUTBOX_DEFAULT_LIMIT);
      if (!OUTBOX_LIMIT.test(limit) || Number(limit) > OUTBOX_MAX_LIMIT) {
        process.stderr.write(`portcullis: outbox: --limit must be a whole number from 1 to ${OUTBOX_MAX_LIMIT}\n`);
        return EXIT_USAGE;
      }
      return outbox(Number(limit));
    }
    case 'audit verify':
      return auditVerify(parsed.options.key);
    case 'audit export':
      return auditExport(parsed.options.out);
    case 'demo seed':
      return demoSeed();
    case 'admin create': {
      const email = parsed.options.email ?? '';
      if (!EMAIL_ADDRESS.test(email) || email.length > 254) {
        process.stderr.write(`portcullis: admin create: --email needs an email address, not ${JSON.stringify(email)}\n`);
        return EXIT_USAGE;
      }
      return adminCreate(email);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    // One line, no stack: operators get the reason, the logs get the detail.
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`portcullis: ${reason}\n`);
    process.exit(EXIT_FAILURE);
  },
);
