/**
 * The level a too-weak session must reach and the factor kinds that reach it follow the sign-in
 * policy: the role's own level when higher than the route's, a passkey alone for `aal2_phr`, and
 * codes by SMS or email only where the deployment enables them and the role allows them.
 */
import { describe, expect, it } from 'vitest';
import { levelShortfall, type LevelShortfallPolicy } from './level-shortfall.ts';

const policy = (overrides: { passkeys?: boolean; sms?: boolean; email?: boolean; clinician?: 'aal2' } = {}): LevelShortfallPolicy => ({
  passkeys: overrides.passkeys ?? true,
  mfa: {
    requiredLevel: {
      patient: 'aal1',
      clinician: overrides.clinician ?? 'aal2_phr',
      support: 'aal2_phr',
      admin: 'aal2_phr',
      auditor: 'aal2_phr',
    },
    emailCodes: { enabled: overrides.email ?? true },
    smsCodes: { enabled: overrides.sms ?? false },
  },
});

describe('levelShortfall', () => {
  it('asks an aal1 person for aal2 with every enabled kind', () => {
    expect(levelShortfall({ roles: ['patient'], aal: 'aal1' }, 'aal2', policy({ sms: true }))).toEqual({
      requiredLevel: 'aal2',
      currentLevel: 'aal1',
      methods: ['passkey', 'totp', 'sms', 'email', 'recovery_code'],
    });
  });

  it('leaves out what the deployment turned off', () => {
    expect(levelShortfall({ roles: ['patient'], aal: 'aal1' }, 'aal2', policy({ passkeys: false, email: false })).methods).toEqual([
      'totp',
      'recovery_code',
    ]);
  });

  it('never offers codes by SMS or email to a role that needs more than one factor', () => {
    expect(levelShortfall({ roles: ['clinician'], aal: 'aal1' }, 'aal2', policy({ sms: true, clinician: 'aal2' })).methods).toEqual([
      'passkey',
      'totp',
      'recovery_code',
    ]);
  });

  it('raises the level to the role’s own when that is higher: an administrator needs a passkey even for aal2', () => {
    expect(levelShortfall({ roles: ['patient', 'admin'], aal: 'aal1' }, 'aal2', policy())).toEqual({
      requiredLevel: 'aal2_phr',
      currentLevel: 'aal1',
      methods: ['passkey'],
    });
  });

  it('names no method for aal2_phr when passkeys are off (nothing can reach it)', () => {
    expect(levelShortfall({ roles: ['patient'], aal: 'aal2' }, 'aal2_phr', policy({ passkeys: false }))).toEqual({
      requiredLevel: 'aal2_phr',
      currentLevel: 'aal2',
      methods: [],
    });
  });
});
