/**
 * Invariants of the SMTP adapter's transport security, against real SMTP servers with real TLS.
 * Outgoing mail carries one-time codes and the SMTP password, so:
 * - it never crosses the network in plaintext: to a host other than loopback, `smtp://` insists
 *   on STARTTLS and sends nothing (not even the envelope) when the server does not offer it;
 * - the server's certificate is always verified, for STARTTLS and for `smtps://`, and a
 *   failed upgrade never falls back to plaintext;
 * - configuration cannot switch either off.
 * ASVS 5.0 V12.3.1 (TLS for outbound connections, no fallback to plaintext) and V12.3.2 (TLS
 * clients validate server certificates).
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MailDeliveryError } from './mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';

const FROM = 'Portcullis <no-reply@portcullis.test>';
const MESSAGE = { to: 'alice@example.com', subject: 'Confirm your email address', text: 'Your code: 493021\n' };

interface Certificate {
  readonly key: string;
  readonly cert: string;
}

interface Observed {
  /** Every MAIL FROM the server saw, with whether the connection was encrypted at that point. */
  readonly envelopes: { readonly secure: boolean }[];
  readonly messages: { readonly secure: boolean; readonly raw: Buffer }[];
  readonly logins: { readonly secure: boolean; readonly username: string; readonly password: string }[];
}

interface TestServer extends Observed {
  readonly port: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A certificate for one IP address, issued by nobody: trusted only when passed as `ca`. */
async function certificateFor(ip: string): Promise<Certificate> {
  const generated = await generate([{ name: 'commonName', value: 'smtp.portcullis.test' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip }] },
    ],
  });
  return { key: generated.private, cert: generated.cert };
}

async function startServer(host: string, options: SMTPServerOptions): Promise<TestServer> {
  const observed: Observed = { envelopes: [], messages: [], logins: [] };
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    ...options,
    onAuth(auth, session, callback) {
      observed.logins.push({ secure: session.secure, username: auth.username ?? '', password: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    onMailFrom(_address, session, callback) {
      observed.envelopes.push({ secure: session.secure });
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        observed.messages.push({ secure: session.secure, raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  // The server's own TLS errors (a client rejecting its certificate) are expected here.
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.server.address() as AddressInfo;
  const handle = { ...observed, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  servers.push(handle);
  return handle;
}

function urlHost(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

async function sendError(promise: Promise<void>): Promise<MailDeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MailDeliveryError);
  return error as MailDeliveryError;
}

/** An address of this machine that is not loopback: connections to it count as "the network". */
const networkAddress = Object.values(networkInterfaces())
  .flat()
  .find((i): i is NetworkInterfaceInfo => i !== undefined && !i.internal && i.family === 'IPv4')?.address;

describe.skipIf(networkAddress === undefined)(
  `SMTP to a non-loopback host (${networkAddress ?? 'SKIPPED: this machine has no non-loopback IPv4 address'})`,
  () => {
    const ip = networkAddress ?? '';
    let certificate: Certificate;
    beforeAll(async () => {
      certificate = await certificateFor(ip);
    });

    it('sends nothing, not even the envelope or the password, when the server offers no STARTTLS', async () => {
      const server = await startServer(ip, { disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
      const mailer = createSmtpMailer({ smtpUrl: `smtp://mailer:hunter2@${urlHost(ip)}:${server.port}`, from: FROM });
      const error = await sendError(mailer.send(MESSAGE));
      expect(error.reason).toBe('ETLS');
      expect(server.logins).toEqual([]);
      expect(server.envelopes).toEqual([]);
      expect(server.messages).toEqual([]);
    });

    it('upgrades with STARTTLS to a server whose certificate verifies, then logs in and sends', async () => {
      const server = await startServer(ip, { ...certificate });
      const mailer = createSmtpMailer({ smtpUrl: `smtp://mailer:hunter2@${urlHost(ip)}:${server.port}`, from: FROM, ca: certificate.cert });
      await mailer.send(MESSAGE);
      expect(server.logins).toEqual([{ secure: true, username: 'mailer', password: 'hunter2' }]);
      expect(server.envelopes).toEqual([{ secure: true }]);
      expect(server.messages.map((m) => m.secure)).toEqual([true]);
      expect((await simpleParser(server.messages[0]?.raw as Buffer)).text).toBe(MESSAGE.text);
    });

    it('refuses a STARTTLS certificate it cannot verify and does not fall back to plaintext', async () => {
      const server = await startServer(ip, { ...certificate });
      const mailer = createSmtpMailer({ smtpUrl: `smtp://mailer:hunter2@${urlHost(ip)}:${server.port}`, from: FROM });
      await sendError(mailer.send(MESSAGE));
      expect(server.logins).toEqual([]);
      expect(server.envelopes).toEqual([]);
      expect(server.messages).toEqual([]);
    });

    it('refuses a certificate issued for another address, even from a trusted issuer', async () => {
      const other = await certificateFor('192.0.2.254');
      const server = await startServer(ip, { ...other });
      const mailer = createSmtpMailer({ smtpUrl: `smtp://${urlHost(ip)}:${server.port}`, from: FROM, ca: other.cert });
      await sendError(mailer.send(MESSAGE));
      expect(server.messages).toEqual([]);
    });
  },
);

describe('SMTP over implicit TLS (smtps://)', () => {
  let certificate: Certificate;
  beforeAll(async () => {
    certificate = await certificateFor('127.0.0.1');
  });

  it('sends to a server whose certificate verifies', async () => {
    const server = await startServer('127.0.0.1', { secure: true, ...certificate });
    const mailer = createSmtpMailer({ smtpUrl: `smtps://mailer:hunter2@127.0.0.1:${server.port}`, from: FROM, ca: certificate.cert });
    await mailer.send(MESSAGE);
    expect(server.logins).toEqual([{ secure: true, username: 'mailer', password: 'hunter2' }]);
    expect(server.messages.map((m) => m.secure)).toEqual([true]);
  });

  it('refuses a certificate it cannot verify, even on loopback', async () => {
    const server = await startServer('127.0.0.1', { secure: true, ...certificate });
    const mailer = createSmtpMailer({ smtpUrl: `smtps://mailer:hunter2@127.0.0.1:${server.port}`, from: FROM });
    await sendError(mailer.send(MESSAGE));
    expect(server.logins).toEqual([]);
    expect(server.messages).toEqual([]);
  });
});

describe('SMTP to loopback (smtp://127.0.0.1)', () => {
  it('still verifies the certificate when the server offers STARTTLS, and does not fall back to plaintext', async () => {
    // smtp-server's built-in certificate is self-signed: an upgrade to it must fail closed.
    const server = await startServer('127.0.0.1', { allowInsecureAuth: true });
    const mailer = createSmtpMailer({ smtpUrl: `smtp://127.0.0.1:${server.port}`, from: FROM });
    await sendError(mailer.send(MESSAGE));
    expect(server.envelopes).toEqual([]);
    expect(server.messages).toEqual([]);
  });
});

describe('configuration cannot weaken TLS', () => {
  it.each([
    'smtp://smtp.example.com?requireTLS=false',
    'smtp://smtp.example.com?ignoreTLS=true',
    'smtps://smtp.example.com?secure=false',
    'smtps://smtp.example.com?tls.rejectUnauthorized=false',
  ])('refuses %s at construction', (smtpUrl) => {
    expect(() => createSmtpMailer({ smtpUrl, from: FROM })).toThrow(TypeError);
  });
});
