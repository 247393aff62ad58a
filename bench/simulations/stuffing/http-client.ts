/**
 * @module bench/simulations/stuffing/http-client
 *
 * Real HTTP over loopback from a chosen source address: every request binds its socket to the
 * address of the party sending it (`localAddress`), so the server sees each person's or each
 * attacker's own network exactly as it would behind no proxy. Connections are kept alive per
 * source address, as a phone or a bot keeps its connection. DPoP-protected requests carry a
 * fresh proof of the sender's key and the server's current nonce, learned the way a client
 * learns it (RFC 9449 section 8: one retry after `AUTH_DPOP_NONCE_REQUIRED`).
 */
import http from 'node:http';
import { BENCH_PUBLIC_URL } from '../../benchmarks/support/portcullis.ts';
import { proofFactory, type DPoPKey } from '../../lib/dpop.ts';

const REQUEST_TIMEOUT_MS = 60_000;

export interface Answer {
  readonly status: number;
  /** `code` of a problem+json answer; undefined on success. */
  readonly code: string | undefined;
  readonly body: unknown;
}

/** `status` alone, or `status code`: what the tallies and the unexpected-answer check key on. */
export function answerKey(answer: Answer): string {
  return answer.code === undefined ? String(answer.status) : `${answer.status} ${answer.code}`;
}

class StaleConnectionError extends Error {
  constructor(path: string, options: ErrorOptions) {
    super(`POST ${path}: the kept-alive connection was closed by the server`, options);
  }
}

export interface Sender {
  /** Loopback source address the socket binds to. */
  readonly from: string;
  /** DPoP key the proof is signed with; none for the few public routes that take no proof. */
  readonly key?: DPoPKey;
}

export class LoopbackClient {
  readonly #url: URL;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  #nonce: string | undefined;

  constructor(origin: string) {
    this.#url = new URL(origin);
  }

  /** POSTs JSON; with a key, as a DPoP-protected request following the server's nonce. */
  async post(path: string, payload: object, sender: Sender): Promise<Answer> {
    const body = JSON.stringify(payload);
    for (let round = 0; ; round += 1) {
      const headers: Record<string, string> = {};
      if (sender.key) {
        const nonce = this.#nonce;
        headers['dpop'] = proofFactory(sender.key, { htm: 'POST', htu: BENCH_PUBLIC_URL + path, ...(nonce ? { nonce } : {}) })();
      }
      const answer = await this.#sendOnce(path, body, headers, sender.from);
      if (answer.code === 'AUTH_DPOP_NONCE_REQUIRED' && round === 0) continue;
      return answer;
    }
  }

  /** Closes every kept-alive connection. */
  close(): void {
    this.#agent.destroy();
  }

  /**
   * A kept-alive connection the server closed for idleness just as the request went out fails
   * with ECONNRESET before the server read anything: sent again on a new connection, as HTTP
   * clients do (Node's documentation of `request.reusedSocket`).
   */
  async #sendOnce(path: string, body: string, headers: Record<string, string>, from: string): Promise<Answer> {
    try {
      return await this.#send(path, body, headers, from);
    } catch (error) {
      if (!(error instanceof StaleConnectionError)) throw error;
      return this.#send(path, body, headers, from);
    }
  }

  #send(path: string, body: string, headers: Record<string, string>, from: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: this.#url.hostname,
          port: this.#url.port,
          path,
          method: 'POST',
          localAddress: from,
          agent: this.#agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const nonce = response.headers['dpop-nonce'];
            if (typeof nonce === 'string') this.#nonce = nonce;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = undefined;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = text;
            }
            const status = response.statusCode ?? 0;
            const code =
              status >= 400 && typeof parsed === 'object' && parsed !== null && 'code' in parsed && typeof parsed.code === 'string'
                ? parsed.code
                : status >= 400
                  ? 'UNREADABLE'
                  : undefined;
            resolve({ status, code, body: parsed });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`POST ${path} from ${from}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      request.on('error', (error: NodeJS.ErrnoException) => {
        reject(request.reusedSocket && error.code === 'ECONNRESET' ? new StaleConnectionError(path, { cause: error }) : error);
      });
      request.end(body);
    });
  }
}
