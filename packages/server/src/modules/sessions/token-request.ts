/**
 * @module modules/sessions/token-request
 *
 * Token requests (sign-in, refresh) carry a DPoP proof without an access token (RFC 9449 §5);
 * its key's thumbprint becomes (or must match) the session's binding. Successful responses to
 * any request that carried a proof advertise the current server nonce (`DPoP-Nonce`, §8.2) so
 * clients rarely pay the nonce round trip.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BEARER_CLIENT_HEADER, DPOP_NONCE_HEADER } from '@portcullis/protocol';
import { bearerBinding } from './binding.ts';
import { buildHtu, type DPoPVerifier } from './dpop/index.ts';

/**
 * Verifies a token request's proof and returns the binding for the session: the thumbprint of
 * the proof's key, or `bearer:<client>` for an allowed bearer client that sent no proof.
 */
export type TokenRequestProof = (request: FastifyRequest) => Promise<string>;

export function createTokenRequestProof(dpop: DPoPVerifier, publicUrl: string, bearerClients: readonly string[] = []): TokenRequestProof {
  return async (request) => {
    const client = request.headers[BEARER_CLIENT_HEADER];
    if (request.headers.dpop === undefined && typeof client === 'string' && bearerClients.includes(client)) return bearerBinding(client);
    // Anyone else, a named client included, must prove a key: a missing proof fails here.
    const proof = await dpop.verify(request.headers.dpop, { method: request.method, htu: buildHtu(publicUrl, request.url) });
    return proof.jkt;
  };
}

export function registerDPoPNonceAdvertising(app: FastifyInstance, dpop: DPoPVerifier): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.headers.dpop !== undefined && !reply.hasHeader(DPOP_NONCE_HEADER)) {
      const nonce = dpop.currentNonce();
      if (nonce !== undefined) void reply.header(DPOP_NONCE_HEADER, nonce);
    }
    done(null, payload);
  });
}
