/**
 * @module platform/routes/route-app
 *
 * The Fastify instance route plugins receive. With the TypeBox type provider, a route's
 * `params`, `querystring`, `body` and `headers` types come from the schemas it declares, and
 * what a handler sends is checked against its response schemas, so a handler reads exactly
 * what validation let through: no casts, and a schema that drifts from the code is a compile
 * error instead of a runtime surprise.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import Type from 'typebox';

export type RouteApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * The `204` response: no body. OpenAPI documents it as `null`; its TypeScript type is `void`,
 * which is what lets a handler answer `reply.code(204).send()`. Fastify requires a payload for
 * any other reply type (`send(null)` would serialize a body only to drop it), and widens an
 * `undefined` reply type to `unknown`, which would accept any payload.
 */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- `void` is Fastify's "no payload" reply type
export const NoContentSchema = Type.Unsafe<void>(Type.Null());
