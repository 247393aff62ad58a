/**
 * @module modules/admin/overview
 *
 * The security overview of the admin console: how TLS is set up, whether the key service that
 * holds the key-encryption keys answers now, how many accounts of each role hold a second
 * factor (and a passkey) against what the role must reach, and the recent password sign-in
 * failures the attack-mode detector counts. Counts and settings only: nothing here names an
 * account or carries personal data.
 */
import { sql, type Kysely } from 'kysely';
import type { AdminOverview, RoleCoverage } from '@portcullis/protocol';
import type { Config } from '../../config/schema.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { KeyService } from '../../platform/kms/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { requiredLevelFor } from '../assurance/index.ts';
import type { AttackMode } from '../defense/index.ts';

export interface OverviewDeps {
  readonly db: Kysely<Database>;
  readonly access: Config['access'];
  readonly attackMode: AttackMode;
  readonly tls: Config['http']['tls'];
  readonly mfaPolicy: Config['mfa']['requiredLevel'];
  readonly attackModeWindowMinutes: number;
  readonly keyService: Pick<KeyService, 'adapter' | 'versions'>;
}

/** `%` and `_` are wildcards in LIKE; a role name may contain `_`. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One aggregate per role: the accounts holding it, with any second factor, with a passkey (suspended passkeys and pending enrolments do not count). */
async function coverageOf(db: Kysely<Database>, role: string): Promise<Omit<RoleCoverage, 'role' | 'requiredLevel'>> {
  const passkey = sql`exists (select 1 from passkey_credentials p where p.account_id = a.id and p.suspended_at is null)`;
  const secondFactor = sql`(${passkey}
    or exists (select 1 from mfa_totp_factors t where t.account_id = a.id and t.confirmed_at is not null)
    or exists (select 1 from mfa_phone_factors f where f.account_id = a.id and f.confirmed_at is not null))`;
  const result = await sql<{
    accounts: number | string | bigint;
    with_second_factor: number | string | bigint | null;
    with_passkey: number | string | bigint | null;
  }>`
    select count(*) as accounts,
      sum(case when ${secondFactor} then 1 else 0 end) as with_second_factor,
      sum(case when ${passkey} then 1 else 0 end) as with_passkey
    from accounts a
    where a.roles like ${`%"${likeEscape(role)}"%`} escape '\\'`.execute(db);
  const row = result.rows[0];
  return {
    accounts: Number(row?.accounts ?? 0),
    withSecondFactor: Number(row?.with_second_factor ?? 0),
    withPasskey: Number(row?.with_passkey ?? 0),
  };
}

async function keyServiceState(keyService: OverviewDeps['keyService']): Promise<AdminOverview['keyService']> {
  try {
    const { current } = await keyService.versions();
    return { adapter: keyService.adapter, status: 'up', currentVersion: current };
  } catch {
    // Unreachable (HSM down, key file unreadable): the overview says so instead of failing.
    return { adapter: keyService.adapter, status: 'unavailable', currentVersion: null };
  }
}

export async function securityOverview(deps: OverviewDeps, context: RequestContext): Promise<AdminOverview> {
  const roles = Object.keys(deps.access.roles);
  const coverage = await Promise.all(
    roles.map(async (role) => ({ role, requiredLevel: requiredLevelFor([role], deps.mfaPolicy), ...(await coverageOf(deps.db, role)) })),
  );
  const attack = await deps.attackMode.status(context);
  await context.audit('admin.overview_viewed');
  return {
    tls: { mode: deps.tls.mode, minVersion: deps.tls.minVersion },
    keyService: await keyServiceState(deps.keyService),
    secondFactorCoverage: coverage,
    signInFailures: {
      windowMinutes: deps.attackModeWindowMinutes,
      failures: attack.failures,
      attempts: attack.attempts,
      usualRatio: attack.usualRatio,
      attackMode: attack.active,
    },
  };
}
