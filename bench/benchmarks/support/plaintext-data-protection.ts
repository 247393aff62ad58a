/**
 * @module bench/benchmarks/support/plaintext-data-protection
 *
 * Data protection with the encryption switched off, for the baseline side of a benchmark only:
 * `seal` and `open` hand values through unchanged and no data key, key service or cache is
 * involved, so the route under test does everything else it does in production (the same
 * queries, the same JSON, the same visibility decisions). Never part of the server.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { DataProtectionService } from '../../../packages/server/src/platform/data-protection/index.js';

export function plaintextDataProtection(): DataProtectionService {
  const indexKey = randomBytes(32);
  return {
    seal: (_db, _subjectId, plaintext) => Promise.resolve(plaintext),
    open: (_db, _subjectId, sealed) => Promise.resolve(sealed),
    blindIndex: (_db, kind, normalised) =>
      Promise.resolve(createHmac('sha256', indexKey).update(`${kind}\u0000${normalised}`).digest('base64url')),
    erase: () => Promise.resolve(0),
    cacheStats: () => ({ hits: 0, misses: 0, size: 0 }),
  };
}
