/**
 * @module test-support/elevation-fixtures
 *
 * Test setup for elevation and admin tests: a pending elevation request, or a pending erasure,
 * written straight to the database, as if it had been asked for through the API.
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

/** A pending erasure of `accountId` that `requestedBy` (an administrator) asked for. */
export async function insertPendingErasure(app: App, request: { accountId: string; requestedBy: string }): Promise<string> {
  const id = randomUUID();
  await app.portcullis.database.db
    .insertInto('account_erasures')
    .values({
      id,
      account_id: request.accountId,
      reason: 'test fixture request',
      requested_by: request.requestedBy,
      requested_at: app.portcullis.clock.now(),
      approved_by: null,
      erased_at: null,
      receipt: null,
    })
    .execute();
  return id;
}
