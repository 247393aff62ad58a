/**
 * @module platform/logging/logger
 *
 * pino JSON logs with secrets and personal data removed before they are written. Redaction is
 * by key name at any of the first three levels of a log object, plus the credential-bearing
 * request headers; URLs are logged without their query string values, and errors without
 * driver-specific fields (PostgreSQL's `detail` echoes row values). A test sends a token in
 * every place a client could put one and asserts it never reaches the output.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from '../../config/schema.ts';

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets or personal data wherever they appear. */
export const SENSITIVE_KEYS: readonly string[] = [
  'password',
  'newPassword',
  'currentPassword',
  'passphrase',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'authorization',
  'cookie',
  'dpop',
  'otp',
  'oneTimeCode',
  'verificationCode',
  'recoveryCode',
  'totp',
  'privateKey',
  'seed',
  'email',
  'phone',
  'phoneNumber',
  'givenName',
  'familyName',
  'fullName',
  'displayName',
  'dateOfBirth',
  'address',
];

const SENSITIVE_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'dpop', 'x-api-key'];

function redactPaths(): string[] {
  const keyPaths = SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
  const headerPaths = SENSITIVE_HEADERS.map((header) => `req.headers["${header}"]`);
  return [...keyPaths, ...headerPaths, 'res.headers["set-cookie"]'];
}

/** `/v1/x?token=abc&b=1` → `/v1/x?token=[REDACTED]&b=[REDACTED]`: names help debugging, values may be secrets. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const names = url
    .slice(queryStart + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=')[0] ?? ''}=${REDACTED}`);
  return `${url.slice(0, queryStart)}?${names.join('&')}`;
}

interface SerializableRequest {
  method?: string;
  url?: string;
  id?: unknown;
}

interface SerializableError {
  name?: string;
  message?: string;
  code?: unknown;
  stack?: string;
  type?: string;
}

export const serializers = {
  req: (request: SerializableRequest) => ({ method: request.method, url: redactUrl(request.url ?? '') }),
  err: (error: SerializableError) => ({
    type: error.name ?? error.type,
    message: error.message,
    code: typeof error.code === 'string' || typeof error.code === 'number' ? error.code : undefined,
    stack: error.stack,
  }),
};

export function loggerOptions(config: Pick<Config, 'log'>): LoggerOptions {
  return {
    level: config.log.level,
    redact: { paths: redactPaths(), censor: REDACTED },
    serializers,
    timestamp: pino.stdTimeFunctions.isoTime,
    base: { service: 'portcullis' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** Creates the process logger; tests pass a destination to capture the output. */
export function createLogger(config: Pick<Config, 'log'>, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(config), destination) : pino(loggerOptions(config));
}
