/**
 * The SMTP adapter against a real SMTP server (smtp-server on a loopback port): what arrives is
 * parsed with mailparser, failures surface as `MailDeliveryError` without personal data, and
 * the URL is turned into transport options without ever echoing it. TLS invariants are in
 * smtp-mailer.security.test.ts.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createMailer } from './create-mailer.ts';
import { MailDeliveryError } from './mailer.ts';
import { SMTP_TIMEOUT_MS, createSmtpMailer, isLoopbackHost, smtpTransportOptions } from './smtp-mailer.ts';

const FROM = 'Portcullis <no-reply@portcullis.test>';

interface CaptureServer {
  readonly url: string;
  readonly received: Buffer[];
  close(): Promise<void>;
}

const servers: CaptureServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A plaintext SMTP server on loopback that keeps every message it accepts. */
async function startCaptureServer(options: SMTPServerOptions = {}): Promise<CaptureServer> {
  const received: Buffer[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    ...options,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address() as AddressInfo;
  const capture = {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  servers.push(capture);
  return capture;
}

describe('SMTP mailer delivery', () => {
  it('delivers a plain-text message with the configured sender', async () => {
    const server = await startCaptureServer();
    const mailer = createSmtpMailer({ smtpUrl: server.url, from: FROM });
    const text = 'Use this code to confirm your email address:\n\n    493021\n\nIt is valid for 15 minutes.\n';
    await mailer.send({ to: 'alice@example.com', subject: 'Confirm your email address', text });

    expect(server.received).toHaveLength(1);
    const parsed = await simpleParser(server.received[0] as Buffer);
    expect(parsed.from?.value).toEqual([{ name: 'Portcullis', address: 'no-reply@portcullis.test' }]);
    expect(Array.isArray(parsed.to) ? undefined : parsed.to?.value.map((a) => a.address)).toEqual(['alice@example.com']);
    expect(parsed.subject).toBe('Confirm your email address');
    expect(parsed.text).toBe(text);
    expect(parsed.html).toBe(false); // plain text only
    expect(parsed.attachments).toEqual([]);
  });

  it('keeps non-ASCII text intact', async () => {
    const server = await startCaptureServer();
    const mailer = createSmtpMailer({ smtpUrl: server.url, from: FROM });
    await mailer.send({ to: 'zoë@example.com', subject: 'Bestätigung – código', text: 'Grüße, 東京 — ok\n' });
    const parsed = await simpleParser(server.received[0] as Buffer);
    expect(parsed.subject).toBe('Bestätigung – código');
    expect(parsed.text).toBe('Grüße, 東京 — ok\n');
  });

  it('createMailer sends through SMTP when mail.smtpUrl is set, whatever the environment', async () => {
    const server = await startCaptureServer();
    for (const environment of ['development', 'test', 'production'] as const) {
      const mailer = createMailer(
        { environment, mail: { smtpUrl: server.url, from: FROM } },
        // The outbox dependency is never touched when SMTP is configured.
        { db: undefined as never, clock: { now: () => 0 }, dataProtection: undefined as never },
      );
      await mailer.send({ to: 'bob@example.com', subject: environment, text: 'hello\n' });
    }
    const subjects = await Promise.all(server.received.map(async (raw) => (await simpleParser(raw)).subject));
    expect(subjects).toEqual(['development', 'test', 'production']);
  });

  it('rejects a refused recipient with a generic MailDeliveryError that names neither recipient nor content', async () => {
    const server = await startCaptureServer({
      onRcptTo(_address, _session, callback) {
        const error = Object.assign(new Error('No such user here'), { responseCode: 550 });
        callback(error);
      },
    });
    const mailer = createSmtpMailer({ smtpUrl: server.url, from: FROM });
    const error = await mailer.send({ to: 'ghost@example.com', subject: 'Code', text: 'code 123456\n' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailDeliveryError);
    const delivery = error as MailDeliveryError;
    expect(delivery.message).toBe('The email could not be handed to the mail server');
    expect(delivery.message).not.toMatch(/ghost|123456/);
    expect(delivery.reason).toBe('EENVELOPE');
    expect(delivery.responseCode).toBe(550);
    expect(delivery.cause).toBeInstanceOf(Error);
    expect(server.received).toEqual([]);
  });

  it('rejects with MailDeliveryError when nothing listens', async () => {
    const server = await startCaptureServer();
    await server.close();
    servers.length = 0;
    const mailer = createSmtpMailer({ smtpUrl: server.url, from: FROM });
    const error = await mailer.send({ to: 'alice@example.com', subject: 'x', text: 'y\n' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect((error as MailDeliveryError).reason).toMatch(/^E[A-Z]+$/);
  });

  it('refuses a message with header-breaking fields before connecting (TypeError)', async () => {
    const server = await startCaptureServer();
    const mailer = createSmtpMailer({ smtpUrl: server.url, from: FROM });
    await expect(mailer.send({ to: 'a@example.com', subject: 'Hi\r\nBcc: eve@example.com', text: 'x' })).rejects.toThrow(TypeError);
    await expect(mailer.send({ to: 'a@example.com, eve@example.com', subject: 'Hi', text: 'x' })).rejects.toThrow(TypeError);
    await expect(mailer.send({ to: 'a@example.com', subject: 'Hi', text: '' })).rejects.toThrow(TypeError);
    expect(server.received).toEqual([]);
  });
});

describe('SMTP URL → transport options', () => {
  it('reads host, port, implicit TLS and percent-encoded credentials from the URL', () => {
    const options = smtpTransportOptions({ smtpUrl: 'smtps://mail%40example.com:p%40ss%3Aword@smtp.example.com:465', from: FROM });
    expect(options).toMatchObject({
      host: 'smtp.example.com',
      port: 465,
      secure: true,
      requireTLS: false,
      auth: { user: 'mail@example.com', pass: 'p@ss:word' },
    });
  });

  it('leaves the port to the scheme default and omits auth when the URL has none', () => {
    const options = smtpTransportOptions({ smtpUrl: 'smtp://smtp.example.com', from: FROM });
    expect(options.port).toBeUndefined();
    expect(options.auth).toBeUndefined();
    expect(options.secure).toBe(false);
  });

  it('requires STARTTLS for smtp:// to any host but loopback', () => {
    expect(smtpTransportOptions({ smtpUrl: 'smtp://smtp.example.com:587', from: FROM }).requireTLS).toBe(true);
    expect(smtpTransportOptions({ smtpUrl: 'smtp://10.0.0.5:25', from: FROM }).requireTLS).toBe(true);
    expect(smtpTransportOptions({ smtpUrl: 'smtp://127.0.0.1:25', from: FROM }).requireTLS).toBe(false);
    expect(smtpTransportOptions({ smtpUrl: 'smtp://localhost:1025', from: FROM }).requireTLS).toBe(false);
    expect(smtpTransportOptions({ smtpUrl: 'smtp://[::1]:25', from: FROM })).toMatchObject({ host: '::1', requireTLS: false });
  });

  it('bounds every network wait and keeps nodemailer logging, file and URL access off', () => {
    const options = smtpTransportOptions({ smtpUrl: 'smtp://smtp.example.com', from: FROM });
    expect(SMTP_TIMEOUT_MS).toBe(10_000);
    expect(options).toMatchObject({
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
      dnsTimeout: SMTP_TIMEOUT_MS,
      logger: false,
      debug: false,
      disableFileAccess: true,
      disableUrlAccess: true,
      tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2' },
    });
  });

  it.each([
    ['not a URL', '//user:hunter2@smtp.example.com', /not a valid URL/],
    ['another scheme', 'https://user:hunter2@smtp.example.com', /smtp:\/\/ or smtps:\/\//],
    ['a query string', 'smtps://user:hunter2@smtp.example.com?tls.rejectUnauthorized=false', /query parameters/],
    ['a fragment', 'smtps://user:hunter2@smtp.example.com#x', /fragment/],
    ['a path', 'smtps://user:hunter2@smtp.example.com/relay', /path/],
    ['bad percent-encoding', 'smtps://user:hunt%zz@smtp.example.com', /percent-encoding/],
  ])('refuses %s with a TypeError that does not echo the URL', (_case, smtpUrl, message) => {
    let thrown: unknown;
    try {
      smtpTransportOptions({ smtpUrl, from: FROM });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as TypeError).message).toMatch(message);
    expect((thrown as TypeError).message).not.toMatch(/hunter2|hunt%zz|example\.com/);
  });

  it('refuses a multi-line sender', () => {
    expect(() => smtpTransportOptions({ smtpUrl: 'smtp://localhost', from: 'a@example.com\r\nBcc: eve@example.com' })).toThrow(TypeError);
  });

  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['localhost.example.com', false],
    ['mail.localhost.evil', false],
    ['::ffff:8.8.8.8', false],
    ['smtp.example.com', false],
  ])('isLoopbackHost(%s) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
