/**
 * @module platform/db/schema
 *
 * Kysely table types. One interface per table, kept in step with the migrations; timestamps
 * are integer milliseconds since the epoch on both dialects (no time-zone ambiguity).
 */

export interface InstanceMetaTable {
  key: string;
  value: string;
}

export interface Database {
  instance_meta: InstanceMetaTable;
}
