/**
 * @module platform/audit/checkpoint/log-key
 *
 * The log's identity: its origin (the first checkpoint line and the signed-note key name) and
 * its Ed25519 key, derived from the key ring's `audit-signing` seed. The verifier key is public
 * and is what an outside witness or auditor is given.
 */
import type { Config } from '../../../config/schema.ts';
import type { KeyRing } from '../../crypto/key-ring.ts';
import { ed25519SignerFromSeed, type Ed25519Signer } from '../../signed-note/ed25519.ts';
import { noteVerifier, type NoteVerifier } from '../../signed-note/signed-note.ts';

export type AuditConfig = Pick<Config, 'publicUrl' | 'audit'>;

export interface LogKey {
  readonly origin: string;
  readonly signer: Ed25519Signer;
  readonly verifier: NoteVerifier;
}

/** `audit.origin`, or `<host of publicUrl>/audit`. */
export function auditOrigin(config: AuditConfig): string {
  return config.audit.origin ?? `${new URL(config.publicUrl).host}/audit`;
}

export function auditLogKey(keyRing: KeyRing, config: AuditConfig): LogKey {
  const origin = auditOrigin(config);
  const signer = ed25519SignerFromSeed(keyRing.key('audit-signing'));
  return { origin, signer, verifier: noteVerifier(origin, signer.publicKey) };
}
