/**
 * The HTTP SMS adapter against real local HTTP and HTTPS servers started here. Texts carry
 * one-time codes and go to personal numbers, and the request carries the provider's credential,
 * so:
 * - the message is one JSON `POST` with the bearer token, and only a 2xx answer counts as sent;
 *   every other answer (4xx, 429/5xx, a redirect — never followed) is a typed failure;
 * - a stalled provider cannot hold the caller beyond the timeout;
 * - the provider's certificate is always verified (a self-signed one is refused unless added as
 *   a trust anchor), and plain `http://` is refused except to loopback;
 * - no failure carries the token, the number, the text or the provider's answer.
 * ASVS 5.0 V12.3.1 (TLS for outbound connections), V12.3.2 (certificates validated), V13.3.1
 * (the credential is never exposed), V16.2.5 (nothing sensitive in errors that reach the logs).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpSmsSender } from './http-sms-sender.ts';
import { SmsDeliveryError } from './sms-sender.ts';

const TOKEN = 'tok_9b1f3c7d5e2a4f60';
const MESSAGE = { to: '+447700900123', text: 'Portcullis: 402718 is your sign-in code. Valid 5 min.' };

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(server: Server, received: Received[], handler: Handler): Promise<number> {
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method, url: request.url, headers: request.headers, body });
      handler(request, response, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function provider(handler: Handler): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const port = await listen(createHttpServer(), received, handler);
  return { url: `http://127.0.0.1:${String(port)}/v1/messages`, received };
}

const answerWith =
  (status: number, body = '{}', headers: Record<string, string> = {}): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  };

async function failureOf(promise: Promise<unknown>): Promise<SmsDeliveryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SmsDeliveryError) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

function expectNothingSensitive(error: SmsDeliveryError): void {
  const text = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
  for (const secret of [TOKEN, MESSAGE.to, MESSAGE.to.slice(1), '402718', 'upstream echo']) expect(text).not.toContain(secret);
}

describe('HTTP SMS adapter', () => {
  it('posts one JSON message with the bearer token; a 2xx answer means sent', async () => {
    const { url, received } = await provider(answerWith(202, '{"id":"msg_1"}'));
    await createHttpSmsSender({ url, token: TOKEN, senderId: 'Portcullis', timeoutMs: 2000 }).send(MESSAGE);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/v1/messages' });
    expect(received[0]?.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' });
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({ ...MESSAGE, from: 'Portcullis' });
  });

  it.each([
    [400, 'provider_refused'],
    [401, 'provider_refused'],
    [422, 'provider_refused'],
    [429, 'provider_unavailable'],
    [500, 'provider_unavailable'],
    [503, 'provider_unavailable'],
  ] as const)('answers %i as %s, with the status and nothing the provider said', async (status, reason) => {
    const { url } = await provider(answerWith(status, `{"error":"upstream echo ${MESSAGE.to} ${TOKEN}"}`));
    const error = await failureOf(createHttpSmsSender({ url, token: TOKEN, timeoutMs: 2000 }).send(MESSAGE));
    expect([error.reason, error.status]).toEqual([reason, status]);
    expectNothingSensitive(error);
  });

  it('never follows a redirect, which would carry the token elsewhere', async () => {
    const elsewhere = await provider(answerWith(202));
    const { url, received } = await provider(answerWith(307, '', { location: elsewhere.url }));
    const error = await failureOf(createHttpSmsSender({ url, token: TOKEN, timeoutMs: 2000 }).send(MESSAGE));
    expect([error.reason, error.status]).toEqual(['provider_redirected', 307]);
    expect(received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('gives up on a provider that does not answer within the timeout', async () => {
    const { url } = await provider(() => undefined); // never answers
    const started = Date.now();
    const error = await failureOf(createHttpSmsSender({ url, token: TOKEN, timeoutMs: 300 }).send(MESSAGE));
    expect(error.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    expectNothingSensitive(error);
  });

  it('reports a refused connection as a network failure', async () => {
    const { url } = await provider(answerWith(202));
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    const error = await failureOf(createHttpSmsSender({ url, token: TOKEN, timeoutMs: 2000 }).send(MESSAGE));
    expect(error.reason).toBe('network');
    expectNothingSensitive(error);
  });

  it('refuses plain http:// off loopback, credentials in the URL, a weak token and malformed messages (misuse: TypeError)', async () => {
    expect(() => createHttpSmsSender({ url: 'http://sms.example.com/send', token: TOKEN, timeoutMs: 2000 })).toThrow(/https/);
    expect(() => createHttpSmsSender({ url: 'https://user:pass@sms.example.com/send', token: TOKEN, timeoutMs: 2000 })).toThrow(
      /credentials/,
    );
    expect(() => createHttpSmsSender({ url: 'ftp://sms.example.com', token: TOKEN, timeoutMs: 2000 })).toThrow(TypeError);
    expect(() => createHttpSmsSender({ url: 'https://sms.example.com', token: 'short', timeoutMs: 2000 })).toThrow(TypeError);
    expect(() => createHttpSmsSender({ url: 'https://sms.example.com', token: `${TOKEN}\r\nx-evil: 1`, timeoutMs: 2000 })).toThrow(
      TypeError,
    );
    const { url, received } = await provider(answerWith(202));
    const sender = createHttpSmsSender({ url, token: TOKEN, timeoutMs: 2000 });
    for (const message of [
      { to: '07700900123', text: 'x' },
      { to: MESSAGE.to, text: '' },
      { to: MESSAGE.to, text: 'a\u0000b' },
      { to: MESSAGE.to, text: 'x'.repeat(460) },
    ]) {
      await expect(sender.send(message)).rejects.toThrow(TypeError);
    }
    expect(received).toHaveLength(0);
  });
});

describe('HTTP SMS adapter over TLS', () => {
  let certificate: { key: string; cert: string };
  beforeAll(async () => {
    const generated = await generate([{ name: 'commonName', value: 'sms.portcullis.test' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      ],
    });
    certificate = { key: generated.private, cert: generated.cert };
  });

  async function tlsProvider(): Promise<{ url: string; received: Received[] }> {
    const received: Received[] = [];
    const port = await listen(createHttpsServer({ key: certificate.key, cert: certificate.cert }), received, answerWith(202));
    return { url: `https://127.0.0.1:${String(port)}/v1/messages`, received };
  }

  it('V12.3.2: refuses a certificate nobody vouches for, and sends nothing (not even the token)', async () => {
    const { url, received } = await tlsProvider();
    const error = await failureOf(createHttpSmsSender({ url, token: TOKEN, timeoutMs: 2000 }).send(MESSAGE));
    expect(error.reason).toBe('tls');
    expect(received).toHaveLength(0);
    expectNothingSensitive(error);
  });

  it('accepts the same server once its certificate is a configured trust anchor', async () => {
    const { url, received } = await tlsProvider();
    await createHttpSmsSender({ url, token: TOKEN, timeoutMs: 2000, ca: certificate.cert }).send(MESSAGE);
    expect(received).toHaveLength(1);
    expect(received[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});
