/**
 * The admin API's answers are checked before a console trusts them: the security overview as
 * the server sends it parses, and an answer missing a fact or carrying a wrong kind of value is
 * refused (the SDK then reports `INVALID_RESPONSE`).
 */
import type { AdminOverview } from '@portcullis/protocol';
import { describe, expect, it } from 'vitest';
import { parseAdminOverview } from './admin-shapes.ts';

const OVERVIEW: AdminOverview = {
  tls: { mode: 'files', minVersion: 'TLSv1.3' },
  keyService: { adapter: 'pkcs11', status: 'up', currentVersion: 'v2' },
  secondFactorCoverage: [
    { role: 'patient', requiredLevel: 'aal1', accounts: 12, withSecondFactor: 3, withPasskey: 2 },
    { role: 'admin', requiredLevel: 'aal2_phr', accounts: 1, withSecondFactor: 1, withPasskey: 1 },
  ],
  signInFailures: { windowMinutes: 10, failures: 4, attempts: 40, usualRatio: 0.05, attackMode: false },
};

describe('parseAdminOverview', () => {
  it('accepts the overview as the server sends it, and one whose key service is unavailable', () => {
    expect(parseAdminOverview(OVERVIEW)).toEqual(OVERVIEW);
    const down = { ...OVERVIEW, keyService: { adapter: 'local', status: 'unavailable', currentVersion: null } };
    expect(parseAdminOverview(down)).toEqual(down);
  });

  it.each([
    ['no TLS', { ...OVERVIEW, tls: undefined }],
    ['an unknown TLS mode', { ...OVERVIEW, tls: { mode: 'none', minVersion: 'TLSv1.2' } }],
    ['an unknown key service status', { ...OVERVIEW, keyService: { ...OVERVIEW.keyService, status: 'maybe' } }],
    ['a negative count', { ...OVERVIEW, secondFactorCoverage: [{ ...OVERVIEW.secondFactorCoverage[0], accounts: -1 }] }],
    ['an unknown level', { ...OVERVIEW, secondFactorCoverage: [{ ...OVERVIEW.secondFactorCoverage[0], requiredLevel: 'aal3' }] }],
    ['a ratio above one', { ...OVERVIEW, signInFailures: { ...OVERVIEW.signInFailures, usualRatio: 2 } }],
    ['no attack-mode flag', { ...OVERVIEW, signInFailures: { ...OVERVIEW.signInFailures, attackMode: 'no' } }],
    ['not an object', 'overview'],
  ])('refuses an answer with %s', (_why, value) => {
    expect(parseAdminOverview(value)).toBeUndefined();
  });
});
