/**
 * @module platform/audit/test-support/crash-mid-append
 *
 * A child process that dies in the middle of an append: it opens the database named by its
 * PORTCULLIS_* environment, starts `writeAuditEvent` in a transaction, and SIGKILLs itself once
 * the head row is locked and updated and the entry row is written, just before the subtree
 * hashes would be. Nothing is committed, as after a power cut. Run with `node --import tsx`.
 */
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { loadConfig } from '../../../config/load.ts';
import { systemClock } from '../../clock/clock.ts';
import { openDatabase } from '../../db/index.ts';
import { createLogger } from '../../logging/logger.ts';
import { writeAuditEvent } from '../audit.ts';

function insertsInto(node: RootOperationNode, table: string): boolean {
  return node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === table;
}

/** Kills the process the moment the append reaches its node insert. */
const killBeforeNodes: KyselyPlugin = {
  transformQuery: (args) => {
    if (insertsInto(args.node, 'audit_log_nodes')) {
      process.stdout.write('crashing mid-append\n');
      process.kill(process.pid, 'SIGKILL');
    }
    return args.node;
  },
  transformResult: (args) => Promise.resolve(args.result),
};

const { config } = loadConfig({ env: process.env });
const database = openDatabase(config, createLogger(config));
await database.db.transaction().execute(async (tx) => {
  await writeAuditEvent(tx.withPlugin(killBeforeNodes), systemClock, {
    action: 'session.created',
    outcome: 'success',
    actorId: 'acct_crash',
  });
});
process.stdout.write('the append completed, which it must not\n');
