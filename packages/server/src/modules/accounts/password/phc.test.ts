/**
 * Reading Argon2 parameters from PHC strings (P-H-C phc-string-format), used to decide rehashing.
 */
import { describe, expect, it } from 'vitest';
import { parseArgon2PHC } from './phc.ts';

describe('parseArgon2PHC', () => {
  it('reads variant, version, memory, iterations and lanes', () => {
    expect(parseArgon2PHC('$argon2id$v=19$m=19456,t=2,p=1$yja2ixdSA/+5IPvXCEWqOg$Ugia4uDIsMkm8e/CflyH/qeF8ijFHMnRBGsCwOMAgis')).toEqual({
      variant: 'argon2id',
      version: 19,
      memoryKiB: 19456,
      iterations: 2,
      parallelism: 1,
    });
  });

  it('treats a missing version as Argon2 1.0 (v=16) and reads other variants', () => {
    expect(parseArgon2PHC('$argon2i$m=4096,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2g')).toMatchObject({
      variant: 'argon2i',
      version: 16,
      parallelism: 2,
    });
  });

  it('accepts optional keyid/data parameters', () => {
    expect(parseArgon2PHC('$argon2id$v=19$m=65536,t=3,p=4,data=YWJj$c2FsdHNhbHQ$aGFzaGhhc2g')).toMatchObject({ memoryKiB: 65536 });
  });

  it('refuses anything else', () => {
    for (const text of [
      '',
      'password',
      '$2b$12$abcdefghijklmnopqrstuuB0R1y3CnB4Rk2.cJZ9bZyYBy3n2kFgG', // bcrypt
      '$argon2id$v=19$t=2,m=19456,p=1$c2FsdA$aGFzaA', // wrong parameter order
      '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA', // no hash
      '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA$extra',
      '$argon2x$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    ]) {
      expect(parseArgon2PHC(text), text).toBeUndefined();
    }
  });
});
