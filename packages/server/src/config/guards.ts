/**
 * @module config/guards
 *
 * Rules that a schema cannot express: combinations that are insecure or cannot work. In
 * production every insecure default is an error; in development each one is a loud warning.
 */
import type { Config } from './schema.ts';

export interface GuardResult {
  readonly errors: string[];
  readonly warnings: string[];
}

function parseOrigin(value: string): URL | undefined {
  try {
    const url = new URL(value);
    const isBareOrigin = url.pathname === '/' && url.search === '' && url.hash === '' && !value.endsWith('/');
    return isBareOrigin && url.username === '' && url.password === '' ? url : undefined;
  } catch {
    return undefined;
  }
}

export function checkConfigGuards(config: Config): GuardResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const production = config.environment === 'production';
  const insecure = (message: string): void => {
    (production ? errors : warnings).push(message);
  };

  const publicUrl = parseOrigin(config.publicUrl);
  if (!publicUrl || !['https:', 'http:'].includes(publicUrl.protocol)) {
    errors.push('publicUrl: must be an origin such as https://auth.example.com (no path, query or credentials)');
  } else if (publicUrl.protocol !== 'https:') {
    insecure('publicUrl: must use https:// (HTTPS only); http:// is refused in production');
  }

  const { tls } = config.http;
  if (tls.mode === 'files' && (!tls.certFile || !tls.keyFile)) {
    errors.push('http.tls: mode "files" needs both certFile and keyFile');
  }
  if (tls.mode === 'self-signed') {
    insecure('http.tls.mode: "self-signed" uses a generated development certificate; production needs "files" or "upstream"');
  }

  for (const origin of config.http.cors.allowedOrigins) {
    if (origin === '*') {
      insecure('http.cors.allowedOrigins: "*" lets every website call the API; list exact origins');
    } else if (!parseOrigin(origin)) {
      errors.push(`http.cors.allowedOrigins: "${origin}" is not an origin (scheme://host[:port])`);
    }
  }

  const database = config.database.url;
  const isSqlite = database.startsWith('sqlite:');
  if (!isSqlite && !/^postgres(ql)?:\/\//.test(database)) {
    errors.push('database.url: must start with sqlite: or postgres://');
  }
  if (config.instances > 1) {
    if (!config.redis.url) {
      errors.push('redis.url: required when instances > 1 (in-memory rate limits, replay caches and revocations are not shared)');
    }
    if (isSqlite) errors.push('database.url: the embedded SQLite database serves one instance only; use PostgreSQL when instances > 1');
  }
  if (!config.keys.ringFile) {
    insecure(
      'keys.ringFile: unset, so a development key ring is generated under dataDir; production needs a ring supplied by the operator',
    );
  }
  if (config.passwords.minLengthWithSecondFactor > config.passwords.minLengthSingleFactor) {
    errors.push('passwords: minLengthWithSecondFactor cannot exceed minLengthSingleFactor');
  }
  if (config.sessions.refreshIdleTtlSeconds > config.sessions.refreshAbsoluteTtlSeconds) {
    errors.push('sessions: refreshIdleTtlSeconds cannot exceed refreshAbsoluteTtlSeconds');
  }
  if (production && !config.mail.smtpUrl) {
    errors.push('mail.smtpUrl: required in production (the development outbox would keep codes in the database)');
  }
  if (production && isSqlite) {
    warnings.push('database.url: SQLite in production suits a single small instance; PostgreSQL is recommended');
  }
  return { errors, warnings };
}
