/**
 * @module platform/logging/logger
 *
 * pino JSON logs with secrets and personal data removed before they are written. Redaction is
 * by key name (credential headers included) at any of the first five levels of a logged
 * object. The names are derived, not kept by hand: the fixed secrets and account fields below,
 * plus every field name the deployment declares in `records.types` — so a field added to a
 * declaration is redacted from the moment it exists. URLs are logged without their query string
 * values, and errors without driver-specific fields (PostgreSQL's `detail` echoes row values).
 * Tests send a token in every place a client could put one, and every declared field through
 * the API, and assert none of them reaches the output.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from '../../config/schema.ts';

export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are secrets, or personal data of the account itself (not declared records),
 * wherever they appear: credentials, tokens, codes, keys, the account's email and phone, and
 * the names a federated sign-in brings.
 */
export const SECRET_AND_ACCOUNT_KEYS: readonly string[] = [
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
  'proxy-authorization',
  'x-api-key',
  'cookie',
  'set-cookie',
  'dpop',
  'otp',
  'oneTimeCode',
  'verificationCode',
  'recoveryCode',
  'totp',
  'privateKey',
  'pin',
  'seed',
  'email',
  'phone',
  'phoneNumber',
  // Names an identity provider returns with a federated sign-in.
  'givenName',
  'familyName',
  'fullName',
];

/** Keys compare case-insensitively and without `-`/`_`, so `refresh_token`, `Refresh-Token` and `refreshToken` all match. */
function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

const MAX_DEPTH = 4;

export type Redactor = (value: unknown) => unknown;

/** Every key redacted for a deployment: the fixed ones and each field name its record types declare. */
export function sensitiveKeys(records: Pick<Config['records'], 'types'>): string[] {
  const declared = Object.values(records.types).flatMap((type) => Object.keys(type.fields));
  return [...new Set([...SECRET_AND_ACCOUNT_KEYS, ...declared])];
}

/**
 * Returns a function giving `value` with the value of every key in `keys` replaced, copying
 * only the objects it changes (the caller's objects are never mutated). Walks plain objects and
 * arrays only: class instances such as Fastify requests or errors are left to their serializers,
 * which emit a fixed, safe set of fields. Cheaper per log line than pino's path-based redaction,
 * which re-parses its wildcard paths on every call and on every per-request child logger.
 */
export function createRedactor(keys: readonly string[]): Redactor {
  const sensitive = new Set(keys.map(normalizeKey));
  const redact = (value: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      const items = value.map((item: unknown) => redact(item, depth + 1));
      return items.some((item, index) => item !== value[index]) ? items : value;
    }
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return value;
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      const original = record[key];
      const redacted = sensitive.has(normalizeKey(key)) ? REDACTED : redact(original, depth + 1);
      if (redacted !== original) {
        copy ??= { ...record };
        copy[key] = redacted;
      }
    }
    return copy ?? value;
  };
  return (value) => redact(value, 0);
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

export function loggerOptions(config: Pick<Config, 'log' | 'records'>): LoggerOptions {
  const redactSensitive = createRedactor(sensitiveKeys(config.records));
  return {
    level: config.log.level,
    serializers,
    timestamp: pino.stdTimeFunctions.isoTime,
    base: { service: 'portcullis' },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactSensitive(object) as Record<string, unknown>,
      bindings: (bindings) => redactSensitive(bindings) as Record<string, unknown>,
    },
  };
}

/** Creates the process logger; tests pass a destination to capture the output. */
export function createLogger(config: Pick<Config, 'log' | 'records'>, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(config), destination) : pino(loggerOptions(config));
}
