/**
 * Erasure ends messaging (ASVS V7.4.2: every session of a deleted account ends): erasing an
 * account removes the credential of each of its messaging devices, with its `remove` key
 * transparency log entry, in the erasure's transaction, and deletes its KeyPackages.
 */
import { describe, expect, it } from 'vitest';
import { testDatabases } from '../../test-support/databases.ts';
import { MlsDevice, recordingKeyLog } from '../../test-support/messaging-world.ts';
import { buildPrivacyHarness, personWithTotp, withStepUp } from './test-support/privacy-harness.ts';

describe.each(testDatabases())('erasure and messaging on $dialect', ({ dialect }) => {
  it('V7.4.2: erasing an account removes every credential of its devices, with key log entries', async () => {
    const keyLog = recordingKeyLog();
    const h = await buildPrivacyHarness(dialect, { keyLog });
    try {
      const person = await personWithTotp(h, 'erased.patient@clinic.test');
      const device = await MlsDevice.forSession(person.accountId, person.device);
      await device.register();
      await device.uploadKeyPackages(2);
      const erased = await withStepUp(h, person, { method: 'DELETE', url: '/v1/accounts/me' });
      expect(erased.statusCode, erased.body).toBe(200);
      expect(keyLog.entries.map((e) => [e.op, e.deviceId])).toEqual([
        ['add', device.deviceId],
        ['remove', device.deviceId],
      ]);
      const db = h.app.portcullis.database.db;
      expect(await db.selectFrom('messaging_key_packages').selectAll().execute()).toEqual([]);
      const row = await db
        .selectFrom('messaging_devices')
        .select(['removed_at', 'removed_reason'])
        .where('id', '=', device.deviceId)
        .executeTakeFirst();
      expect(row?.removed_at).not.toBeNull();
    } finally {
      await h.app.close();
    }
  });
});
