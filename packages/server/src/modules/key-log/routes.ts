/**
 * @module modules/key-log/routes
 *
 * HTTP for the key transparency log, readable by every person who may use messaging
 * (`messages:use`): the current signed checkpoint, an entry with its inclusion proof, and
 * consistency proofs. Reads are not audited (clients poll them; they change nothing and the log
 * holds identifiers only). Numbers in paths and query strings arrive as digit strings and are
 * parsed here; every range check is the service's.
 */
import {
  KeyLogCheckpointSchema,
  KeyLogConsistencyProofSchema,
  KeyLogConsistencyQuerySchema,
  KeyLogEntryParamsSchema,
  KeyLogEntryQuerySchema,
  KeyLogEntryWithProofSchema,
} from '@portcullis/protocol';
import { principalOf } from '../../platform/routes/request.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';
import { getKeyLogCheckpoint, getKeyLogConsistency, getKeyLogEntry, type KeyLogServiceDeps } from './service.ts';

const TAGS = ['key-log'];
const CONFIG = { auth: 'aal1', permission: 'messages:use', audit: 'none' } as const;

export function keyLogRoutes(deps: KeyLogServiceDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.get(
      '/v1/key-log/checkpoint',
      {
        config: CONFIG,
        schema: {
          summary: 'The signed checkpoint (C2SP signed note) of the key transparency log’s current tree',
          tags: TAGS,
          response: { 200: KeyLogCheckpointSchema },
        },
      },
      () => getKeyLogCheckpoint(deps),
    );

    app.get(
      '/v1/key-log/entries/:index',
      {
        config: CONFIG,
        schema: {
          summary: 'A key log entry with its RFC 9162 inclusion proof in the tree of a given size',
          tags: TAGS,
          params: KeyLogEntryParamsSchema,
          querystring: KeyLogEntryQuerySchema,
          response: { 200: KeyLogEntryWithProofSchema },
        },
      },
      (request) => getKeyLogEntry(deps, principalOf(request).accountId, Number(request.params.index), Number(request.query.treeSize)),
    );

    app.get(
      '/v1/key-log/consistency',
      {
        config: CONFIG,
        schema: {
          summary: 'RFC 9162 consistency proof between two sizes of the key transparency log',
          tags: TAGS,
          querystring: KeyLogConsistencyQuerySchema,
          response: { 200: KeyLogConsistencyProofSchema },
        },
      },
      (request) => getKeyLogConsistency(deps, Number(request.query.from), Number(request.query.to)),
    );
  };
}
