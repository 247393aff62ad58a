/**
 * @module platform/audit/export
 *
 * What `portcullis audit export` hands to an outside witness or auditor: every signed
 * checkpoint (C2SP signed notes) and the verifier key that checks them. Nothing secret and no
 * entry content: a witness keeps the checkpoints and later asks for consistency proofs between
 * them, which shows that history was never rewritten, even by someone with database access.
 */
import { checkpointIfDue, type CheckpointDeps } from './checkpoint/checkpointer.ts';
import { auditLogKey } from './checkpoint/log-key.ts';

export const EXPORT_FORMAT = 'portcullis-audit-export/v1';

export interface AuditExport {
  readonly format: typeof EXPORT_FORMAT;
  readonly origin: string;
  /** `<origin>+<hex key ID>+<base64(0x01 ‖ Ed25519 public key)>` (C2SP signed-note verifier key). */
  readonly verifierKey: string;
  readonly checkpoints: readonly { readonly treeSize: number; readonly rootHash: string; readonly note: string }[];
}

/** Signs a checkpoint for the current tree if the log grew since the last one, then lists them all. */
export async function exportCheckpoints(deps: CheckpointDeps): Promise<AuditExport> {
  await checkpointIfDue(deps, { force: true });
  const key = auditLogKey(deps.keyRing, deps.config);
  const rows = await deps.db.selectFrom('audit_log_checkpoints').selectAll().orderBy('tree_size').execute();
  return {
    format: EXPORT_FORMAT,
    origin: key.origin,
    verifierKey: key.verifier.text,
    checkpoints: rows.map((row) => ({
      treeSize: row.tree_size,
      rootHash: Buffer.from(row.root_hash, 'hex').toString('base64'),
      note: row.note,
    })),
  };
}
