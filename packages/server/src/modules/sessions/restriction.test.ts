import { describe, expect, it } from 'vitest';
import { restrictionOf, storedRestriction } from './restriction.ts';

describe('session restriction (what a restricted session may enrol)', () => {
  it('stores nothing for a full session and the factors for a restricted one, and reads them back', () => {
    expect(storedRestriction(undefined)).toBeNull();
    expect(restrictionOf(storedRestriction(undefined))).toBeUndefined();
    expect(restrictionOf(storedRestriction(['passkey']))).toEqual(['passkey']);
    expect(restrictionOf(storedRestriction(['passkey', 'totp', 'phone']))).toEqual(['passkey', 'totp', 'phone']);
  });

  it('fails closed: a value it cannot read still restricts the session, to no enrolment at all', () => {
    for (const stored of ['', 'true', '"passkey"', '["passkey","sms"]', '{"passkey":true}', '[1]']) {
      expect(restrictionOf(stored)).toEqual([]);
    }
  });
});
