/**
 * @module platform/crypto/key-ring
 *
 * The one source of server secrets. Every module asks the ring for the key of its purpose;
 * nobody reads key material from config or disk directly. A ring is a JSON file
 * `{ "version": 1, "development": bool, "keys": { "<purpose>": "<base64, 32 bytes>" } }`
 * (mode 0600). In development one is generated under `<dataDir>/keys/`; in production the
 * operator supplies `keys.ringFile`, and a ring marked `development` is refused.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';

/**
 * `secret-encryption` wraps stored factor secrets (TOTP seeds) with AES-256-GCM; `audit-signing`
 * is the Ed25519 seed that signs audit-log checkpoints, `key-log-signing` the one that signs the
 * key transparency log's checkpoints (its own key, so either can be rotated alone).
 */
export const KEY_PURPOSES = [
  'token-hmac',
  'code-hmac',
  'dpop-nonce',
  'token-derivation',
  'secret-encryption',
  'audit-signing',
  'key-log-signing',
] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

const KEY_BYTES = 32;

export interface KeyRing {
  /** True for a generated development ring, which production refuses. */
  readonly development: boolean;
  /** The current 32-byte key for `purpose`. */
  key(purpose: KeyPurpose): Buffer;
}

export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

interface KeyRingFile {
  version: 1;
  development: boolean;
  keys: Partial<Record<KeyPurpose, string>>;
}

function parseRing(text: string, source: string): KeyRingFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeyRingError(`key ring ${source} is not valid JSON`);
  }
  const ring = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (ring['version'] !== 1 || typeof ring['development'] !== 'boolean' || typeof ring['keys'] !== 'object' || ring['keys'] === null) {
    throw new KeyRingError(`key ring ${source} does not have the expected shape { version: 1, development, keys }`);
  }
  return ring as unknown as KeyRingFile;
}

export function keyRingFromFile(ring: KeyRingFile, source: string): KeyRing {
  const keys = new Map<KeyPurpose, Buffer>();
  for (const purpose of KEY_PURPOSES) {
    const encoded = ring.keys[purpose];
    const key = encoded === undefined ? undefined : Buffer.from(encoded, 'base64');
    if (key?.length !== KEY_BYTES) throw new KeyRingError(`key ring ${source} lacks a ${KEY_BYTES}-byte "${purpose}" key`);
    keys.set(purpose, key);
  }
  return {
    development: ring.development,
    key: (purpose) => keys.get(purpose) as Buffer,
  };
}

export function generateKeyRingFile(options: { development: boolean }): KeyRingFile {
  const keys: Partial<Record<KeyPurpose, string>> = {};
  for (const purpose of KEY_PURPOSES) keys[purpose] = randomBytes(KEY_BYTES).toString('base64');
  return { version: 1, development: options.development, keys };
}

/**
 * `ring` with a new random key for each purpose added since it was made; every key it has is kept
 * as it is. How an operator upgrades a production ring (`portcullis keys generate --complete FILE`).
 */
export function completeKeyRingFile(text: string, source: string): { ring: KeyRingFile; added: KeyPurpose[] } {
  const ring = parseRing(text, source);
  const added = KEY_PURPOSES.filter((purpose) => ring.keys[purpose] === undefined);
  const fresh = generateKeyRingFile({ development: ring.development });
  const completed: KeyRingFile = { version: 1, development: ring.development, keys: { ...fresh.keys, ...ring.keys } };
  keyRingFromFile(completed, source); // every kept key must still be a valid one
  return { ring: completed, added };
}

/** Writes a new development ring, or completes an older one with purposes added since. */
function loadOrCreateDevelopmentRing(dataDir: string): KeyRing {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, 'dev-keyring.json');
  let ring = existsSync(file) ? parseRing(readFileSync(file, 'utf8'), file) : undefined;
  const missing = KEY_PURPOSES.filter((purpose) => ring?.keys[purpose] === undefined);
  if (!ring || missing.length > 0) {
    const fresh = generateKeyRingFile({ development: true });
    ring = { version: 1, development: true, keys: { ...fresh.keys, ...ring?.keys } };
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(ring, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return keyRingFromFile(ring, file);
}

/** Loads the configured ring; refuses a development ring in production. */
export function loadKeyRing(config: Pick<Config, 'environment' | 'dataDir' | 'keys'>): KeyRing {
  if (!config.keys.ringFile) return loadOrCreateDevelopmentRing(config.dataDir);
  let text: string;
  try {
    text = readFileSync(config.keys.ringFile, 'utf8');
  } catch {
    throw new KeyRingError(`key ring ${config.keys.ringFile} cannot be read`);
  }
  const ring = keyRingFromFile(parseRing(text, config.keys.ringFile), config.keys.ringFile);
  if (ring.development && config.environment === 'production') {
    throw new KeyRingError(`key ring ${config.keys.ringFile} is a development ring; production needs one generated for it`);
  }
  return ring;
}
