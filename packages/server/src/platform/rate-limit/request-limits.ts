/**
 * @module platform/rate-limit/request-limits
 *
 * Per-network limits on public routes (`config.limit`, see platform/routes/contract.ts). They
 * run in `onRequest`, before the body is read or any handler work, so a flood costs one counter
 * increment per request. Refusals answer `429 RATE_LIMITED` with `Retry-After`.
 */
import type { FastifyInstance } from 'fastify';
import { appError, retryAfterHeader } from '../errors/app-error.ts';
import { networkOf } from '../http/ip-prefix.ts';
import type { RequestLimit } from '../routes/contract.ts';
import type { WindowLimit, WindowLimiter, WindowLimiters } from './window-limiter.ts';

export interface RequestLimitsConfig {
  readonly perNetwork: WindowLimit;
  readonly costlyPerNetwork: WindowLimit;
}

export function registerRequestLimits(app: FastifyInstance, limiters: WindowLimiters, config: RequestLimitsConfig): void {
  const byLimit: Partial<Record<RequestLimit, WindowLimiter>> = {
    network: limiters.create('requests-network', config.perNetwork),
    'network-costly': limiters.create('requests-network-costly', config.costlyPerNetwork),
  };
  app.addHook('onRequest', async (request) => {
    const limit = request.routeOptions.config.limit;
    const limiter = limit === undefined ? undefined : byLimit[limit];
    if (!limiter) return;
    const taken = await limiter.take(networkOf(request.ip));
    if (!taken.allowed) {
      throw appError('RATE_LIMITED', { detail: `request limit ${limit} reached`, headers: retryAfterHeader(taken.retryAfterMs) });
    }
  });
}
