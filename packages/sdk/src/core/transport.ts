/**
 * @module core/transport
 *
 * One request to the Portcullis origin: a fresh DPoP proof when asked for, the server's latest
 * nonce in it, one retry when the server answers with a nonce challenge (RFC 9449 §8/§9), and
 * transport failures turned into `NETWORK_ERROR` with their cause. Also turns an answer into
 * its parsed body or the error it stands for. Knows nothing of tokens or refresh. Internal.
 */
import type { ResolvedClientOptions } from '../client-options.ts';
import { DpopNonceCache } from '../dpop/nonce.ts';
import { signDpopProof } from '../dpop/sign-dpop-proof.ts';
import { ClientError } from '../errors.ts';
import { isNonceChallenge } from '../http/challenges.ts';
import { errorFromResponse } from '../http/error-from-response.ts';
import { discardBody, readJson } from '../http/read-json.ts';
import { DPOP_HEADER } from '../lib/wire-constants.ts';
import { networkFailureMessage } from './network-failure.ts';

/** A proof to attach: the key, and the access token when the request is authenticated. */
export interface ProofSpec {
  readonly key: CryptoKeyPair;
  readonly accessToken?: string | undefined;
}

/** Checks a success body; `undefined` when it does not have the documented shape. */
export type ParseBody<T> = (body: unknown) => T | undefined;

export class DpopTransport {
  readonly #options: ResolvedClientOptions;
  readonly #nonces = new DpopNonceCache();

  constructor(options: ResolvedClientOptions) {
    this.#options = options;
  }

  /** `path` (`/v1/...`) under the base URL. */
  url(path: string): URL {
    return new URL(`${this.#options.baseUrl}${path}`);
  }

  /**
   * Sends a request, with a fresh DPoP proof when `proof` is given, and answers a nonce
   * challenge once: the retry carries the nonce the challenge handed out. Every response's
   * `DPoP-Nonce` is remembered for later proofs.
   */
  async send(url: URL, init: RequestInit, proof?: ProofSpec): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers(init.headers);
      const nonce = this.#nonces.get(url);
      if (proof !== undefined) {
        const htm = init.method ?? 'GET';
        headers.set(
          DPOP_HEADER,
          await signDpopProof({ key: proof.key, htm, htu: url, accessToken: proof.accessToken, nonce, clock: this.#options.clock }),
        );
        if (proof.accessToken !== undefined) headers.set('authorization', `DPoP ${proof.accessToken}`);
      }
      const response = await this.#fetchOnce(url, { ...init, headers });
      this.#nonces.remember(url, response);
      const offered = this.#nonces.get(url);
      if (proof !== undefined && attempt === 0 && offered !== undefined && offered !== nonce && (await isNonceChallenge(response))) {
        await discardBody(response);
        continue;
      }
      return response;
    }
  }

  /** The parsed success body, or the `ApiError`/`ClientError` the response stands for. */
  async result<T>(response: Response, context: string, parse: ParseBody<T>): Promise<T> {
    if (!response.ok) throw await errorFromResponse(response, context);
    const value = parse(await readJson(response));
    if (value === undefined) {
      throw new ClientError('INVALID_RESPONSE', `The answer to ${context} does not match the protocol`, { status: response.status });
    }
    return value;
  }

  /** One `fetch`, with transport failures mapped to `NETWORK_ERROR` (a caller's abort passes through). */
  async #fetchOnce(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await this.#options.fetch(url, init);
    } catch (cause) {
      if (init.signal?.aborted === true) throw cause;
      throw new ClientError('NETWORK_ERROR', networkFailureMessage(url, cause), { cause });
    }
  }
}
