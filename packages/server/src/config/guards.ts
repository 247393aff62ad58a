/**
 * @module config/guards
 *
 * Rules that a schema cannot express: combinations that are insecure or cannot work. In
 * production every insecure default is an error; in development each one is a loud warning.
 */
import type { Config } from './schema.ts';
import { checkRecordDeclarations } from './record-declarations.ts';
import { checkKeyServiceGuards } from './kms.ts';

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

const ANDROID_ORIGIN = /^android:apk-key-hash:[A-Za-z0-9_-]{43}$/;

/** `AB:CD:…` (SHA-256 of an Android signing certificate) → the origin Credential Manager writes for that app. */
export function androidOriginFor(sha256Fingerprint: string): string {
  return `android:apk-key-hash:${Buffer.from(sha256Fingerprint.replaceAll(':', ''), 'hex').toString('base64url')}`;
}

/**
 * WebAuthn binds every passkey to the relying-party id for good, and a response is only
 * accepted from an origin whose host is that id or a subdomain of it (WebAuthn L3 §5.1.4.1);
 * a mismatch here would make every ceremony fail, or — with a too-broad id — let a sibling
 * site's origin in.
 */
interface GuardReport {
  readonly errors: string[];
  readonly warnings: string[];
  /** An error in production, a warning elsewhere. */
  readonly insecure: (message: string) => void;
}

function checkPasskeyGuards(config: Config, publicUrl: URL | undefined, { errors, warnings, insecure }: GuardReport): void {
  const { passkeys } = config;
  if (!passkeys.enabled) return;
  const rpId = passkeys.rpId ?? publicUrl?.hostname;
  if (rpId === undefined) return; // publicUrl is already reported
  if (/^[0-9.]+$/.test(rpId) || rpId.includes(':') || rpId.startsWith('[')) {
    warnings.push(`passkeys.rpId: "${rpId}" is an IP address; browsers and platforms refuse passkeys for IP addresses`);
  }
  const underRpId = (host: string): boolean => host === rpId || host.endsWith(`.${rpId}`);
  // With no origins configured, publicUrl is the one origin; its scheme is checked above already.
  if (passkeys.allowedOrigins.length === 0 && publicUrl && !underRpId(publicUrl.hostname)) {
    errors.push(
      `passkeys.rpId: "${rpId}" is neither the host of publicUrl nor a parent domain of it; list the web origins in passkeys.allowedOrigins`,
    );
  }
  for (const origin of passkeys.allowedOrigins) {
    if (origin.startsWith('android:')) {
      if (!ANDROID_ORIGIN.test(origin))
        errors.push(`passkeys.allowedOrigins: "${origin}" is not android:apk-key-hash:<43 base64url characters>`);
      continue;
    }
    const url = parseOrigin(origin);
    if (!url || !['https:', 'http:'].includes(url.protocol)) {
      errors.push(`passkeys.allowedOrigins: "${origin}" is not an origin (https://host[:port]) or an android:apk-key-hash: origin`);
    } else if (!underRpId(url.hostname)) {
      errors.push(`passkeys.allowedOrigins: "${origin}" is not ${rpId} or a subdomain of it (passkeys.rpId)`);
    } else if (url.protocol !== 'https:') {
      insecure(`passkeys.allowedOrigins: "${origin}" is not https://; browsers allow plain HTTP for localhost only`);
    }
  }
  for (const app of passkeys.android.apps) {
    for (const fingerprint of app.sha256CertFingerprints) {
      const origin = androidOriginFor(fingerprint);
      if (!passkeys.allowedOrigins.includes(origin)) {
        warnings.push(`passkeys.android.apps: ${app.packageName} is listed but its origin ${origin} is not in passkeys.allowedOrigins`);
      }
    }
  }
  const { attestation } = passkeys;
  if (attestation.conveyance === 'direct' && attestation.formats.includes('packed') && attestation.trustedRoots.packed.length === 0) {
    warnings.push('passkeys.attestation.trustedRoots.packed: empty, so packed attestation certificates are not checked against any root');
  }
}

/** `localhost`, 127.0.0.0/8 or `::1`: a provider on the same host, reached without a network path to attack. */
function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * SMS codes need a provider outside development (the outbox keeps codes and numbers in the
 * database), reached over verified TLS unless it is on this host, with a bearer token that is
 * not embedded in the URL.
 */
function checkSmsGuards(config: Config, { errors, warnings }: GuardReport): void {
  const { sms } = config;
  const production = config.environment === 'production';
  if (config.mfa.smsCodes.enabled && !sms.url && production) {
    errors.push('sms.url: required in production while mfa.smsCodes.enabled is true (configure a provider, or disable SMS codes)');
  }
  if (!sms.url) return;
  let url: URL | undefined;
  try {
    url = new URL(sms.url);
  } catch {
    url = undefined;
  }
  if (!url || !['https:', 'http:'].includes(url.protocol)) {
    errors.push('sms.url: must be an https:// URL');
  } else {
    if (url.protocol === 'http:' && !isLoopbackHostname(url.hostname)) {
      errors.push('sms.url: must use https:// (plain http:// is allowed only for a provider on loopback)');
    }
    if (url.username !== '' || url.password !== '') errors.push('sms.url: must not hold credentials; put the token in sms.tokenFile');
  }
  if (!sms.token && !sms.tokenFile) errors.push('sms: url is set, so sms.tokenFile (or sms.token) is required');
  if (sms.token && sms.tokenFile) errors.push('sms: set sms.tokenFile or sms.token, not both');
  if (sms.token && production) warnings.push('sms.token: prefer sms.tokenFile, so the token is not part of the configuration');
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
  errors.push(...checkRecordDeclarations(config.records.types));
  checkPasskeyGuards(config, publicUrl, { errors, warnings, insecure });
  checkSmsGuards(config, { errors, warnings, insecure });
  checkKeyServiceGuards(config, { errors, warnings, insecure });
  return { errors, warnings };
}
