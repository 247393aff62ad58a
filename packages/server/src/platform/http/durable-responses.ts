/**
 * @module platform/http/durable-responses
 *
 * No response leaves before the writes it may report are on stable storage. Every reply,
 * success or error, waits in `onSend` for the database's commit barrier (see
 * platform/db/commit-barrier.ts); a read-only request with nothing pending passes at once. If
 * the database can no longer guarantee durability, the reply becomes a 503 instead.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DatabaseHandle } from '../db/index.ts';

export function registerDurableResponses(app: FastifyInstance, commits: DatabaseHandle['commits']): void {
  // Requests whose reply was replaced by the 503: that problem response reports no write.
  const refused = new WeakSet<FastifyRequest>();
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (refused.has(request) || commits.isDurable()) {
      done(null, payload);
      return;
    }
    commits.durable().then(
      () => done(null, payload),
      (error: unknown) => {
        refused.add(request);
        done(error as Error); // DatabaseUnavailableError: the error handler answers 503
      },
    );
  });
}
