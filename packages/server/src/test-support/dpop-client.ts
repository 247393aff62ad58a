/**
 * @module test-support/dpop-client
 *
 * Drives a test app the way a mobile client does: one DPoP key per device, a fresh signed proof
 * per request (RFC 9449), the server nonce picked up from `DPoP-Nonce` and retried once when
 * the server asks for it. Real keys, real signatures: nothing in the server is bypassed.
 */
import { outboxMessages } from './outbox.ts';
import type { LightMyRequestResponse } from 'fastify';
import type { TokenResponse } from '@portcullis/protocol';
import type { App } from '../app.ts';
import { generateTestDPoPKey, signTestProof, type TestDPoPKey } from './dpop-proof.ts';
import { TEST_PUBLIC_URL } from './build-test-app.ts';

export interface DeviceRequest {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly payload?: unknown;
  /** Send `Authorization: DPoP <accessToken>` and bind the proof to it (`ath`). */
  readonly accessToken?: string;
  readonly headers?: Record<string, string>;
}

export class TestDevice {
  readonly key: TestDPoPKey;
  nonce: string | undefined;
  tokens: TokenResponse | undefined;
  /** The client address the server sees (inject's default is 127.0.0.1). */
  remoteAddress: string | undefined;

  constructor(
    readonly app: App,
    key?: TestDPoPKey,
  ) {
    this.key = key ?? generateTestDPoPKey('ES256');
  }

  /** A proof for one request, with the latest nonce. */
  proof(method: string, url: string, accessToken?: string): string {
    const htu = `${TEST_PUBLIC_URL}${url.split('?')[0] ?? url}`;
    return signTestProof(this.key, {
      htm: method,
      htu,
      now: this.app.portcullis.clock.now(),
      ...(this.nonce ? { nonce: this.nonce } : {}),
      ...(accessToken ? { accessToken } : {}),
    });
  }

  async send(request: DeviceRequest): Promise<LightMyRequestResponse> {
    const attempt = () =>
      this.app.inject({
        method: request.method,
        url: request.url,
        ...(this.remoteAddress ? { remoteAddress: this.remoteAddress } : {}),
        headers: {
          dpop: this.proof(request.method, request.url, request.accessToken),
          ...(request.accessToken ? { authorization: `DPoP ${request.accessToken}` } : {}),
          ...request.headers,
        },
        ...(request.payload === undefined ? {} : { payload: request.payload as Record<string, unknown> }),
      });
    let response = await attempt();
    this.remember(response);
    if (response.statusCode === 401 && response.json<{ code?: string }>().code === 'AUTH_DPOP_NONCE_REQUIRED') {
      response = await attempt();
      this.remember(response);
    }
    return response;
  }

  /** Same as `send`, with this device's current access token. */
  async call(method: DeviceRequest['method'], url: string, payload?: unknown): Promise<LightMyRequestResponse> {
    if (!this.tokens) throw new TypeError('device is not signed in');
    return this.send({ method, url, payload, accessToken: this.tokens.accessToken });
  }

  /**
   * Signs in with a password. A device the account has not used answers `MFA_REQUIRED` with
   * `reason: new_device`; like a person reading their mailbox, this answers it with the emailed
   * code, unless `confirmNewDevice: false` asks for the raw answer (the tests of that defence).
   */
  async signIn(email: string, password: string, options: { confirmNewDevice?: boolean } = {}): Promise<LightMyRequestResponse> {
    let response = await this.send({
      method: 'POST',
      url: '/v1/sessions',
      payload: { email, password, device: { label: 'Test phone', platform: 'ios' } },
    });
    const challenge = deviceChallengeOf(response);
    if (challenge !== undefined && options.confirmNewDevice !== false) response = await this.confirmDevice(email, challenge);
    if (response.statusCode === 201) this.tokens = response.json<TokenResponse>();
    return response;
  }

  /** Answers a device-confirmation challenge with the code emailed for it. */
  async confirmDevice(email: string, challenge: string): Promise<LightMyRequestResponse> {
    const sent = await this.send({ method: 'POST', url: '/v1/sessions/mfa/send', payload: { challenge, channel: 'email' } });
    if (sent.statusCode !== 202) return sent;
    const mail = await waitForMail(this.app, email.toLowerCase(), { subject: /sign-in code/i });
    return this.send({ method: 'POST', url: '/v1/sessions/mfa', payload: { challenge, method: 'email_code', code: codeIn(mail.body) } });
  }

  async refresh(refreshToken = this.tokens?.refreshToken): Promise<LightMyRequestResponse> {
    const response = await this.send({ method: 'POST', url: '/v1/sessions/refresh', payload: { refreshToken } });
    if (response.statusCode === 200) this.tokens = response.json<TokenResponse>();
    return response;
  }

  private remember(response: LightMyRequestResponse): void {
    const nonce = response.headers['dpop-nonce'];
    if (typeof nonce === 'string') this.nonce = nonce;
  }
}

/** The token of a `MFA_REQUIRED` answer that asks to confirm the device (new device, attack mode). */
export function deviceChallengeOf(response: LightMyRequestResponse): string | undefined {
  if (response.statusCode !== 401) return undefined;
  const problem = response.json<{ code?: string; challenge?: { token: string; reason?: string } }>();
  const reason = problem.challenge?.reason;
  return problem.code === 'MFA_REQUIRED' && (reason === 'new_device' || reason === 'attack_mode') ? problem.challenge?.token : undefined;
}

/** Polls the development outbox for the newest message to `to` (mail leaves off the request path). */
export async function waitForMail(
  app: App,
  to: string,
  options: { subject?: RegExp; timeoutMs?: number } = {},
): Promise<{ subject: string; body: string }> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  for (;;) {
    const rows = await outboxMessages(app, { to });
    const match = rows.find((row) => !options.subject || options.subject.test(row.subject));
    if (match) return { subject: match.subject, body: match.text };
    if (Date.now() > deadline) throw new Error(`no mail to ${to} within the timeout`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function codeIn(body: string): string {
  const code = /\b(\d{6,10})\b/.exec(body)?.[1];
  if (!code) throw new Error('no code in the message');
  return code;
}

/** Signs up and verifies an account through the API; returns its credentials. */
export async function createVerifiedAccount(
  app: App,
  device: TestDevice,
  email: string,
  password = 'correct horse battery staple',
): Promise<{ email: string; password: string }> {
  const signUp = await device.send({ method: 'POST', url: '/v1/accounts', payload: { email, password } });
  if (signUp.statusCode !== 202) throw new Error(`sign-up failed: ${signUp.body}`);
  const mail = await waitForMail(app, email, { subject: /confirm your email/i });
  // Verifying with a device (and its proof) makes it one the account has used: its password
  // sign-ins ask no new-device code, as for a person who signed up on this phone.
  const verify = await device.send({
    method: 'POST',
    url: '/v1/accounts/verify-email',
    payload: { email, code: codeIn(mail.body), device: { label: 'Test phone', platform: 'ios' } },
  });
  if (verify.statusCode !== 200) throw new Error(`verification failed: ${verify.body}`);
  return { email, password };
}
