/**
 * @module modules/introspection/client-credentials
 *
 * Authenticates the app team's own services on `client` routes (ASVS V13.2.1): HTTP Basic with
 * the client id and secret, each form-urlencoded before base64 (RFC 6749 section 2.3.1), checked
 * against `introspection.clients`, where only SHA-256(secret) is configured. The comparison is
 * constant-time and an unknown client id costs exactly what a known one does (hash, compare
 * against a decoy), so timing says nothing about which ids exist (ASVS V11.2.4). Secrets must be
 * random (≥ 128 bits): a plain SHA-256 is no defence for a guessable secret. Parsing never
 * throws: anything malformed is simply "no acceptable credentials".
 */
import type { FastifyRequest } from 'fastify';
import { constantTimeEqual, randomBase64Url } from '../../platform/crypto/index.ts';
import { sha256Base64Url } from '../../platform/crypto/jwk.ts';
import { BASIC_CLIENT_CHALLENGE, type ClientAuthenticator, type ClientPrincipal } from '../../platform/routes/authentication.ts';
import type { Config } from '../../config/schema.ts';

/** The challenge sent with 401 AUTH_CLIENT_INVALID. */
export const CLIENT_CHALLENGE = BASIC_CLIENT_CHALLENGE;

/** Longest `Authorization` value considered; ids are ≤ 64 characters and secrets need not be longer than a few hundred. */
const MAX_AUTHORIZATION_LENGTH = 1024;
const SECRET_HASH_PATTERN = /^[0-9a-fA-F]{64}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** `application/x-www-form-urlencoded` decoding of one value (`+` is a space), or undefined when malformed. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Parses `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 section
 * 2.3.1, RFC 7617 section 2). Returns undefined for any other scheme or any malformed value.
 *
 * @example
 *   parseBasicCredentials('Basic YmlsbGluZzpzM2NyM3Q='); // { clientId: 'billing', clientSecret: 's3cr3t' }
 */
export function parseBasicCredentials(authorization: string | undefined): ClientCredentials | undefined {
  if (authorization === undefined || authorization.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const match = /^basic +([^ ]+) *$/i.exec(authorization);
  const encoded = match?.[1];
  if (encoded === undefined || encoded.length % 4 !== 0 || !BASE64_PATTERN.test(encoded)) return undefined;
  let decoded: string;
  try {
    decoded = UTF8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (!clientId || !clientSecret) return undefined;
  return { clientId, clientSecret };
}

export interface ClientAuthenticatorOptions {
  /** `config.introspection.clients`. */
  readonly clients: Config['introspection']['clients'];
}

/**
 * The platform `ClientAuthenticator` for `introspection.clients`.
 *
 * @throws {TypeError} at start-up when a `secretHash` is not 64 hex digits or an id repeats.
 * @example
 *   registerAuthentication(app, sessionAuthenticator, {
 *     clientAuthenticator: createClientAuthenticator({ clients: config.introspection.clients }),
 *   });
 */
export function createClientAuthenticator(options: ClientAuthenticatorOptions): ClientAuthenticator {
  // id → SHA-256(secret) as base64url, the form `sha256Base64Url` produces, so both sides are 43 characters.
  const hashes = new Map<string, string>();
  for (const client of options.clients) {
    if (!SECRET_HASH_PATTERN.test(client.secretHash)) {
      throw new TypeError(`introspection.clients: secretHash of client ${client.id} must be the SHA-256 of the secret in hex (64 digits)`);
    }
    if (hashes.has(client.id)) throw new TypeError(`introspection.clients: client id ${client.id} appears more than once`);
    hashes.set(client.id, Buffer.from(client.secretHash, 'hex').toString('base64url'));
  }
  // Compared against when the id is unknown, so that path does the same hashing and comparison.
  const decoy = sha256Base64Url(randomBase64Url(32));

  return {
    challenge: CLIENT_CHALLENGE,
    authenticate: (request: FastifyRequest): Promise<ClientPrincipal | null> => {
      const credentials = parseBasicCredentials(request.headers.authorization);
      if (!credentials) return Promise.resolve(null);
      const expected = hashes.get(credentials.clientId);
      const matches = constantTimeEqual(sha256Base64Url(credentials.clientSecret), expected ?? decoy);
      return Promise.resolve(matches && expected !== undefined ? { clientId: credentials.clientId } : null);
    },
  };
}
