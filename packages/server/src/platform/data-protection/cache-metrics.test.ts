/** The data-key cache is observable: hits, misses and keys held are exported at scrape time. */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { createLogger } from '../logging/logger.ts';
import { createMetrics } from '../metrics/metrics.ts';

describe('data-key cache metrics', () => {
  it('counts misses and hits of the running app', async () => {
    const metrics = await createMetrics({ collectProcessMetrics: false });
    const config = testConfig();
    const app = await buildApp(config, { logger: createLogger(config), metrics });
    try {
      const { dataProtection, database } = app.portcullis;
      const at = { table: 'test', column: 'value', rowId: '1' };
      const sealed = await dataProtection.seal(database.db, 'person-1', 'value', at);
      const before = dataProtection.cacheStats();
      await dataProtection.open(database.db, 'person-1', sealed, at);
      await dataProtection.open(database.db, 'person-1', sealed, at);
      const scraped = await metrics.registry.metrics();
      expect(scraped).toContain(`portcullis_data_key_cache_lookups_total{result="miss"} ${before.misses + 1}`);
      expect(scraped).toContain(`portcullis_data_key_cache_lookups_total{result="hit"} ${before.hits + 1}`);
      expect(scraped).toContain('portcullis_data_key_cache_keys 1');
    } finally {
      await app.close();
    }
  });
});
