/**
 * @module modules/federation/token-vault
 *
 * Seals provider refresh tokens at rest. They are kept for one reason — to revoke them at the
 * provider when the person unlinks or deletes their account (Apple requires it) — and are never
 * used to call the provider's APIs. AES-256-GCM under a subkey of the key ring's
 * `secret-encryption` key; the additional data binds each ciphertext to its identity, so a sealed
 * token copied onto another row does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyRing } from '../../platform/crypto/index.ts';

const VERSION = 'v1';

export interface TokenVault {
  seal(token: string, binding: string): string;
  /** The token, or `undefined` when the value was tampered with or sealed for another binding. */
  open(sealed: string, binding: string): string | undefined;
}

export function createTokenVault(keyRing: KeyRing): TokenVault {
  const key = Buffer.from(
    hkdfSync('sha256', keyRing.key('secret-encryption'), Buffer.alloc(0), 'portcullis federation provider tokens v1', 32),
  );
  return {
    seal(token, binding) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(binding, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed, binding) {
      const [version, iv, ciphertext, tag] = sealed.split('.');
      if (version !== VERSION || iv === undefined || ciphertext === undefined || tag === undefined) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(binding, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** What a sealed provider token is bound to: the identity at the provider. */
export function tokenBinding(provider: string, subject: string): string {
  return `${provider}\0${subject}`;
}
