/**
 * @module bench/benchmarks/dpop-auth
 *
 * What DPoP-bound session authentication costs per request. Both sides run the same
 * `buildApp` (the platform-overhead candidate's configuration, nonces on) with one plugin that
 * registers the same handler, returning the same fixed JSON, twice: on `GET /bench/me` with
 * `{ auth: 'aal1' }` and on `GET /bench/public` with `{ auth: 'public' }`. Each target signs up
 * and verifies one account before it reports ready; the runner then signs it in with its own
 * ES256 key and the server's nonce, like a device, and sends every candidate request with
 * `Authorization: DPoP <access token>` and a freshly signed proof (new `jti`, `ath`, nonce).
 * The candidate therefore pays, per request: the access-token lookup (SQLite), the proof checks
 * with one ECDSA P-256 verification, the replay-cache insert and the `DPoP-Nonce` header.
 *
 * Proofs are signed before the load starts (see `signedInGetWorkload`). The
 * server's in-memory replay cache holds 1,000,000 proofs (sessions.dpop.replayCacheMaxEntries),
 * far more than one sample sends; a run that filled it would get 503s and be rejected as unclean.
 */
import type { FastifyInstance } from 'fastify';
import { fixedWorkload, type Benchmark, type HttpWorkload, type RequestSpec, type WorkloadContext } from '../lib/types.ts';
import { createVerifiedAccount, signedInGetWorkload, startPortcullis } from './support/portcullis.ts';

const PROTECTED_PATH = '/bench/me';
const PUBLIC_PATH = '/bench/public';
const REPLY = { status: 'ok', service: 'portcullis-bench' } as const;
const REPLY_BODY = JSON.stringify(REPLY);

const REPLY_SCHEMA = {
  type: 'object',
  properties: { status: { type: 'string' }, service: { type: 'string' } },
  required: ['status', 'service'],
  additionalProperties: false,
} as const;

async function reply(): Promise<typeof REPLY> {
  return REPLY;
}

/** The same handler on a route that needs a DPoP-bound session and on a public one. */
async function routesPlugin(app: FastifyInstance): Promise<void> {
  const schema = { response: { 200: REPLY_SCHEMA } };
  app.get(PROTECTED_PATH, { config: { auth: 'aal1', permission: 'none', audit: 'none' }, schema }, reply);
  // No per-network counter (`limit: 'none'`), so the two routes differ by authentication alone.
  app.get(PUBLIC_PATH, { config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' }, schema }, reply);
}

const setup = () => startPortcullis([routesPlugin], createVerifiedAccount);

/** Signs in as the target's account, then proves possession of the key on every request. */
const authenticatedWorkload = (context: WorkloadContext): Promise<HttpWorkload> =>
  signedInGetWorkload(context, PROTECTED_PATH, { body: REPLY_BODY });

const PUBLIC_REQUEST: RequestSpec = { method: 'GET', path: PUBLIC_PATH, expectedStatus: 200, expectedBody: REPLY_BODY };

export const dpopAuth: Benchmark = {
  name: 'dpop-auth',
  description:
    'fixed-JSON route requiring a DPoP-bound session (access token + fresh ES256 proof per request) vs. the same handler on a public route of the same app',
  target: 0.3,
  sides: {
    candidate: { kind: 'http', label: `GET ${PROTECTED_PATH} (DPoP)`, setup, workload: authenticatedWorkload },
    baseline: { kind: 'http', label: `GET ${PUBLIC_PATH}`, setup, workload: fixedWorkload(PUBLIC_REQUEST) },
  },
};
