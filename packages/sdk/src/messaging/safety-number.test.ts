/**
 * Safety numbers are Signal's displayable fingerprint, checked against the test identities and
 * expected value of libsignal (rust/protocol/src/fingerprint.rs, `fingerprint_test_v1`, commit
 * b056faa6dd02961cff24064c54c089c52e1a0753 of github.com/signalapp/libsignal), and then applied
 * to Portcullis people: account ids and their devices' Ed25519 credential keys.
 */
import { describe, expect, it } from 'vitest';
import { displayableFingerprint, formatSafetyNumber, safetyNumber } from './safety-number.ts';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

// Test data of libsignal's fingerprint tests (identity keys in Signal's 33-byte serialization).
const ALICE_IDENTITY = hex('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868');
const BOB_IDENTITY = hex('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b');
const ALICE_STABLE_ID = '+14152222222';
const BOB_STABLE_ID = '+14153333333';
const DISPLAYABLE_FINGERPRINT_V1 = '300354477692869396892869876765458257569162576843440918079131';

describe('displayable fingerprint (Signal NumericFingerprintGenerator)', () => {
  it("matches libsignal's published value for its test identities, from either side", () => {
    const alice = { stableId: utf8(ALICE_STABLE_ID), key: ALICE_IDENTITY };
    const bob = { stableId: utf8(BOB_STABLE_ID), key: BOB_IDENTITY };
    expect(displayableFingerprint(alice, bob)).toBe(DISPLAYABLE_FINGERPRINT_V1);
    expect(displayableFingerprint(bob, alice)).toBe(DISPLAYABLE_FINGERPRINT_V1);
  });

  it('changes when a key or a stable id changes', () => {
    const alice = { stableId: utf8(ALICE_STABLE_ID), key: ALICE_IDENTITY };
    const otherKey = ALICE_IDENTITY.slice();
    otherKey[5] = (otherKey[5] ?? 0) ^ 1;
    expect(displayableFingerprint(alice, { stableId: utf8(BOB_STABLE_ID), key: otherKey })).not.toBe(DISPLAYABLE_FINGERPRINT_V1);
    expect(displayableFingerprint(alice, { stableId: utf8('+14153333334'), key: BOB_IDENTITY })).not.toBe(DISPLAYABLE_FINGERPRINT_V1);
  });

  it('refuses an iteration count Signal refuses', () => {
    const side = { stableId: utf8('a'), key: ALICE_IDENTITY };
    expect(() => displayableFingerprint(side, side, 1)).toThrow(TypeError);
  });
});

describe('safety numbers of Portcullis people', () => {
  const patientKeys = [hex('11'.repeat(32)), hex('22'.repeat(32))];
  const clinicianKeys = [hex('33'.repeat(32))];

  it('is 60 digits, the same on both sides, whatever the order of the device keys', () => {
    const a = safetyNumber(
      { accountId: 'acc_patient', signatureKeys: patientKeys },
      { accountId: 'acc_clinician', signatureKeys: clinicianKeys },
    );
    const b = safetyNumber(
      { accountId: 'acc_clinician', signatureKeys: clinicianKeys },
      { accountId: 'acc_patient', signatureKeys: [...patientKeys].reverse() },
    );
    expect(a).toMatch(/^\d{60}$/);
    expect(b).toBe(a);
    expect(formatSafetyNumber(a)).toMatch(/^(\d{5} ){11}\d{5}$/);
  });

  it('changes when a person adds a device', () => {
    const before = safetyNumber(
      { accountId: 'acc_patient', signatureKeys: patientKeys },
      { accountId: 'acc_clinician', signatureKeys: clinicianKeys },
    );
    const after = safetyNumber(
      { accountId: 'acc_patient', signatureKeys: [...patientKeys, hex('44'.repeat(32))] },
      { accountId: 'acc_clinician', signatureKeys: clinicianKeys },
    );
    expect(after).not.toBe(before);
  });
});
