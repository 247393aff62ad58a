/**
 * @module modules/health
 *
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers).
 * Orchestrators restart on the first and route traffic on the second, so readiness fails with
 * `503` + `Retry-After` while the database is unreachable and recovers on its own.
 */
import { HealthSchema, ReadinessSchema } from '@portcullis/protocol';
import type { DatabaseHandle } from '../../platform/db/index.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

export interface HealthDeps {
  readonly database: DatabaseHandle;
}

export function healthRoutes(deps: HealthDeps) {
  return async function health(app: RouteApp): Promise<void> {
    app.get(
      '/healthz',
      {
        config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' },
        schema: { summary: 'Liveness probe', tags: ['operations'], response: { 200: HealthSchema } },
      },
      async () => ({ status: 'ok' as const }),
    );
    app.get(
      '/readyz',
      {
        config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' },
        schema: { summary: 'Readiness probe (database reachable)', tags: ['operations'], response: { 200: ReadinessSchema } },
      },
      async () => {
        await deps.database.ping();
        return { status: 'ready' as const, checks: { database: 'up' as const } };
      },
    );
  };
}
