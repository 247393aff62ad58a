/**
 * @module platform/http/tls
 *
 * TLS for the API listener. Only forward-secret AEAD suites are offered: Node's default list
 * still accepts static-RSA key exchange and CBC suites on TLS 1.2, so the list is explicit.
 * In development a self-signed ECDSA P-256 certificate for localhost is generated once into
 * `<dataDir>/tls/` (key file mode 0600) and reused until it is about to expire.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';

/**
 * TLS 1.3 suites (all AEAD with ephemeral key exchange) followed by the TLS 1.2 ECDHE suites
 * with AES-GCM or ChaCha20-Poly1305. No RSA key exchange, no CBC, no SHA-1 MACs.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
}

export interface HttpsOptions extends TlsMaterial {
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers: string;
  readonly honorCipherOrder: true;
  readonly ecdhCurve: string;
}

export function httpsOptions(material: TlsMaterial, minVersion: 'TLSv1.2' | 'TLSv1.3'): HttpsOptions {
  return { ...material, minVersion, ciphers: TLS_CIPHERS, honorCipherOrder: true, ecdhCurve: 'X25519:P-256:P-384' };
}

const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

function isUsable(certPem: string, now: Date): boolean {
  try {
    return new Date(new X509Certificate(certPem).validTo).getTime() - now.getTime() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

/**
 * Where the development certificate lives: the file a developer's tools must trust, e.g.
 * `NODE_EXTRA_CA_CERTS=data/tls/dev-localhost-cert.pem` for Node clients.
 */
export function devCertificateFile(dataDir: string): string {
  return path.join(dataDir, 'tls', 'dev-localhost-cert.pem');
}

/** Returns the development certificate, generating it when missing or close to expiry. */
export async function loadOrCreateDevCertificate(dataDir: string, now = new Date()): Promise<TlsMaterial & { created: boolean }> {
  const dir = path.join(dataDir, 'tls');
  const certFile = devCertificateFile(dataDir);
  const keyFile = path.join(dir, 'dev-localhost-key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    if (isUsable(cert, now)) return { cert, key: readFileSync(keyFile, 'utf8'), created: false };
  }
  // Imported only when a certificate must be made: the generator's code is ≈7 MB of resident memory.
  const { generate } = await import('selfsigned');
  const generated = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + 90 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, generated.private, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, generated.cert, { mode: 0o644 });
  return { cert: generated.cert, key: generated.private, created: true };
}

/** Resolves the TLS material the configuration asks for; `undefined` means plain HTTP behind a TLS proxy. */
export async function resolveTlsMaterial(config: Config): Promise<(TlsMaterial & { created?: boolean }) | undefined> {
  const { tls } = config.http;
  switch (tls.mode) {
    case 'upstream':
      return undefined;
    case 'files':
      return { cert: readFileSync(tls.certFile as string, 'utf8'), key: readFileSync(tls.keyFile as string, 'utf8') };
    case 'self-signed':
      return loadOrCreateDevCertificate(config.dataDir);
  }
}
