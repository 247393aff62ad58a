/**
 * The SDK's cipher suite 1 computes exactly what `ts-mls`'s reference provider computes: the same
 * HKDF outputs (RFC 5869 test case 1 too), the same deterministic Ed25519 signatures, each side
 * verifying the other's, and a bad signature or a malformed public key failing verification.
 */
import { describe, expect, it } from 'vitest';
import { defaultCryptoProvider, getCiphersuiteFromName } from 'ts-mls';
import { createMlsCipherSuite, MLS_CIPHER_SUITE } from './mls-cipher-suite.ts';

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

describe('MLS cipher suite 1', () => {
  it('derives what RFC 5869 test case 1 publishes', async () => {
    const suite = await createMlsCipherSuite();
    const prk = await suite.kdf.extract(hex('000102030405060708090a0b0c'), hex('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'));
    expect(toHex(prk)).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    const okm = await suite.kdf.expand(prk, hex('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('matches the reference provider for HKDF and Ed25519, both ways', async () => {
    const ours = await createMlsCipherSuite();
    const reference = await defaultCryptoProvider.getCiphersuiteImpl(getCiphersuiteFromName(MLS_CIPHER_SUITE));
    for (let round = 0; round < 5; round++) {
      const [salt, ikm, info] = [
        crypto.getRandomValues(new Uint8Array(32)),
        crypto.getRandomValues(new Uint8Array(32)),
        crypto.getRandomValues(new Uint8Array(20)),
      ];
      const prk = await ours.kdf.extract(salt, ikm);
      expect(prk).toEqual(await reference.kdf.extract(salt, ikm));
      expect(await ours.kdf.expand(prk, info, 60)).toEqual(await reference.kdf.expand(prk, info, 60));
    }
    const keys = await ours.signature.keygen();
    const message = crypto.getRandomValues(new Uint8Array(300));
    const signed = await ours.signature.sign(keys.signKey, message);
    expect(signed).toEqual(await reference.signature.sign(keys.signKey, message));
    expect(await reference.signature.verify(keys.publicKey, message, signed)).toBe(true);
    expect(await ours.signature.verify(keys.publicKey, message, signed)).toBe(true);
    // Twice: the second call uses the imported keys kept from the first.
    expect(await ours.signature.sign(keys.signKey, message)).toEqual(signed);
  });

  it('fails verification for a changed message, a foreign key or a malformed key', async () => {
    const suite = await createMlsCipherSuite();
    const [alice, bob] = [await suite.signature.keygen(), await suite.signature.keygen()];
    const message = new TextEncoder().encode('hello');
    const signed = await suite.signature.sign(alice.signKey, message);
    expect(await suite.signature.verify(alice.publicKey, new TextEncoder().encode('hellp'), signed)).toBe(false);
    expect(await suite.signature.verify(bob.publicKey, message, signed)).toBe(false);
    expect(await suite.signature.verify(new Uint8Array(31), message, signed)).toBe(false);
  });

  it('refuses to start, naming what is missing, on a platform without X25519 in WebCrypto', async () => {
    const original = globalThis.crypto.subtle.generateKey.bind(globalThis.crypto.subtle);
    const stub = (algorithm: AlgorithmIdentifier, extractable: boolean, usages: KeyUsage[]) => {
      if (typeof algorithm === 'object' && algorithm.name === 'X25519')
        return Promise.reject(new DOMException('unsupported', 'NotSupportedError'));
      return original(algorithm, extractable, usages);
    };
    Object.defineProperty(globalThis.crypto.subtle, 'generateKey', { value: stub, configurable: true });
    try {
      await expect(createMlsCipherSuite()).rejects.toThrow(/X25519/);
    } finally {
      Object.defineProperty(globalThis.crypto.subtle, 'generateKey', { value: original, configurable: true });
    }
  });
});
