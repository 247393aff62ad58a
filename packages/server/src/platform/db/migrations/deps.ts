/**
 * @module platform/db/migrations/deps
 *
 * What data migrations need besides the database: the key ring (to open values sealed by an
 * earlier release) and data protection (to seal them again per person). A migration module may
 * export `up(db, deps)`; schema-only migrations ignore the second argument. On an empty table a
 * data migration has nothing to do, so tools that only create a fresh schema may omit the deps; a
 * data migration that meets rows without them fails (and its transaction rolls back).
 */
import type { KeyRing } from '../../crypto/index.ts';
import type { DataProtection } from '../../data-protection/index.ts';

export interface MigrationDeps {
  readonly keyRing: KeyRing;
  readonly dataProtection: DataProtection;
}

export class MigrationDepsMissingError extends Error {
  override readonly name = 'MigrationDepsMissingError';
}

/** The deps, or an error naming the migration that needed them for existing rows. */
export function requireDeps(deps: MigrationDeps | undefined, migration: string): MigrationDeps {
  if (!deps)
    throw new MigrationDepsMissingError(`migration ${migration} re-seals existing rows and needs the key ring and the key service`);
  return deps;
}
