/**
 * The key service port, on every adapter (`local` key file, `pkcs11` on a real SoftHSM2 token):
 * wraps under the current KEK version, unwraps under any version it still holds and only with
 * the same context, rotates and retires (never the current version), and — on the HSM — keeps
 * the KEK inside the token: sensitive, not extractable, never readable.
 * (ASVS V11.1.1 key lifecycle, V11.1.2 key inventory, V11.3.3 authenticated encryption, V13.3.1 keys held by a key service.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { softHsmToken } from '../../test-support/softhsm.ts';
import { KeyServiceUnavailableError, KeyUnwrapError, type KeyService } from './key-service.ts';
import { openTestKeyService, testKeyServices, type KeyServiceSettings } from './test-support/test-key-services.ts';

describe.each(testKeyServices())('key service ($adapter)', ({ adapter, freshKeyService }) => {
  let dir: string;
  let settings: KeyServiceSettings;
  let service: KeyService;
  const opened: KeyService[] = [];
  const open = async (): Promise<KeyService> => {
    const next = await openTestKeyService(settings, dir);
    opened.push(next);
    return next;
  };
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-kms-'));
    settings = freshKeyService();
    service = await open();
  });
  afterEach(async () => {
    for (const each of opened.splice(0)) await each.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('V11.3.3: wraps under the current version and unwraps only with the same context and bytes', async () => {
    expect(service.adapter).toBe(adapter);
    const key = new Uint8Array(32).fill(7);
    const wrapped = await service.wrap(key, 'subject a');
    expect(wrapped.kekVersion).toBe('v1');
    const bytes = Buffer.from(wrapped.wrapped, 'base64url');
    expect(bytes).toHaveLength(12 + 32 + 16);
    expect(bytes.includes(Buffer.from(key))).toBe(false);
    // A fresh IV every time: the same key wraps differently.
    expect((await service.wrap(key, 'subject a')).wrapped).not.toBe(wrapped.wrapped);
    expect(await service.unwrap(wrapped, 'subject a')).toEqual(key);
    await expect(service.unwrap(wrapped, 'subject b')).rejects.toBeInstanceOf(KeyUnwrapError);
    await expect(service.unwrap({ ...wrapped, kekVersion: 'v9' }, 'subject a')).rejects.toBeInstanceOf(KeyUnwrapError);
    const tampered = Buffer.from(bytes);
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    await expect(service.unwrap({ ...wrapped, wrapped: tampered.toString('base64url') }, 'subject a')).rejects.toBeInstanceOf(
      KeyUnwrapError,
    );
    await expect(service.unwrap({ ...wrapped, wrapped: 'c2hvcnQ' }, 'subject a')).rejects.toBeInstanceOf(KeyUnwrapError);
    // After failures the service still works (a wrong tag is not a device failure).
    expect(await service.unwrap(wrapped, 'subject a')).toEqual(key);
  });

  it('V11.1.1: rotates to a new version, keeps old ones until retired, never retires the current one', async () => {
    const key = new Uint8Array(32).fill(1);
    const before = await service.wrap(key, 'c');
    expect(await service.rotate()).toBe('v2');
    const after = await service.wrap(key, 'c');
    expect(after.kekVersion).toBe('v2');
    expect(await service.versions()).toEqual({ current: 'v2', all: ['v1', 'v2'] });
    expect(await service.unwrap(before, 'c')).toEqual(key);
    await expect(service.retire('v2')).rejects.toThrow(/current/);
    // Another process sees the rotation.
    const other = await open();
    expect(await other.versions()).toEqual({ current: 'v2', all: ['v1', 'v2'] });
    expect(await other.unwrap(after, 'c')).toEqual(key);
    expect(await other.unwrap(before, 'c')).toEqual(key);
    await service.retire('v1');
    expect(await service.versions()).toEqual({ current: 'v2', all: ['v2'] });
    await expect(service.unwrap(before, 'c')).rejects.toBeInstanceOf(KeyUnwrapError);
    const fresh = await open();
    await expect(fresh.unwrap(before, 'c')).rejects.toBeInstanceOf(KeyUnwrapError);
    expect(await fresh.unwrap(after, 'c')).toEqual(key);
  });

  it('serves concurrent wraps and unwraps', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => new Uint8Array(32).fill(i));
    const wrapped = await Promise.all(keys.map((key, i) => service.wrap(key, `s${i}`)));
    const unwrapped = await Promise.all(wrapped.map((w, i) => service.unwrap(w, `s${i}`)));
    expect(unwrapped).toEqual(keys);
  });
});

describe.skipIf(softHsmToken() === null)('PKCS#11 key service on SoftHSM2', () => {
  it('V13.3.1: the KEK is a token key that is sensitive, not extractable, and never read out', async () => {
    const token = softHsmToken()!;
    const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-kms-'));
    const settings: KeyServiceSettings = {
      adapter: 'pkcs11',
      pkcs11: { library: token.library, tokenLabel: token.tokenLabel, pin: token.pin, keyLabelPrefix: 'attributes-kek' },
    };
    const service = await openTestKeyService(settings, dir);
    try {
      // Inspect the token directly, through the same (already initialised) library.
      const { default: pkcs11js } = await import('pkcs11js');
      const module = new pkcs11js.PKCS11();
      module.load(token.library);
      try {
        module.C_Initialize();
      } catch (error) {
        expect((error as { code: number }).code).toBe(pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED);
      }
      const slot = module.C_GetSlotList(true).find((s) => module.C_GetTokenInfo(s).label.trim() === token.tokenLabel)!;
      const session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      try {
        module.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: 'attributes-kek-v1' }]);
        const [handle] = module.C_FindObjects(session, 2);
        module.C_FindObjectsFinal(session);
        expect(handle).toBeDefined();
        const attributes = module.C_GetAttributeValue(session, handle!, [
          { type: pkcs11js.CKA_TOKEN },
          { type: pkcs11js.CKA_SENSITIVE },
          { type: pkcs11js.CKA_EXTRACTABLE },
          { type: pkcs11js.CKA_VALUE_LEN },
        ]);
        const [isToken, sensitive, extractable, length] = attributes.map((a) => a.value);
        expect([isToken?.[0], sensitive?.[0], extractable?.[0], length?.readUInt32LE(0)]).toEqual([1, 1, 0, 32]);
        expect(() => module.C_GetAttributeValue(session, handle!, [{ type: pkcs11js.CKA_VALUE }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      } finally {
        module.C_CloseSession(session);
      }
    } finally {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start with a wrong library, token or PIN, saying which, without the PIN', async () => {
    const token = softHsmToken()!;
    const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-kms-'));
    const base = { library: token.library, tokenLabel: token.tokenLabel, pin: token.pin, keyLabelPrefix: 'refusal-kek' };
    try {
      for (const [pkcs11, reason] of [
        [{ ...base, library: path.join(dir, 'missing-pkcs11.so') }, /library .*missing-pkcs11\.so cannot be loaded/],
        [{ ...base, tokenLabel: 'no-such-token' }, /no token labelled "no-such-token"/],
        [{ ...base, pin: 'test-fixture-wrong-pin' }, /CKR_PIN_INCORRECT/],
      ] as const) {
        const opening = openTestKeyService({ adapter: 'pkcs11', pkcs11 }, dir);
        await expect(opening).rejects.toBeInstanceOf(KeyServiceUnavailableError);
        await expect(opening).rejects.toThrow(reason);
        await opening.catch((error: unknown) => expect(String(error)).not.toContain(pkcs11.pin));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
