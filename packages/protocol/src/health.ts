/**
 * @module health
 *
 * Liveness and readiness bodies, shared by the server's probes and any client that polls them.
 */
import Type, { type Static } from 'typebox';

export const HealthSchema = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });

export const ReadinessSchema = Type.Object(
  {
    status: Type.Literal('ready'),
    checks: Type.Object({ database: Type.Literal('up') }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export type Health = Static<typeof HealthSchema>;
export type Readiness = Static<typeof ReadinessSchema>;
