/**
 * Security invariants of TOTP and recovery codes, on SQLite and PostgreSQL (where concurrent
 * transactions really race). Factors are enrolled through the API with DPoP-bound sessions; the
 * verification functions the sign-in challenge will call are exercised directly.
 *
 * - ASVS V6.5.1: a TOTP code and a recovery code are accepted once — also under concurrency.
 * - ASVS V6.5.2 (partly), V13.3.1, V11.3.3: seeds are stored only sealed (AES-256-GCM, bound to
 *   the row), recovery codes only as keyed HMAC; a dump of the tables yields neither.
 * - ASVS V6.5.3: seeds and codes come from the CSPRNG, fresh per enrolment.
 * - ASVS V16.3.1, V16.2.5: every verification is audited with a reason, never a code or secret.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecoveryCodes, TotpEnrolment } from '@portcullis/protocol';
import { Secret } from 'otpauth';
import { testDatabases } from '../../test-support/databases.ts';
import { verifyRecoveryCode, verifyTotp } from './index.ts';
import {
  authenticatorCode,
  buildMfaTestApp,
  elevateToAal2,
  enrolTotp,
  signedInPerson,
  type EnrolledFactor,
  type MfaTestApp,
  type SignedInPerson,
} from './test-support/mfa-harness.ts';
import { testRequestContext } from '../../test-support/request-context.ts';

const STEP_MS = 30_000;

/** Every textual form a seed could leak in. */
function seedForms(base32: string): string[] {
  const bytes = Buffer.from(Secret.fromBase32(base32).bytes);
  return [base32, base32.toLowerCase(), bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')];
}

/** Every textual form a recovery code could leak in. */
function codeForms(code: string): string[] {
  return [code, code.replace('-', ''), code.toUpperCase(), code.replace('-', '').toUpperCase()];
}

async function dumpTables(mfa: MfaTestApp): Promise<string> {
  const db = mfa.deps.db;
  const tables = await Promise.all([
    db.selectFrom('mfa_totp_factors').selectAll().execute(),
    db.selectFrom('mfa_recovery_code_sets').selectAll().execute(),
    db.selectFrom('mfa_recovery_codes').selectAll().execute(),
    db.selectFrom('audit_events').selectAll().execute(),
    db.selectFrom('outbox').selectAll().execute(),
  ]);
  // Every column of every row, as text.
  return tables.flatMap((rows) => rows.flatMap((row) => Object.values(row).map(String))).join('\n');
}

describe.each(testDatabases())('TOTP invariants on $dialect', ({ dialect }) => {
  let mfa: MfaTestApp;
  let pat: SignedInPerson;
  let factor: EnrolledFactor;
  beforeEach(async () => {
    mfa = await buildMfaTestApp(dialect);
    pat = await signedInPerson(mfa.app, 'pat@example.test');
    factor = await enrolTotp(mfa, pat);
  });
  afterEach(() => mfa.app.close());

  const verify = (code: string, accountId = pat.accountId) =>
    verifyTotp(mfa.deps, accountId, code, testRequestContext(mfa.deps, 'security-test'));

  it('V6.5.1: the code that confirmed the factor cannot then be used to sign in', async () => {
    expect(await verify(factor.confirmCode)).toEqual({ ok: false, reason: 'code_replayed' });
  });

  it('V6.5.1: accepts a fresh code once; the same code again is refused as a replay', async () => {
    mfa.clock.advance(STEP_MS);
    const code = authenticatorCode(factor.enrolment.secret, mfa.clock.now());
    expect(await verify(code)).toEqual({ ok: true, factorId: factor.enrolment.factorId });
    expect(await verify(code)).toEqual({ ok: false, reason: 'code_replayed' });
  });

  it('V6.5.1: after a code is accepted, an older unused code inside the window is refused too (strictly newer steps only)', async () => {
    mfa.clock.advance(STEP_MS);
    const previous = authenticatorCode(factor.enrolment.secret, mfa.clock.now());
    mfa.clock.advance(STEP_MS);
    const current = authenticatorCode(factor.enrolment.secret, mfa.clock.now());
    expect(await verify(current)).toMatchObject({ ok: true });
    expect(await verify(previous)).toEqual({ ok: false, reason: 'code_replayed' });
  });

  it('V6.5.1: of eight concurrent submissions of the same code exactly one succeeds', async () => {
    mfa.clock.advance(STEP_MS);
    const code = authenticatorCode(factor.enrolment.secret, mfa.clock.now());
    const results = await Promise.all(Array.from({ length: 8 }, () => verify(code)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 7 }, () => ({ ok: false, reason: 'code_replayed' })));
  });

  it('V6.5.1: of two concurrent confirmations of one enrolment with the same code exactly one succeeds', async () => {
    await elevateToAal2(mfa.app, pat);
    const enrolment = (await pat.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
    const code = authenticatorCode(enrolment.secret, mfa.clock.now());
    const url = `/v1/mfa/totp/${enrolment.factorId}/confirm`;
    const confirmations = await Promise.all([pat.device.call('POST', url, { code }), pat.device.call('POST', url, { code })]);
    expect(confirmations.map((r) => r.statusCode).sort()).toEqual([200, expect.any(Number) as number]);
    expect(confirmations.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(confirmations.filter((r) => r.statusCode >= 400 && r.statusCode < 500)).toHaveLength(1);
    expect(await verify(code)).toEqual({ ok: false, reason: 'code_replayed' });
  });

  it('confirmation re-checks the aal2 rule: if another factor was confirmed meanwhile, an aal1 session cannot confirm', async () => {
    const sam = await signedInPerson(mfa.app, 'sam@example.test');
    const pending = (await sam.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
    // A concurrent enrolment that won the race, as it would appear in the table.
    const row = await mfa.deps.db.selectFrom('mfa_totp_factors').selectAll().where('id', '=', pending.factorId).executeTakeFirstOrThrow();
    await mfa.deps.db
      .insertInto('mfa_totp_factors')
      .values({ ...row, id: '00000000-0000-4000-8000-00000000000a', confirmed_at: mfa.clock.now(), expires_at: null })
      .execute();
    const confirm = await sam.device.call('POST', `/v1/mfa/totp/${pending.factorId}/confirm`, {
      code: authenticatorCode(pending.secret, mfa.clock.now()),
    });
    expect([confirm.statusCode, confirm.json<{ code: string }>().code]).toEqual([401, 'AUTH_LEVEL_INSUFFICIENT']);
    expect(confirm.headers['www-authenticate']).toContain('acr_values="aal2"');
  });

  it('V6.5.5: refuses a code two steps old and a code two steps ahead; accepts one step either way', async () => {
    mfa.clock.advance(10 * STEP_MS);
    const secret = factor.enrolment.secret;
    expect(await verify(authenticatorCode(secret, mfa.clock.now(), -2))).toEqual({ ok: false, reason: 'code_invalid' });
    expect(await verify(authenticatorCode(secret, mfa.clock.now(), 2))).toEqual({ ok: false, reason: 'code_invalid' });
    expect(await verify(authenticatorCode(secret, mfa.clock.now(), -1))).toMatchObject({ ok: true });
    expect(await verify(authenticatorCode(secret, mfa.clock.now(), 1))).toMatchObject({ ok: true });
  });

  it('refuses wrong, malformed and unknown-account codes with a reason, and pending factors accept nothing', async () => {
    mfa.clock.advance(STEP_MS);
    const right = authenticatorCode(factor.enrolment.secret, mfa.clock.now());
    expect(await verify(String((Number(right) + 1) % 1_000_000).padStart(6, '0'))).toEqual({ ok: false, reason: 'code_invalid' });
    for (const malformed of ['', '12345', '1234567', '12345a', ' 123456']) {
      expect(await verify(malformed)).toEqual({ ok: false, reason: 'code_malformed' });
    }
    const sam = await signedInPerson(mfa.app, 'sam@example.test');
    const pending = (await sam.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
    expect(await verify(authenticatorCode(pending.secret, mfa.clock.now()), sam.accountId)).toEqual({ ok: false, reason: 'no_factor' });
    expect(await verify(right, sam.accountId)).toEqual({ ok: false, reason: 'no_factor' });
  });

  it('V13.3.1: no column of any stored row contains a seed, confirmed or pending, in any encoding', async () => {
    await elevateToAal2(mfa.app, pat);
    const pending = (await pat.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
    mfa.clock.advance(STEP_MS);
    await verify(authenticatorCode(factor.enrolment.secret, mfa.clock.now()));
    const dump = await dumpTables(mfa);
    expect(dump).toContain(factor.enrolment.factorId); // the dump is not vacuous
    expect(dump).toContain(pending.factorId);
    for (const form of [...seedForms(factor.enrolment.secret), ...seedForms(pending.secret)]) expect(dump).not.toContain(form);
    const row = await mfa.deps.db
      .selectFrom('mfa_totp_factors')
      .selectAll()
      .where('id', '=', factor.enrolment.factorId)
      .executeTakeFirstOrThrow();
    expect(row.secret_ciphertext).toMatch(/^v1\./);
  });

  it('V6.5.3: every enrolment draws a new 160-bit seed', async () => {
    const sam = await signedInPerson(mfa.app, 'sam@example.test');
    const secrets = new Set<string>([factor.enrolment.secret]);
    for (let i = 0; i < 5; i++) secrets.add((await sam.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>().secret);
    expect(secrets.size).toBe(6);
    for (const secret of secrets) expect(Secret.fromBase32(secret).bytes.byteLength).toBe(20);
  });

  it('V11.3.3: a sealed seed copied into another account’s row does not decrypt, so neither account’s code works there', async () => {
    const sam = await signedInPerson(mfa.app, 'sam@example.test');
    const samFactor = await enrolTotp(mfa, sam);
    const patRow = await mfa.deps.db
      .selectFrom('mfa_totp_factors')
      .select('secret_ciphertext')
      .where('id', '=', factor.enrolment.factorId)
      .executeTakeFirstOrThrow();
    await mfa.deps.db
      .updateTable('mfa_totp_factors')
      .set({ secret_ciphertext: patRow.secret_ciphertext })
      .where('id', '=', samFactor.enrolment.factorId)
      .execute();
    mfa.clock.advance(STEP_MS);
    expect(await verify(authenticatorCode(factor.enrolment.secret, mfa.clock.now()), sam.accountId)).toEqual({
      ok: false,
      reason: 'factor_unreadable',
    });
    expect(await verify(authenticatorCode(samFactor.enrolment.secret, mfa.clock.now()), sam.accountId)).toEqual({
      ok: false,
      reason: 'factor_unreadable',
    });
    // Pat's own row is untouched and still works.
    expect(await verify(authenticatorCode(factor.enrolment.secret, mfa.clock.now()))).toMatchObject({ ok: true });
  });

  it('V16.3.1: audits enrolment, confirmation and each verification with a reason code and no secret', async () => {
    mfa.clock.advance(STEP_MS);
    const code = authenticatorCode(factor.enrolment.secret, mfa.clock.now());
    await verify(code);
    await verify(code);
    const wrong = await pat.device.call('POST', `/v1/mfa/totp/${factor.enrolment.factorId}/confirm`, { code });
    expect(wrong.json()).toMatchObject({ code: 'MFA_ENROLMENT_NOT_FOUND' });
    const events = await mfa.deps.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'reason', 'subject_id'])
      .where('action', 'like', 'mfa.%')
      .execute();
    // Events of one transaction share a timestamp, so compare without relying on order.
    expect(events.map((e) => [e.action, e.outcome, e.reason].join(' ')).sort()).toEqual([
      'mfa.recovery_codes_generated success ',
      'mfa.totp_enrolment_confirmed failure enrolment_not_found',
      'mfa.totp_enrolment_confirmed success ',
      'mfa.totp_enrolment_started success ',
      'mfa.totp_verified failure code_replayed',
      'mfa.totp_verified success ',
    ]);
    expect(new Set(events.map((e) => e.subject_id))).toEqual(new Set([pat.accountId]));
    const dump = await dumpTables(mfa);
    expect(dump).not.toContain(code);
    expect(dump).not.toContain(factor.confirmCode);
  });
});

describe.each(testDatabases())('recovery code invariants on $dialect', ({ dialect }) => {
  let mfa: MfaTestApp;
  let pat: SignedInPerson;
  let codes: RecoveryCodes;
  beforeEach(async () => {
    mfa = await buildMfaTestApp(dialect);
    pat = await signedInPerson(mfa.app, 'pat@example.test');
    const enrolled = await enrolTotp(mfa, pat);
    if (!enrolled.recoveryCodes) throw new Error('the first factor should come with recovery codes');
    codes = enrolled.recoveryCodes;
  });
  afterEach(() => mfa.app.close());

  const use = (code: string, accountId = pat.accountId) =>
    verifyRecoveryCode(mfa.deps, accountId, code, testRequestContext(mfa.deps, 'security-test'));
  const first = () => codes.codes[0] ?? '';

  it('V6.5.1: a recovery code works once', async () => {
    expect(await use(first())).toEqual({ ok: true, remaining: 9 });
    expect(await use(first())).toEqual({ ok: false, reason: 'code_used' });
    expect(await use(first().toUpperCase().replace('-', ' '))).toEqual({ ok: false, reason: 'code_used' });
    expect(await use(codes.codes[1] ?? '')).toEqual({ ok: true, remaining: 8 });
  });

  it('V6.5.1: of eight concurrent uses of one code exactly one succeeds', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => use(first())));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 7 }, () => ({ ok: false, reason: 'code_used' })));
    const status = await mfa.deps.db.selectFrom('mfa_recovery_codes').select('used_at').where('used_at', 'is not', null).execute();
    expect(status).toHaveLength(1);
  });

  it('regenerating replaces every code: old codes stop working, new ones work', async () => {
    await elevateToAal2(mfa.app, pat);
    const fresh = (await pat.device.call('POST', '/v1/mfa/recovery-codes')).json<RecoveryCodes>();
    for (const old of codes.codes.slice(0, 3)) expect(await use(old)).toEqual({ ok: false, reason: 'code_invalid' });
    expect(await use(fresh.codes[0] ?? '')).toEqual({ ok: true, remaining: 9 });
    expect(await mfa.deps.db.selectFrom('mfa_recovery_codes').select('id').execute()).toHaveLength(10);
  });

  it('concurrent regenerations leave exactly one set of 10, and only its codes work', async () => {
    await elevateToAal2(mfa.app, pat);
    const responses = await Promise.all(Array.from({ length: 4 }, () => pat.device.call('POST', '/v1/mfa/recovery-codes')));
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(await mfa.deps.db.selectFrom('mfa_recovery_codes').select('id').execute()).toHaveLength(10);
    const sets = responses.map((r) => r.json<RecoveryCodes>().codes);
    const working = await Promise.all(sets.map(async (set) => (await use(set[0] ?? '')).ok));
    expect(working.filter(Boolean)).toHaveLength(1);
  });

  it('a code hash copied into another account’s row does not verify there (the HMAC binds the account)', async () => {
    const sam = await signedInPerson(mfa.app, 'sam@example.test');
    await enrolTotp(mfa, sam);
    const patHashes = await mfa.deps.db
      .selectFrom('mfa_recovery_codes')
      .select('code_hash')
      .where('account_id', '=', pat.accountId)
      .execute();
    await mfa.deps.db
      .updateTable('mfa_recovery_codes')
      .set({ code_hash: patHashes[0]?.code_hash ?? '' })
      .where('account_id', '=', sam.accountId)
      .execute();
    for (const code of codes.codes) expect(await use(code, sam.accountId)).toEqual({ ok: false, reason: 'code_invalid' });
  });

  it('a code of one account does not work for another', async () => {
    const sam = await signedInPerson(mfa.app, 'sam@example.test');
    expect(await use(first(), sam.accountId)).toEqual({ ok: false, reason: 'no_codes' });
    await enrolTotp(mfa, sam);
    expect(await use(first(), sam.accountId)).toEqual({ ok: false, reason: 'code_invalid' });
    expect(await use(first())).toMatchObject({ ok: true });
  });

  it('refuses malformed input without touching the codes', async () => {
    for (const malformed of ['', 'abc', '7hq2m-x9c4', 'uuuuu-uuuuu', first() + 'x']) {
      expect(await use(malformed)).toEqual({ ok: false, reason: 'code_malformed' });
    }
    expect(await use(first())).toMatchObject({ ok: true, remaining: 9 });
  });

  it('V6.5.2 (partly): codes are stored only as keyed HMAC-SHA-256; no column of any row holds a code in any form', async () => {
    await use(first());
    const dump = await dumpTables(mfa);
    for (const code of codes.codes) for (const form of codeForms(code)) expect(dump).not.toContain(form);
    const rows = await mfa.deps.db.selectFrom('mfa_recovery_codes').select('code_hash').execute();
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row.code_hash).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256-bit HMAC, base64url
  });

  it('V16.3.1: audits each use and failure with a reason code and never the code', async () => {
    await use(first());
    mfa.clock.advance(1000);
    await use(first());
    mfa.clock.advance(1000);
    await use('zzzzz-zzzzz');
    const events = await mfa.deps.db
      .selectFrom('audit_events')
      .select(['outcome', 'reason'])
      .where('action', '=', 'mfa.recovery_code_used')
      .orderBy('occurred_at')
      .execute();
    expect(events).toEqual([
      { outcome: 'success', reason: null },
      { outcome: 'failure', reason: 'code_used' },
      { outcome: 'failure', reason: 'code_invalid' },
    ]);
  });
});
