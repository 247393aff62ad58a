/**
 * TOTP RFC 6238: the Appendix B test vectors (SHA-1, SHA-256 and SHA-512 seeds, 8 digits) run
 * through the generator, and the verifier's window is exactly one step either side (section 5.2).
 * ASVS V6.5.5 (a TOTP lives 30 s per step).
 */
import { describe, expect, it } from 'vitest';
import { generateTotpCode, matchTimeStep, timeStepAt, totpKeyUri, type TotpAlgorithm } from './totp.ts';

const SEEDS: Readonly<Record<TotpAlgorithm, Uint8Array>> = {
  SHA1: new TextEncoder().encode('12345678901234567890'),
  SHA256: new TextEncoder().encode('12345678901234567890123456789012'),
  SHA512: new TextEncoder().encode('1234567890123456789012345678901234567890123456789012345678901234'),
};

/** RFC 6238 Appendix B: time (s), T (hex), then the TOTP for each mode. */
const APPENDIX_B: readonly { time: number; step: string; SHA1: string; SHA256: string; SHA512: string }[] = [
  { time: 59, step: '0000000000000001', SHA1: '94287082', SHA256: '46119246', SHA512: '90693936' },
  { time: 1111111109, step: '00000000023523EC', SHA1: '07081804', SHA256: '68084774', SHA512: '25091201' },
  { time: 1111111111, step: '00000000023523ED', SHA1: '14050471', SHA256: '67062674', SHA512: '99943326' },
  { time: 1234567890, step: '000000000273EF07', SHA1: '89005924', SHA256: '91819424', SHA512: '93441116' },
  { time: 2000000000, step: '0000000003F940AA', SHA1: '69279037', SHA256: '90698825', SHA512: '38618901' },
  { time: 20000000000, step: '0000000027BC86AA', SHA1: '65353130', SHA256: '77737706', SHA512: '47863826' },
];

describe('TOTP RFC 6238 Appendix B vectors', () => {
  for (const vector of APPENDIX_B) {
    it(`T = ${vector.time} s → step 0x${vector.step}`, async () => {
      const step = timeStepAt(vector.time * 1000);
      expect(step).toBe(Number.parseInt(vector.step, 16));
      for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
        const code = await generateTotpCode(SEEDS[algorithm], step, { algorithm, digits: 8 });
        expect([algorithm, code]).toEqual([algorithm, vector[algorithm]]);
      }
    });
  }

  it('uses SHA-1 and 6 digits by default (the last 6 digits of the 8-digit SHA-1 vector)', async () => {
    expect(await generateTotpCode(SEEDS.SHA1, timeStepAt(59_000))).toBe('287082');
  });
});

describe('TOTP RFC 6238 section 5.2: the verifier accepts one step of drift either way, no more', () => {
  const seed = SEEDS.SHA1;
  const now = 1_111_111_111_000;
  const current = timeStepAt(now);

  const codeAt = (offset: number) => generateTotpCode(seed, current + offset);

  it('matches the current step and one step either side, returning the matched step', async () => {
    for (const offset of [-1, 0, 1]) expect(await matchTimeStep(seed, await codeAt(offset), now)).toBe(current + offset);
  });

  it('V6.5.5: refuses a code two steps old or two steps ahead', async () => {
    expect(await matchTimeStep(seed, await codeAt(-2), now)).toBeNull();
    expect(await matchTimeStep(seed, await codeAt(2), now)).toBeNull();
  });

  it('refuses a code of the wrong length or from another seed', async () => {
    expect(await matchTimeStep(seed, (await codeAt(0)).slice(1), now)).toBeNull();
    expect(await matchTimeStep(SEEDS.SHA256, await codeAt(0), now)).toBeNull();
  });
});

describe('key URI (otpauth://)', () => {
  it('names issuer and account and states SHA1, 6 digits and 30 s explicitly', async () => {
    const uri = new URL(await totpKeyUri({ issuer: 'Portcullis', label: 'pat@example.test', secret: SEEDS.SHA1 }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Portcullis:pat@example.test');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'Portcullis',
      secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
