/**
 * @module modules/messaging/deps
 *
 * What the messaging module needs from the application.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import type { Database, DialectName } from '../../platform/db/index.ts';
import type { Doorbell } from '../../platform/realtime/index.ts';
import type { KeyLogAppender } from './key-log.ts';

export interface MessagingDeps {
  readonly db: Kysely<Database>;
  /** Which database: PostgreSQL claims and locks rows (`FOR UPDATE`), SQLite has a single writer. */
  readonly dialect: DialectName;
  readonly clock: Clock;
  /** The key transparency log (required: no credential is accepted without its entry). */
  readonly keyLog: KeyLogAppender;
  readonly config: Config['messaging'];
  /** Wakes a device's open event streams (on every instance) when its mailbox has something new. */
  readonly doorbell: Doorbell;
}
