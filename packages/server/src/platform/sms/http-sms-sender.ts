/**
 * @module platform/sms/http-sms-sender
 *
 * The production `SmsSender`: one JSON `POST` per message to the operator's SMS provider (or a
 * small relay in front of it), authenticated with a bearer token:
 *
 *     POST <sms.url>
 *     Authorization: Bearer <token>
 *     Content-Type: application/json
 *
 *     { "to": "+447700900123", "text": "…", "from": "<sms.senderId, when set>" }
 *
 * Any 2xx answer means accepted; the answer body is read and discarded. Transport security:
 * - `https://` is required unless the provider is on loopback (a relay on the same host), and
 *   the certificate is always verified: nothing here (not even the configuration) can turn
 *   verification off; extra trust anchors can only be added;
 * - redirects are never followed, since they would carry the token to another address;
 * - the whole exchange is bounded by a timeout, so a stalled provider cannot hold a sign-in.
 * Nothing is logged, and errors carry neither the number, the text, the token nor the
 * provider's answer (see `SmsDeliveryError`).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isLoopbackHost } from '../mailer/index.ts';
import { SmsDeliveryError, assertSmsMessage, type SmsDeliveryFailure, type SmsSender } from './sms-sender.ts';

export interface HttpSmsSenderOptions {
  /** `https://…` (or `http://` to a loopback host). No credentials in the URL. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** Alphanumeric sender id or number the provider shows as the sender, when it supports one. */
  readonly senderId?: string | undefined;
  /** Limit for the whole exchange (connect, send, answer). */
  readonly timeoutMs: number;
  /** Extra trust anchors (PEM) for a provider behind a private CA; added to, never replacing, verification. */
  readonly ca?: string | readonly string[];
}

// Header values must not be able to smuggle a second header.
const TOKEN_PATTERN = /^[\x21-\x7e]{8,4096}$/;

function parseProviderUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('sms.url is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('sms.url must start with https://');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new TypeError('sms.url must use https:// unless the provider is on this host (loopback)');
  }
  if (url.username !== '' || url.password !== '') throw new TypeError('sms.url must not hold credentials; use sms.tokenFile');
  if (url.hash !== '') throw new TypeError('sms.url must not have a fragment');
  return url;
}

function failureOf(error: unknown): SmsDeliveryFailure {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (/CERT|^ERR_TLS|^ERR_SSL|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) return 'tls';
  return 'network';
}

function failureOfStatus(status: number): SmsDeliveryFailure | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status >= 300 && status < 400) return 'provider_redirected';
  if (status === 429 || status >= 500) return 'provider_unavailable';
  return 'provider_refused';
}

/**
 * @example
 * const sms = createHttpSmsSender({ url: 'https://sms-relay.internal/v1/messages', token, timeoutMs: 5000 });
 * await sms.send({ to: '+447700900123', text: 'Your code is 123456' });
 */
export function createHttpSmsSender(options: HttpSmsSenderOptions): SmsSender {
  const url = parseProviderUrl(options.url);
  if (!TOKEN_PATTERN.test(options.token)) throw new TypeError('sms token must be 8 or more printable characters without spaces');
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 100)
    throw new TypeError('sms timeoutMs must be an integer of at least 100');
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const ca = options.ca === undefined ? undefined : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
  return {
    async send(message) {
      assertSmsMessage(message);
      const body = JSON.stringify({
        to: message.to,
        text: message.text,
        ...(options.senderId === undefined ? {} : { from: options.senderId }),
      });
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const settle = (error?: SmsDeliveryError): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const outgoing = request(
          url,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              accept: 'application/json',
              authorization: `Bearer ${options.token}`,
              'user-agent': 'Portcullis',
            },
            // TLS: Node verifies the certificate and the host name by default; `rejectUnauthorized`
            // is deliberately never set, and `ca` only adds anchors (ASVS V12.3.2).
            ...(ca === undefined ? {} : { ca }),
            minVersion: 'TLSv1.2',
          },
          (response: IncomingMessage) => {
            const failure = failureOfStatus(response.statusCode ?? 0);
            // Read and drop the answer: it may quote the number, and it is never needed.
            response.resume();
            response.once('end', () => {
              settle(failure === undefined ? undefined : new SmsDeliveryError(failure, { status: response.statusCode ?? 0 }));
            });
            response.once('error', () => {
              settle(
                failure === undefined
                  ? new SmsDeliveryError('network')
                  : new SmsDeliveryError(failure, { status: response.statusCode ?? 0 }),
              );
            });
          },
        );
        const timer = setTimeout(() => {
          settle(new SmsDeliveryError('timeout'));
          outgoing.destroy();
        }, options.timeoutMs);
        outgoing.once('error', (error) => {
          settle(new SmsDeliveryError(failureOf(error)));
        });
        outgoing.end(body);
      });
    },
  };
}
