/**
 * @module modules/records/deps
 *
 * What the records module needs from the application, and the service-side view of it with the
 * declarations already split into profile and entry types.
 */
import type { Kysely } from 'kysely';
import type { RecordDeclarations } from '@portcullis/protocol';
import type { Clock } from '../../platform/clock/clock.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { RolePermissions } from '../../platform/routes/permissions.ts';
import { createRecordCatalogue, type RecordCatalogue } from './catalogue.ts';

export interface RecordsDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly dataProtection: DataProtection;
  /** `access.roles`: who may be granted access to a file. */
  readonly access: RolePermissions;
  /** `records.types`: the declared record types. */
  readonly types: RecordDeclarations;
}

export interface RecordsService extends RecordsDeps {
  readonly catalogue: RecordCatalogue;
}

/** What turning stored fields into values needs: the declarations and the data keys. */
export type FieldService = Pick<RecordsService, 'dataProtection' | 'catalogue'>;

export function recordsService(deps: RecordsDeps): RecordsService {
  return { ...deps, catalogue: createRecordCatalogue(deps.types) };
}
