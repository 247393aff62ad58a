/**
 * Invariants of attack mode (docs/security/defense.md "Attack mode"; ASVS V6.3.1 credential
 * stuffing controls as documented, V6.1.1 adaptive response documented and configurable, V2.4.1
 * anti-automation, V16.3.3 the defence's transitions are logged), on SQLite and PostgreSQL, with
 * time moved by a manual clock:
 * - a wave of failed password sign-ins starts it; typos at a normal level never do, nor does a
 *   high but usual failure ratio;
 * - it lasts while the wave goes on and ends by itself a hold time after it was last seen;
 * - every start and every end is audited exactly once, with counts and no personal data, also
 *   when two instances sharing Redis see the same wave at the same moment;
 * - the sign-in route counts wrong passwords and unknown addresses; refusals by one network's
 *   limit do not count (one source cannot hold the deployment in attack mode), refusals by the
 *   deployment-wide limit do;
 * - the metric and the admin alert show it; the alert needs `alerts:read`;
 * - when Redis cannot be reached, each instance goes on with its own counts.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdminAlertList } from '@portcullis/protocol';
import { buildApp, type App } from '../../app.ts';
import type { ConfigOverrides } from '../../config/schema.ts';
import { manualClock } from '../../platform/clock/clock.ts';
import { generateKeyRingFile, keyRingFromFile } from '../../platform/crypto/index.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { createMetrics } from '../../platform/metrics/metrics.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { buildClockedApp } from '../../test-support/clocked-app.ts';
import { postgresRunUrl, redisRunUrl, testDatabases } from '../../test-support/databases.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import { auditCount } from '../../test-support/phone-harness.ts';
import { createAccount, signedInDevice } from '../../test-support/records-world.ts';
import { problemOf } from '../../test-support/step-up-client.ts';
import { createAttackMode } from './attack-mode.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Small numbers so a wave is a few dozen calls: 10 failures at a ratio of at least 0.5 in 5 minutes; 15 minutes' hold. */
const ATTACK_MODE = { windowMinutes: 5, minFailures: 10, ratioFloor: 0.5, usualMultiplier: 3, holdSeconds: 900 };
const STARTED = 'defense.attack_mode_started';
const ENDED = 'defense.attack_mode_ended';

async function repeat(times: number, action: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < times; i += 1) await action();
}

async function reasonsOf(app: App, action: string): Promise<(string | null)[]> {
  const rows = await app.portcullis.database.db
    .selectFrom('audit_events')
    .select(['reason', 'actor_id', 'subject_id'])
    .where('action', '=', action)
    .execute();
  for (const row of rows) expect([row.actor_id, row.subject_id]).toEqual([null, null]);
  return rows.map((row) => row.reason);
}

