/**
 * @module platform/http/problem-responses
 *
 * Adds the shared problem+json schema as the 4xx/5xx response of every route. The response
 * schema doubles as an allow-list: fields not in `Problem` never leave the server, and the
 * OpenAPI document shows every route's error shape.
 */
import type { FastifyInstance } from 'fastify';
import { ProblemSchema } from '@portcullis/protocol';

const PROBLEM_REF = { $ref: 'Problem#' };

export function registerProblemResponses(app: FastifyInstance): void {
  app.addSchema(ProblemSchema);
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (!response) return; // the route contract rejects this route
    response['4xx'] ??= PROBLEM_REF;
    response['5xx'] ??= PROBLEM_REF;
  });
}
