/**
 * @module platform/mailer/smtp-mailer
 *
 * The production `Mailer`: nodemailer over SMTP, with TLS required and certificates verified.
 * The URL is parsed here rather than by nodemailer because nodemailer lets query parameters
 * override transport options (`?tls.rejectUnauthorized=false`, `?ignoreTLS=true`): a URL with a
 * query string is refused, so configuration can name a server but never weaken TLS.
 * No body, recipient or credential is ever logged (nodemailer's logger stays off) or put in
 * an error message.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type * as Nodemailer from 'nodemailer';
import type { SMTPTransportOptions, Transporter } from 'nodemailer';
import { MailDeliveryError, assertMailMessage, type Mailer } from './mailer.ts';

export interface SmtpMailerOptions {
  /** `smtp://[user:pass@]host[:port]` (STARTTLS) or `smtps://…` (implicit TLS, usually port 465). */
  readonly smtpUrl: string;
  /** Sender of every message, e.g. `Portcullis <no-reply@example.com>`. */
  readonly from: string;
  /**
   * Extra trust anchors (PEM) for a server whose certificate comes from a private CA. They are
   * added to verification; verification itself can never be turned off.
   */
  readonly ca?: string | readonly string[];
}

let loaded: Promise<typeof Nodemailer> | undefined;

/** Lazy: without an SMTP server configured the library would only take memory in every process. */
function loadNodemailer(): Promise<typeof Nodemailer> {
  loaded ??= import('nodemailer');
  return loaded;
}

/** Connect, greeting and inactivity limits: a stalled mail server must not hold a request for minutes. */
export const SMTP_TIMEOUT_MS = 10_000;

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** `localhost`, 127.0.0.0/8 or `::1` (brackets allowed): traffic that never leaves this host. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost') return true;
  if (isIPv4(name)) return LOOPBACK.check(name, 'ipv4');
  if (isIPv6(name)) return LOOPBACK.check(name, 'ipv6');
  return false;
}

function decodeCredential(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new TypeError('mail.smtpUrl: the user name or password is not valid percent-encoding');
  }
}

/**
 * The nodemailer options for `options.smtpUrl`. Throws `TypeError` (start-up misconfiguration)
 * for anything but a plain `smtp://` or `smtps://` URL; messages never echo the URL, which
 * usually holds a password.
 *
 * TLS policy:
 * - `smtps://`: TLS from the first byte; the certificate and host name are verified.
 * - `smtp://` to any other host than loopback: `requireTLS`, so the client insists on STARTTLS
 *   and fails rather than continue in plaintext. Without it nodemailer upgrades only when the
 *   server advertises STARTTLS, and an attacker on the path can strip that advertisement and
 *   read the password and every one-time code (STARTTLS stripping).
 * - `smtp://` to loopback: STARTTLS when offered (still verified), plaintext otherwise. A
 *   relay on the same host (a local Postfix, a Mailpit capture during development) often has
 *   no certificate, and the connection never leaves the machine, so there is no path to attack.
 *
 * @example
 * smtpTransportOptions({ smtpUrl: 'smtps://mailer:secret@smtp.example.com', from: 'Portcullis <no-reply@example.com>' });
 * // → { host: 'smtp.example.com', secure: true, requireTLS: false, auth: { user: 'mailer', pass: 'secret' }, … }
 */
export function smtpTransportOptions(options: SmtpMailerOptions): SMTPTransportOptions {
  let url: URL;
  try {
    url = new URL(options.smtpUrl);
  } catch {
    throw new TypeError('mail.smtpUrl is not a valid URL');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new TypeError('mail.smtpUrl must start with smtp:// or smtps://');
  }
  if (url.hostname === '') throw new TypeError('mail.smtpUrl must name a host');
  if (url.search !== '' || url.hash !== '' || (url.pathname !== '' && url.pathname !== '/')) {
    throw new TypeError('mail.smtpUrl must not have a path, query parameters or a fragment (they could change TLS settings)');
  }
  if (/[\r\n]/.test(options.from)) throw new TypeError('mail.from must be one line');

  const secure = url.protocol === 'smtps:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const user = decodeCredential(url.username);
  const pass = decodeCredential(url.password);
  const ca = typeof options.ca === 'string' ? [options.ca] : options.ca ? [...options.ca] : undefined;
  return {
    host,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    secure,
    requireTLS: !secure && !isLoopbackHost(host),
    ...(user || pass ? { auth: { user, pass } } : {}),
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    dnsTimeout: SMTP_TIMEOUT_MS,
    // Stated rather than left to defaults: these are the properties the module promises.
    tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) },
    // nodemailer's logger would print envelopes and, at debug level, message bodies.
    logger: false,
    debug: false,
    // Messages are plain text built by us; no attachment may ever read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * The SMTP `Mailer`. The URL is checked at construction (so a bad setting stops start-up); the
 * first `send` loads nodemailer, and each `send` opens one connection. A failed send rejects with
 * `MailDeliveryError`.
 *
 * @example
 * const mailer = createSmtpMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from });
 * await mailer.send({ to: 'alice@example.com', ...emailVerificationMessage({ code, validForMinutes: 15 }) });
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const transportOptions = smtpTransportOptions(options);
  let transport: Promise<Transporter> | undefined;
  return {
    async send(message) {
      assertMailMessage(message);
      transport ??= loadNodemailer().then(({ createTransport }) => createTransport(transportOptions));
      const smtp = await transport;
      try {
        await smtp.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
      } catch (error) {
        throw new MailDeliveryError({ cause: error });
      }
    },
  };
}