describe.each(testDatabases())('attack mode on $dialect', ({ dialect }) => {
  let app: App;
  let clock: ReturnType<typeof manualClock>;
  const start = async (config: ConfigOverrides = {}) => {
    ({ app, clock } = await buildClockedApp(dialect, { defense: { attackMode: ATTACK_MODE }, ...config }));
    return app.portcullis.attackMode;
  };
  afterEach(async () => {
    await app.close();
  });

  it('V6.3.1: a wave of failures starts it, once, and the audit entry carries counts only', async () => {
    const attackMode = await start();
    await repeat(10, () => attackMode.record('success'));
    await repeat(9, () => attackMode.record('failure'));
    expect(await attackMode.active()).toBe(false);
    await attackMode.record('failure');
    expect(await attackMode.active()).toBe(true);
    await repeat(20, () => attackMode.record('failure'));
    expect(await reasonsOf(app, STARTED)).toEqual(['failures_10_of_20_ratio_50_usual_0']);
    expect(await attackMode.status()).toMatchObject({ active: true, since: clock.now(), until: clock.now() + 900_000, failures: 30 });
  });

  it('V6.3.1: typos at a normal level never start it, however long it goes on', async () => {
    const attackMode = await start();
    // 9 failures in a window: below the minimum, even at a ratio of 1.
    await repeat(9, () => attackMode.record('failure'));
    expect(await attackMode.active()).toBe(false);
    clock.advance(ATTACK_MODE.windowMinutes * MINUTE);
    // Many failures, but most sign-ins succeed: a busy deployment, not a wave.
    for (let minute = 0; minute < 30; minute += 1) {
      await repeat(12, () => attackMode.record('success'));
      await repeat(8, () => attackMode.record('failure'));
      clock.advance(MINUTE);
    }
    expect(await attackMode.active()).toBe(false);
    expect(await auditCount(app, STARTED)).toBe(0);
  });

  it('V6.3.1: a deployment whose usual failure ratio is high needs a ratio far above it (capped at 0.95)', async () => {
    const attackMode = await start();
    // A whole hour where 40 % fail: with the multiplier of 3 the threshold becomes 0.95.
    await repeat(30, () => attackMode.record('success'));
    await repeat(20, () => attackMode.record('failure'));
    clock.advance(HOUR);
    await repeat(2, () => attackMode.record('success'));
    await repeat(30, () => attackMode.record('failure')); // 30 / 32 = 0.94
    expect(await attackMode.status()).toMatchObject({ active: false, usualRatio: 0.4, threshold: 0.95 });
    await repeat(10, () => attackMode.record('failure')); // 40 / 42 = 0.95
    expect(await attackMode.active()).toBe(true);
  });

  it('lasts while the wave goes on, ends by itself after the hold, and audits the end once', async () => {
    const attackMode = await start();
    await repeat(12, () => attackMode.record('failure'));
    const since = clock.now();
    // Ten minutes later the wave is still on: the hold starts again from there.
    clock.advance(10 * MINUTE);
    await repeat(12, () => attackMode.record('failure'));
    const lastSeen = clock.now();
    // Quiet minutes (successes only) do not end it before the hold is up.
    clock.advance(14 * MINUTE);
    await attackMode.record('success');
    expect(await attackMode.status()).toMatchObject({ active: true, since, until: lastSeen + 900_000 });
    clock.advance(MINUTE);
    expect(await attackMode.active()).toBe(false);
    expect(await attackMode.active()).toBe(false);
    expect(await reasonsOf(app, ENDED)).toEqual(['lasted_25_min_failures_0_of_1']);
    expect(await auditCount(app, STARTED)).toBe(1);
    // A new wave is a new episode.
    await repeat(12, () => attackMode.record('failure'));
    expect(await attackMode.active()).toBe(true);
    expect(await auditCount(app, STARTED)).toBe(2);
  });

  it('a wave that goes on for hours does not become the usual rate', async () => {
    const attackMode = await start();
    await repeat(40, () => attackMode.record('success'));
    clock.advance(HOUR);
    for (let minute = 0; minute < 150; minute += 5) {
      await repeat(12, () => attackMode.record('failure'));
      clock.advance(5 * MINUTE);
    }
    // The usual ratio counts the 10 failures before it started (10 of 50), none of the hours since.
    expect(await attackMode.status()).toMatchObject({ active: true, usualRatio: 0.2 });
    expect(await auditCount(app, STARTED)).toBe(1);
  });

  it('V2.4.1: counts the sign-in route’s wrong passwords and unknown addresses', async () => {
    const attackMode = await start();
    const device = new TestDevice(app);
    for (let i = 0; i < 10; i += 1)
      expect((await device.signIn(`nobody-${i}@example.test`, 'a wrong but long passphrase')).statusCode).toBe(401);
    expect(await attackMode.status()).toMatchObject({ active: true, failures: 10, attempts: 10 });
  });

  it('V2.4.1: refusals by one network’s limit do not count; refusals by the deployment-wide limit do', async () => {
    const oneNetwork = await start({
      defense: { attackMode: ATTACK_MODE, passwordFailures: { perNetwork: { max: 3, windowSeconds: 3600 } } },
    });
    const device = new TestDevice(app);
    device.remoteAddress = '198.51.100.7';
    const statuses = [];
    for (let i = 0; i < 12; i += 1)
      statuses.push((await device.signIn(`nobody-${i}@example.test`, 'a wrong but long passphrase')).statusCode);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    expect(await oneNetwork.status()).toMatchObject({ active: false, failures: 3 });
    await app.close();

    const deployment = await start({ defense: { attackMode: ATTACK_MODE, passwordFailures: { global: { max: 3, windowSeconds: 60 } } } });
    const other = new TestDevice(app);
    other.remoteAddress = '203.0.113.9';
    for (let i = 0; i < 12; i += 1) await other.signIn(`nobody-${i}@example.test`, 'a wrong but long passphrase');
    expect(await deployment.status()).toMatchObject({ active: true, failures: 12 });
  });

  it('the alert route shows the banner to admins and support only (deny by default)', async () => {
    const attackMode = await start();
    const adminId = await createAccount(app, ['admin']);
    let admin = await signedInDevice(app, adminId);
    const support = await signedInDevice(app, await createAccount(app, ['support']));
    expect((await admin.call('GET', '/v1/admin/alerts')).json<AdminAlertList>()).toEqual({ alerts: [] });
    await repeat(12, () => attackMode.record('failure'));
    const since = new Date(clock.now()).toISOString();
    for (const staff of [admin, support]) {
      const response = await staff.call('GET', '/v1/admin/alerts');
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<AdminAlertList>().alerts).toEqual([
        expect.objectContaining({ kind: 'attack_mode', since, failures: 12, attempts: 12, failureRatio: 1 }),
      ]);
      expect(response.json<AdminAlertList>().alerts[0]?.message).toMatch(/emailed code|email address/);
    }
    for (const role of ['patient', 'clinician', 'auditor']) {
      const device = await signedInDevice(app, await createAccount(app, [role]));
      expect(problemOf(await device.call('GET', '/v1/admin/alerts'))).toEqual([403, 'RBAC_FORBIDDEN']);
    }
    expect((await app.inject({ method: 'GET', url: '/v1/admin/alerts' })).statusCode).toBe(401);
    // Once the hold is up the banner goes away by itself.
    clock.advance(16 * MINUTE);
    admin = await signedInDevice(app, adminId);
    expect((await admin.call('GET', '/v1/admin/alerts')).json<AdminAlertList>()).toEqual({ alerts: [] });
    expect(await auditCount(app, ENDED)).toBe(1);
  });

  it('is off when `enabled` is false', async () => {
    const attackMode = await start({ defense: { attackMode: { ...ATTACK_MODE, enabled: false } } });
    await repeat(30, () => attackMode.record('failure'));
    expect(await attackMode.active()).toBe(false);
  });
});

