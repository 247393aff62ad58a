/**
 * @module platform/data-protection/types
 *
 * Personal data is sealed per data subject (envelope encryption): each person has their own
 * 256-bit data key; the data key is stored only wrapped by the key service's KEK (platform/kms);
 * values are sealed with AES-256-GCM under the data key, and the additional authenticated data
 * binds table, column, row id, subject id and data-key version, so a value moved to another row,
 * column or person does not open. Erasing a person destroys their data key (crypto-shredding).
 *
 * Values that belong to no account yet (the development outbox, a federated sign-in waiting to
 * be exchanged) are sealed under a service subject (`SERVICE_SUBJECT`) the same way.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** The database or the transaction the caller is in (a data key may be created inside it). */
export type DataDb = Kysely<Database>;

/** Where a sealed value lives; all three are bound into the ciphertext. */
export interface FieldLocation {
  readonly table: string;
  /** The column, or `column/field` for one field of a JSON column (`record_entries.fields/diagnosis`). */
  readonly column: string;
  readonly rowId: string;
}

/** Kinds of blind index; each has its own HMAC key derived from the key-service-held index key. */
export type BlindIndexKind = 'email' | 'phone';

/** Subject id for values that belong to no account (outbox messages, pending federated sign-ins). */
export const SERVICE_SUBJECT = '~service';

export interface DataProtection {
  /** Seals `plaintext` for `subjectId` at `at`, creating the subject's data key on first use. */
  seal(db: DataDb, subjectId: string, plaintext: string, at: FieldLocation): Promise<string>;
  /**
   * Opens what `seal` produced for the same subject and location. Throws
   * `SealedDataUnreadableError` when it does not open (moved, tampered, or the subject was
   * erased) and `KeyServiceUnavailableError` when the key service cannot be reached.
   */
  open(db: DataDb, subjectId: string, sealed: string, at: FieldLocation): Promise<string>;
  /**
   * HMAC-SHA-256 (base64url) of an already normalised value under the index key for `kind`;
   * equal inputs give equal indexes, so it finds rows and enforces uniqueness without the value.
   */
  blindIndex(db: DataDb, kind: BlindIndexKind, normalised: string): Promise<string>;
  /**
   * Destroys every data key of `subjectId` (in `db`, usually the erasure transaction) and forgets
   * them in this process; nothing sealed for the subject opens again, and no new key is created
   * for them. Returns how many keys were destroyed.
   */
  erase(db: DataDb, subjectId: string): Promise<number>;
}
