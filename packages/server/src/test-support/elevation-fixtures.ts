/**
 * @module test-support/elevation-fixtures
 *
 * Test setup for elevation and admin tests: a pending elevation request written straight to the
 * database, as if the account had asked for it through the API.
 */
import { randomUUID } from 'node:crypto';
import type { App } from '../app.ts';

export async function insertPendingElevation(
  app: App,
  request: { accountId: string; role: string; durationSeconds?: number },
): Promise<string> {
  const id = randomUUID();
  await app.portcullis.database.db
    .insertInto('role_elevations')
    .values({
      id,
      account_id: request.accountId,
      role: request.role,
      kind: 'elevation',
      reason: 'test fixture request',
      requested_by: request.accountId,
      requested_at: app.portcullis.clock.now(),
      duration_seconds: request.durationSeconds ?? 3600,
      approved_by: null,
      approved_at: null,
      expires_at: null,
      revoked_at: null,
      revoked_by: null,
    })
    .execute();
  return id;
}