describe('attack mode metrics', () => {
  it('the gauge follows the mode at each scrape and the counter counts outcomes', async () => {
    const metrics = await createMetrics({ collectProcessMetrics: false });
    const clock = manualClock();
    const config = testConfig({ config: { defense: { attackMode: ATTACK_MODE } } });
    const app = await buildApp(config, { logger: createLogger(config), clock, metrics });
    try {
      const scrape = () => metrics.registry.metrics();
      expect(await scrape()).toContain('portcullis_attack_mode_active 0');
      await app.portcullis.attackMode.record('success');
      await repeat(12, () => app.portcullis.attackMode.record('failure'));
      const during = await scrape();
      expect(during).toContain('portcullis_attack_mode_active 1');
      expect(during).toContain('portcullis_password_sign_ins_total{outcome="failure"} 12');
      expect(during).toContain('portcullis_password_sign_ins_total{outcome="success"} 1');
      clock.advance(16 * MINUTE);
      // The scrape itself ends it: nobody signed in since.
      expect(await scrape()).toContain('portcullis_attack_mode_active 0');
      expect(await auditCount(app, ENDED)).toBe(1);
    } finally {
      await app.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    }
  });
});

describe('attack mode when Redis cannot be reached', () => {
  it('keeps counting in this instance’s memory instead of failing sign-ins or switching off', async () => {
    const { app, clock } = await buildClockedApp('sqlite');
    // Nothing listens on port 1: every command fails at once (no offline queue), as in an outage.
    const { Redis } = await import('ioredis');
    const unreachable = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    unreachable.on('error', () => undefined);
    try {
      const { db } = app.portcullis.database;
      const attackMode = createAttackMode({
        db,
        clock,
        keyRing: app.portcullis.keyRing,
        redis: unreachable,
        config: { ...ATTACK_MODE, enabled: true },
      });
      await repeat(12, () => attackMode.record('failure'));
      expect(await attackMode.active()).toBe(true);
      clock.advance(16 * MINUTE);
      expect(await attackMode.active()).toBe(false);
      expect([await auditCount(app, STARTED), await auditCount(app, ENDED)]).toEqual([1, 1]);
    } finally {
      unreachable.disconnect();
      await app.close();
    }
  });
});

const postgres = postgresRunUrl();
const redis = redisRunUrl();

describe.runIf(postgres !== null && redis !== null)('attack mode on two instances sharing PostgreSQL and Redis', () => {
  let a: App;
  let b: App;
  const clock = manualClock(Date.UTC(2026, 2, 2, 9));
  beforeAll(async () => {
    const base = testConfig({ dialect: 'postgres', config: { defense: { attackMode: ATTACK_MODE } } });
    const config = { ...base, instances: 2, redis: { url: redis ?? '' } };
    // One key ring for the deployment; a fresh one per run keeps this run's counts apart in Redis.
    const keyRing = keyRingFromFile(generateKeyRingFile({ development: false }), `test-${randomBytes(4).toString('hex')}`);
    a = await buildApp(config, { keyRing, clock, logger: createLogger(config) });
    b = await buildApp(config, { keyRing, clock, logger: createLogger(config) });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('V16.3.3: one wave seen by both at once starts it once and ends it once', async () => {
    const on = (i: number) => (i % 2 === 0 ? a : b).portcullis.attackMode;
    await Promise.all(Array.from({ length: 40 }, (_, i) => on(i).record('failure')));
    expect(await a.portcullis.attackMode.active()).toBe(true);
    expect(await b.portcullis.attackMode.active()).toBe(true);
    expect(await b.portcullis.attackMode.status()).toMatchObject({ failures: 40, attempts: 40 });
    expect(await auditCount(a, STARTED)).toBe(1);
    clock.advance(16 * MINUTE);
    const checks = await Promise.all(Array.from({ length: 10 }, (_, i) => on(i).active()));
    expect(checks).toEqual(Array.from({ length: 10 }, () => false));
    expect(await auditCount(a, ENDED)).toBe(1);
  });
});
